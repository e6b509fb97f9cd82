"""How failed sign-ins slow down whoever keeps guessing: the lock after each failure."""

from __future__ import annotations

from datetime import datetime, timedelta

# A person mistyping gets this many tries before any lock.
FREE_FAILURES = 5
FIRST_LOCK = timedelta(minutes=1)
LONGEST_LOCK = timedelta(hours=1)
# Every failure, locked or not, is answered this late: guessing at speed is not possible.
FAILURE_DELAY_S = 0.5


def lock_after(failures: int, now: datetime) -> datetime | None:
    """Until when an account is locked after its `failures`-th failure in a row (None: not)."""
    if failures < FREE_FAILURES:
        return None
    lock = FIRST_LOCK * 2 ** (failures - FREE_FAILURES)
    return now + min(lock, LONGEST_LOCK)


def is_locked(locked_until: datetime | None, now: datetime) -> bool:
    return locked_until is not None and now < locked_until
