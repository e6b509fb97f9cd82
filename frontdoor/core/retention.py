"""Retention: what is kept of a request once the department's retention has passed.

The request itself stays for the indicators; who called and what they said goes. The
caller's number is replaced by a keyed pseudonym, so that repeated contacts of one person
can still be counted without the number being recoverable.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

PSEUDONYM_PREFIX = "pseudo:"
# Webhook answers are kept only long enough to answer the provider's retries.
RECEIPTS_KEPT = timedelta(days=2)
# Reasons whose text can name a person, and what they become.
_NAMING_REASONS = {"known-caller": "appelant connu (nom effacé)"}


def retention_cutoff(now: datetime, retention_days: int) -> datetime:
    return now - timedelta(days=retention_days)


def pseudonym(number: str, key: bytes) -> str:
    """The same number always gives the same pseudonym under one key; it cannot be reversed."""
    if number.startswith(PSEUDONYM_PREFIX):
        return number
    digest = hmac.new(key, number.encode(), hashlib.sha256).hexdigest()
    return PSEUDONYM_PREFIX + digest[:24]


def stored_forms(number: str, key: bytes) -> tuple[str, ...]:
    """How a number may be held where only its pseudonym is kept (SMS opt-outs): the
    pseudonym, or the number itself in a row written before pseudonyms were."""
    return (pseudonym(number, key), number)


def scrubbed_reasons(reasons: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The reasons without what names the person; an attachment's reason loses the key of
    its file (deleted with the rest), and keeps its type and size."""
    return [_scrubbed(reason) for reason in reasons]


def _scrubbed(reason: Mapping[str, Any]) -> dict[str, Any]:
    scrubbed = dict(reason)
    if reason.get("code") in _NAMING_REASONS:
        scrubbed["text"] = _NAMING_REASONS[reason["code"]]
    if "key" in scrubbed:
        scrubbed["key"] = None
    return scrubbed
