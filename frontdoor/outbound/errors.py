"""The one error the outbound adapters raise."""

from __future__ import annotations

from frontdoor.core.failures import describe_failure


class OutboundError(Exception):
    """Sending failed. The message says what failed and why, never a number, address or body."""


def cause_of(error: OutboundError) -> str:
    """What failed, for a one-line log: the error under the OutboundError by its kinds and codes
    (frontdoor.core.failures.describe_failure: "TwilioRestException (HTTP 401, Twilio 20003)",
    "ClientConnectorDNSError", "SMTPRecipientsRefused (SMTP 550)"). Never the provider's own
    words, which may quote a number or an address."""
    return describe_failure(error.__cause__ or error)
