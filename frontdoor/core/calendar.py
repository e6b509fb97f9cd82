"""When the line is open: weekly hours, French public holidays, exceptional closures.

One calendar answers every "is the DAC open?" question (routing, acknowledgements, callback
deadlines, reports). Precedence: exceptional closure > public holiday > weekly hours.

Interval arithmetic is done on UTC instants: two aware datetimes sharing one ``ZoneInfo``
compare by wall-clock time in Python, which is wrong across a DST change.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from frontdoor.core.reasons import Reason

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_NAMES_FR = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")

# How far ahead a reopening is looked for before the line is declared closed for good.
REOPENING_HORIZON_DAYS = 400

# The subdivisions holidays.France knows, keyed by the département they cover.
_SUBDIVISION_OF_DEPARTEMENT = {
    "57": "57",
    "67": "6AE",
    "68": "6AE",
    "971": "971",
    "972": "972",
    "973": "973",
    "974": "974",
    "976": "976",
    # The overseas collectivities of the Atlantic: Saint-Pierre-et-Miquelon, Saint-Barthélemy,
    # Saint-Martin (their INSEE codes; holidays.France names them by ISO code).
    "975": "PM",
    "977": "BL",
    "978": "MF",
}


@dataclass(kw_only=True, frozen=True)
class TimeRange:
    """Local wall-clock opening range within one day; ``end`` is exclusive."""

    start: time
    end: time

    def __str__(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M}"


@dataclass(kw_only=True, frozen=True)
class Closure:
    """An exceptional closure between two aware instants (may span midnight or days)."""

    starts: datetime
    ends: datetime
    reason: str = "fermeture exceptionnelle"


@dataclass(kw_only=True, frozen=True)
class Calendar:
    timezone: ZoneInfo
    weekly: Mapping[int, tuple[TimeRange, ...]]
    holidays_subdivision: str | None = None
    closures: tuple[Closure, ...] = field(default=())


@dataclass(kw_only=True, frozen=True)
class Opening:
    """The answer to "is the line open at this instant?", with why."""

    is_open: bool
    reason: Reason
    # When open: when the current opening range ends. When closed: when the line reopens
    # (None if no reopening within the horizon). Both in the department's time zone.
    closes_at: datetime | None = None
    reopens_at: datetime | None = None


@dataclass(kw_only=True, frozen=True)
class Slot:
    """A span of opening time, aware, in the department's time zone."""

    starts: datetime
    ends: datetime


def holidays_subdivision(code: str) -> str | None:
    """Map a department file's ``holidays`` value to a holidays.France subdivision.

    "FR" is mainland France without local days; "FR-57" (Moselle), "FR-67"/"FR-68" (Alsace)
    and the overseas departments add theirs. Raises ValueError for anything else.
    """
    country, _, departement = code.strip().upper().partition("-")
    if country != "FR":
        raise ValueError(f"{code!r}: expected 'FR' or 'FR-<département>', e.g. 'FR-57'")
    if not departement:
        return None
    if departement in _SUBDIVISION_OF_DEPARTEMENT:
        return _SUBDIVISION_OF_DEPARTEMENT[departement]
    if _is_mainland_departement(departement):
        return None
    raise ValueError(f"{code!r}: unknown French département {departement!r}")


def is_departement(code: str) -> bool:
    """Whether `code` is a French département's code: "46", "2A", "974"."""
    return code in _SUBDIVISION_OF_DEPARTEMENT or _is_mainland_departement(code)


def _is_mainland_departement(code: str) -> bool:
    if code in ("2A", "2B"):
        return True
    return code.isdigit() and 1 <= int(code) <= 95 and code != "20"


@lru_cache(maxsize=64)
def _holidays_of_year(subdivision: str | None, year: int) -> Mapping[date, str]:
    return dict(
        holidays.country_holidays("FR", subdiv=subdivision, years=year, language="fr").items()
    )


def holiday_name(day: date, subdivision: str | None) -> str | None:
    """The French name of the public holiday on ``day``, or None."""
    return _holidays_of_year(subdivision, day.year).get(day)


# The last open answer of each calendar, and the instants it holds for: from the one it was
# computed at until the line closes (no closure, holiday or other range can start between).
# Every incoming call asks; the answer changes a few times a day. Keyed by the calendar's
# identity, the calendar kept with it (its id is not reused while it is held); a few entries.
_OPEN_SPANS: dict[int, tuple[Calendar, datetime, datetime, Opening]] = {}
_OPEN_SPANS_KEPT = 64


def opening_at(at: datetime, calendar: Calendar) -> Opening:
    """Whether the line is open at ``at`` (aware), and until or from when."""
    require_aware(at)
    at_utc = at.astimezone(UTC)
    held = _OPEN_SPANS.get(id(calendar))
    if held is not None and held[0] is calendar and held[1] <= at_utc < held[2]:
        return held[3]
    opening = _opening_at(at_utc, calendar)
    if opening.is_open and opening.closes_at is not None:
        if len(_OPEN_SPANS) >= _OPEN_SPANS_KEPT:
            _OPEN_SPANS.clear()
        _OPEN_SPANS[id(calendar)] = (calendar, at_utc, opening.closes_at.astimezone(UTC), opening)
    return opening


