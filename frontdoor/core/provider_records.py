"""Twilio's own records of the calls and SMS a request went through, deleted there when the
request is erased or purged here.

Twilio keeps a Call record (the numbers of both ends) for each call and each leg dialed, and
a Message record (the numbers and the text) for each SMS, until it is deleted through its
REST API. What the store knows of them is their SIDs: which of them an erasure or a purge
reaches (`to_delete`), and when to try again a deletion Twilio refused (`next_attempt`).

A Call SID starts with CA, a Message SID with SM (MM for an MMS): 34 characters in all.
Deleting a Message deletes its media too (Twilio, since October 2020).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from frontdoor.core.calendar import require_aware


class RecordKind(StrEnum):
    CALL = "call"
    MESSAGE = "message"


_SID = re.compile(r"(CA|SM|MM)[0-9a-fA-F]{32}")
_KINDS = {"CA": RecordKind.CALL, "SM": RecordKind.MESSAGE, "MM": RecordKind.MESSAGE}

# Twilio refuses to delete a call still in progress, or a message not yet in a final state
# (error 20009): "wait at least 1 minute", "in rare cases … up to 14 days". The first retry
# waits five minutes, each next twice as long up to a day apart; after MAX_ATTEMPTS (about
# 16 days of tries in all) the deletion is given up and left for the operator.
RETRY_FIRST = timedelta(minutes=5)
RETRY_LONGEST = timedelta(days=1)
MAX_ATTEMPTS = 24


def kind_of(sid: str | None) -> RecordKind | None:
    """Which of Twilio's records a SID names; None for anything else (a mail's Message-ID,
    a SID of another kind, a malformed one): nothing is asked of Twilio for it."""
    if not sid or not _SID.fullmatch(sid):
        return None
    return _KINDS[sid[:2]]


def to_delete(
    sids: Iterable[str | None], *, kinds: Iterable[RecordKind]
) -> list[tuple[RecordKind, str]]:
    """The records of these kinds the SIDs name, each once, in a stable order."""
    wanted = set(kinds)
    found: set[tuple[RecordKind, str]] = set()
    for sid in sids:
        kind = kind_of(sid)
        if sid and kind is not None and kind in wanted:
            found.add((kind, sid))
    return sorted(found)


def next_attempt(attempts: int, *, at: datetime) -> datetime | None:
    """When to try again a deletion Twilio refused or did not answer `attempts` times, the last
    at `at`: exponential backoff from RETRY_FIRST to RETRY_LONGEST; None: give up."""
    require_aware(at)
    if attempts >= MAX_ATTEMPTS:
        return None
    wait = min(RETRY_FIRST * (1 << min(max(0, attempts - 1), 20)), RETRY_LONGEST)
    return at.astimezone(UTC) + wait
