"""The one error the outbound adapters raise."""

from __future__ import annotations


class OutboundError(Exception):
    """Sending failed. The message says what failed and why, never a number, address or body."""


def cause_of(error: OutboundError) -> str:
    """What failed, for a one-line log: the class of the error under the OutboundError, with
    its HTTP status and the provider's code when it has them ("TwilioRestException, HTTP 401,
    code 20003", "ClientConnectorDNSError", "SMTPRecipientsRefused"). Never the provider's own
    words, which may quote a number or an address."""
    cause = error.__cause__ or error
    status, code = getattr(cause, "status", None), getattr(cause, "code", None)
    parts = [type(cause).__name__]
    if isinstance(status, int):
        parts.append(f"HTTP {status}")
    if isinstance(code, int) and code != status:
        parts.append(f"code {code}")
    return ", ".join(parts)
