"""Deadlines counted in opening hours: "within 4 opening hours" skips nights, weekends,
lunch breaks, public holidays and exceptional closures.

A contact received while the line is closed starts counting when it next opens. A budget
that runs out exactly when the line closes is due at that closing time, not at the next
opening. Arithmetic is on UTC instants, so a DST night counts the hours that really pass.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from frontdoor.core.calendar import REOPENING_HORIZON_DAYS, Calendar, require_aware, slots_from


def deadline_after(start: datetime, budget: timedelta, calendar: Calendar) -> datetime:
    """The instant when ``budget`` of opening time has elapsed after ``start``.

    In the calendar's time zone. Raises ValueError for a negative budget, or when the line
    does not open long enough within the calendar's horizon (about 400 days).
    """
    require_aware(start)
    if budget < timedelta(0):
        raise ValueError("a deadline budget cannot be negative")
    remaining = budget
    for slot in slots_from(calendar, start):
        slot_start, slot_end = slot.starts.astimezone(UTC), slot.ends.astimezone(UTC)
        if remaining <= slot_end - slot_start:
            return (slot_start + remaining).astimezone(calendar.timezone)
        remaining -= slot_end - slot_start
    raise ValueError(
        f"the line is not open for {budget} within {REOPENING_HORIZON_DAYS} days of {start}"
    )


def opening_time_between(starts: datetime, ends: datetime, calendar: Calendar) -> timedelta:
    """How much opening time lies between two instants (zero if ``ends`` is not after)."""
    require_aware(ends)
    until = ends.astimezone(UTC)
    total = timedelta(0)
    for slot in slots_from(calendar, starts):
        slot_start = slot.starts.astimezone(UTC)
        if slot_start >= until:
            break
        total += min(slot.ends.astimezone(UTC), until) - slot_start
    return total


def format_budget(budget: timedelta) -> str:
    """ "4 h", "1 h 30", "45 min": a budget as the department file and the console write it."""
    minutes = int(budget.total_seconds()) // 60
    hours, minutes = divmod(minutes, 60)
    if not hours:
        return f"{minutes} min"
    return f"{hours} h {minutes:02d}" if minutes else f"{hours} h"
