"""Who is on duty at an instant, and where nobody is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from frontdoor.core.calendar import WEEKDAY_NAMES_FR, Calendar, Slot, TimeRange, open_slots
from frontdoor.core.reasons import Reason


@dataclass(kw_only=True, frozen=True)
class Referent:
    id: str
    name: str
    phone: str


@dataclass(kw_only=True, frozen=True)
class Shift:
    """On these weekdays (0 = Monday), in this local time range, these referents are on duty."""

    weekdays: frozenset[int]
    hours: TimeRange
    referent_ids: tuple[str, ...]

    def covers(self, local: datetime) -> bool:
        return (
            local.weekday() in self.weekdays
            and self.hours.start <= local.time().replace(tzinfo=None) < self.hours.end
        )


@dataclass(kw_only=True, frozen=True)
class Roster:
    shifts: tuple[Shift, ...] = ()
    backup: tuple[str, ...] = ()


@dataclass(kw_only=True, frozen=True)
class Duty:
    referent_ids: tuple[str, ...]
    reason: Reason


@dataclass(kw_only=True, frozen=True)
class DutyGap(Slot):
    pass


def on_duty(at: datetime, roster: Roster, timezone: ZoneInfo) -> Duty:
    """The referents on duty at ``at``, in roster order, without repeats."""
    local = at.astimezone(timezone)
    ids: list[str] = []
    matching: list[Shift] = []
    for shift in roster.shifts:
        if shift.covers(local):
            matching.append(shift)
            ids.extend(i for i in shift.referent_ids if i not in ids)
    if not ids:
        return Duty(
            referent_ids=(),
            reason=Reason(
                code="nobody-on-duty",
                text=f"personne de permanence le {WEEKDAY_NAMES_FR[local.weekday()]} "
                f"à {local:%H:%M}",
            ),
        )
    slots = ", ".join(f"{WEEKDAY_NAMES_FR[local.weekday()]} {s.hours}" for s in matching)
    return Duty(
        referent_ids=tuple(ids),
        reason=Reason(code="on-duty", text=f"de permanence ({slots}) : {', '.join(ids)}"),
    )


def duty_gaps(
    calendar: Calendar, roster: Roster, starts: datetime, ends: datetime
) -> list[DutyGap]:
    """Spans of opening time between two instants when nobody is on duty."""
    gaps: list[DutyGap] = []
    for slot in open_slots(calendar, starts, ends):
        for piece_start, piece_end in _split_at_shift_edges(slot, roster, calendar.timezone):
            if on_duty(piece_start, roster, calendar.timezone).referent_ids:
                continue
            if gaps and gaps[-1].ends == piece_start:
                gaps[-1] = DutyGap(starts=gaps[-1].starts, ends=piece_end)
            else:
                gaps.append(DutyGap(starts=piece_start, ends=piece_end))
    return gaps


def _split_at_shift_edges(
    slot: Slot, roster: Roster, timezone: ZoneInfo
) -> list[tuple[datetime, datetime]]:
    """Cut a slot wherever a shift starts or ends, so duty is constant within each piece."""
    edges = {slot.starts, slot.ends}
    day = slot.starts.date()
    while day <= slot.ends.date():
        for shift in roster.shifts:
            for wall in (shift.hours.start, shift.hours.end):
                edge = datetime.combine(day, wall, tzinfo=timezone)
                if slot.starts < edge < slot.ends:
                    edges.add(edge)
        day += timedelta(days=1)
    ordered = sorted(edges)
    return list(zip(ordered, ordered[1:], strict=False))
