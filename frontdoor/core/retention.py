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


def scrubbed_reasons(reasons: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [
        {**reason, "text": _NAMING_REASONS[reason["code"]]}
        if reason.get("code") in _NAMING_REASONS
        else dict(reason)
        for reason in reasons
    ]
