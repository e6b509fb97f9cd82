"""The one error the outbound adapters raise."""

from __future__ import annotations


class OutboundError(Exception):
    """Sending failed. The message says what failed and why, never a number, address or body."""