def _opening_at(at_utc: datetime, calendar: Calendar) -> Opening:
    tz = calendar.timezone
    local = at_utc.astimezone(tz)

    closure = _closure_covering(at_utc, calendar)
    if closure is not None:
        reason = Reason(
            code="closure",
            text=f"fermé : {closure.reason} jusqu'au {_short(closure.ends.astimezone(tz))}",
        )
        return _closed(at_utc, calendar, reason)

    holiday = holiday_name(local.date(), calendar.holidays_subdivision)
    if holiday is not None:
        return _closed(at_utc, calendar, Reason(code="public-holiday", text=f"fermé : {holiday}"))

    for starts, ends in _weekly_ranges_of_day(local.date(), calendar):
        if starts <= at_utc < ends:
            # Still open until the range ends or a closure starts within it.
            closes = min([ends, *_closure_starts_within(starts, ends, at_utc, calendar)])
            day_name = WEEKDAY_NAMES_FR[local.weekday()]
            hours = f"{starts.astimezone(tz):%H:%M}–{ends.astimezone(tz):%H:%M}"
            return Opening(
                is_open=True,
                reason=Reason(code="weekly-hours", text=f"ouvert : {day_name} {hours}"),
                closes_at=closes.astimezone(tz),
            )
    return _closed(at_utc, calendar, Reason(code="outside-hours", text="fermé : hors horaires"))


def open_slots(calendar: Calendar, starts: datetime, ends: datetime) -> list[Slot]:
    """Every span of opening time between two aware instants, clipped to them."""
    require_aware(starts)
    require_aware(ends)
    until = ends.astimezone(UTC)
    slots = []
    for range_start, range_end in _open_ranges_from(starts.astimezone(UTC), calendar):
        if range_start >= until:
            break
        slots.append(
            Slot(
                starts=range_start.astimezone(calendar.timezone),
                ends=min(range_end, until).astimezone(calendar.timezone),
            )
        )
    return slots


def slots_from(calendar: Calendar, starts: datetime) -> Iterator[Slot]:
    """Spans of opening time from an aware instant on, in order, the first clipped to it.

    Lazy: callers stop when they have what they need (deadlines, the next opening).
    """
    require_aware(starts)
    for range_start, range_end in _open_ranges_from(starts.astimezone(UTC), calendar):
        yield Slot(
            starts=range_start.astimezone(calendar.timezone),
            ends=range_end.astimezone(calendar.timezone),
        )


def _closed(at_utc: datetime, calendar: Calendar, reason: Reason) -> Opening:
    reopens = next(iter(_open_ranges_from(at_utc, calendar)), None)
    return Opening(
        is_open=False,
        reason=reason,
        reopens_at=reopens[0].astimezone(calendar.timezone) if reopens else None,
    )


def _open_ranges_from(at_utc: datetime, calendar: Calendar) -> Iterator[tuple[datetime, datetime]]:
    """Opening ranges (UTC) that end after ``at_utc``, in order, clipped to start at it."""
    first_day = at_utc.astimezone(calendar.timezone).date()
    for offset in range(REOPENING_HORIZON_DAYS):
        day = first_day + timedelta(days=offset)
        if holiday_name(day, calendar.holidays_subdivision) is not None:
            continue
        for starts, ends in _weekly_ranges_of_day(day, calendar):
            for piece_start, piece_end in _minus_closures(starts, ends, calendar):
                if piece_end > at_utc:
                    yield max(piece_start, at_utc), piece_end


def _weekly_ranges_of_day(day: date, calendar: Calendar) -> list[tuple[datetime, datetime]]:
    ranges = []
    for time_range in calendar.weekly.get(day.weekday(), ()):
        starts = local_instant(day, time_range.start, calendar.timezone)
        ends = local_instant(day, time_range.end, calendar.timezone)
        if ends > starts:
            ranges.append((starts, ends))
    return sorted(ranges)


def local_instant(day: date, wall: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of a wall-clock time; a time skipped by DST is when the clocks jump."""
    naive = datetime.combine(day, wall)
    instant = naive.replace(tzinfo=tz).astimezone(UTC)
    if instant.astimezone(tz).replace(tzinfo=None) == naive:
        return instant
    # Inside the spring-forward gap: this wall time never shows, the clocks jump over it.
    # From the same wall time read at the new offset (just before the jump), walk to the
    # first instant on the new offset, i.e. the end of the gap.
    instant = naive.replace(tzinfo=tz, fold=1).astimezone(UTC).replace(second=0, microsecond=0)
    before = instant.astimezone(tz).utcoffset()
    while instant.astimezone(tz).utcoffset() == before:
        instant += timedelta(minutes=1)
    return instant


def _minus_closures(
    starts: datetime, ends: datetime, calendar: Calendar
) -> list[tuple[datetime, datetime]]:
    pieces = [(starts, ends)]
    for closure in calendar.closures:
        c_start, c_end = closure.starts.astimezone(UTC), closure.ends.astimezone(UTC)
        next_pieces = []
        for p_start, p_end in pieces:
            if c_end <= p_start or c_start >= p_end:
                next_pieces.append((p_start, p_end))
                continue
            if c_start > p_start:
                next_pieces.append((p_start, c_start))
            if c_end < p_end:
                next_pieces.append((c_end, p_end))
        pieces = next_pieces
    return sorted(pieces)


def _closure_covering(at_utc: datetime, calendar: Calendar) -> Closure | None:
    for closure in calendar.closures:
        if closure.starts.astimezone(UTC) <= at_utc < closure.ends.astimezone(UTC):
            return closure
    return None


def _closure_starts_within(
    starts: datetime, ends: datetime, after: datetime, calendar: Calendar
) -> list[datetime]:
    return [
        c.starts.astimezone(UTC)
        for c in calendar.closures
        if after < c.starts.astimezone(UTC) < ends and c.starts.astimezone(UTC) > starts
    ]


def _short(moment: datetime) -> str:
    return f"{moment:%d/%m/%Y %H:%M}"


def require_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("times given to the calendar must be aware")
