"""A department's UTC offsets over a period, so that the database can count by local hour.

SQLite has no time zones, and PostgreSQL's `AT TIME ZONE` is slow over a million rows. Over
one period a zone has only a few offsets (two DST changes a year in Paris, none in Réunion):
the database adds the offset of each request's span to its UTC epoch and counts by local hour
of the week, exactly, with integer arithmetic both databases do alike.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

HOURS_PER_WEEK = 168
# 1 January 1970, the epoch's day 0, was a Thursday: Monday 00:00 was 72 hours earlier.
EPOCH_HOUR_OF_WEEK = 72


@dataclass(kw_only=True, frozen=True)
class OffsetSpan:
    """From `starts` (UTC, inclusive) to the next span, local time is UTC + offset_s."""

    starts: datetime
    offset_s: int


@functools.lru_cache(maxsize=256)
def offset_spans(timezone: ZoneInfo, starts: datetime, ends: datetime) -> tuple[OffsetSpan, ...]:
    """The zone's offsets over [starts, ends), each from the exact second it applies (at most
    one change a day, as every zone has). Kept: a year's are a day-by-day walk, asked again
    at every look at the same table."""
    spans = [OffsetSpan(starts=starts, offset_s=_offset(timezone, starts))]
    at = starts
    while at < ends:
        following = min(at + timedelta(days=1), ends)
        if following < ends and _offset(timezone, following) != spans[-1].offset_s:
            spans.append(_change_within(timezone, at, following))
        at = following
    return tuple(spans)


def hour_of_week(local_epoch_s: int) -> int:
    """Whole hours since the last Monday 00:00 of a local epoch second; the database computes
    the same from a request's UTC epoch and its span's offset."""
    return (local_epoch_s // 3600 + EPOCH_HOUR_OF_WEEK) % HOURS_PER_WEEK


def weekday_and_hour(index: int) -> tuple[int, int]:
    """(weekday with 0 = Monday, hour 0–23) of an hour of the week."""
    weekday, hour = divmod(index, 24)
    return weekday, hour


def _offset(timezone: ZoneInfo, at: datetime) -> int:
    offset = at.astimezone(timezone).utcoffset()
    assert offset is not None  # a ZoneInfo always has one
    return int(offset.total_seconds())


def _change_within(timezone: ZoneInfo, low: datetime, high: datetime) -> OffsetSpan:
    """The first second of (low, high] with high's offset (bisection: changes need not fall
    on a whole UTC hour)."""
    wanted = _offset(timezone, high)
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        middle = middle.replace(microsecond=0)
        if _offset(timezone, middle) == wanted:
            high = middle
        else:
            low = middle
    return OffsetSpan(starts=high, offset_s=wanted)
