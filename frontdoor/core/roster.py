"""Who is on duty at an instant, and where nobody is.

Duty is worked out in layers, the later winning:

1. patterns: fixed shifts and rotations. A rotation is a weekly pattern whose referents
   change week by week from an anchor date; a fixed shift is a rotation of one week.
2. overrides between two aware instants, in ``OVERRIDE_PRECEDENCE`` order: ``add`` (X also
   on duty), then ``replace`` (X instead of Y, wherever Y is on duty), then ``remove`` (Y is
   not on duty). A removal therefore always wins: a referent on sick leave is never rung,
   whatever a rotation, a swap or an imported calendar says.

Interval arithmetic is done on UTC instants (see calendar.py for why).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from frontdoor.core.calendar import (
    WEEKDAY_NAMES_FR,
    Calendar,
    Slot,
    TimeRange,
    local_instant,
    open_slots,
    require_aware,
)
from frontdoor.core.reasons import Reason


class Reach(StrEnum):
    """Where a referent takes the calls she is rung for: her mobile, the console in her
    browser (Twilio's Voice SDK), or both at once."""

    MOBILE = "mobile"
    BROWSER = "browser"
    BOTH = "both"


@dataclass(kw_only=True, frozen=True)
class Referent:
    id: str
    name: str
    phone: str
    reach: Reach = Reach.MOBILE
    # Her browser's identity at Twilio (core.browser_phone): opaque, neither her name nor her
    # number; None until she first chooses the browser.
    client: str | None = None

    @property
    def rings_phone(self) -> bool:
        return self.reach is not Reach.BROWSER or self.client is None

    @property
    def rings_browser(self) -> bool:
        return self.reach is not Reach.MOBILE and self.client is not None

    @property
    def called_at(self) -> str:
        """Where a call placed to her (a waiting caller offered) rings: her mobile, or her
        browser ("client:<identity>", as Twilio's REST API takes it) when she chose it alone."""
        return self.phone if self.rings_phone else f"client:{self.client}"

    @property
    def legs(self) -> int:
        """How many of a <Dial>'s nouns ringing her takes: her mobile, her browser, or both."""
        return int(self.rings_phone) + int(self.rings_browser)


def _covers(weekdays: frozenset[int], hours: TimeRange, local: datetime) -> bool:
    return local.weekday() in weekdays and hours.start <= local.time().replace(tzinfo=None) < (
        hours.end
    )


@dataclass(kw_only=True, frozen=True)
class Shift:
    """On these weekdays (0 = Monday), in this local time range, these referents are on duty."""

    weekdays: frozenset[int]
    hours: TimeRange
    referent_ids: tuple[str, ...]

    def covers(self, local: datetime) -> bool:
        return _covers(self.weekdays, self.hours, local)

    def referents_on(self, day: date) -> tuple[str, ...]:
        return self.referent_ids

    def describe(self, day: date) -> str:
        return f"{WEEKDAY_NAMES_FR[day.weekday()]} {self.hours}"


@dataclass(kw_only=True, frozen=True)
class Rotation:
    """A weekly pattern whose referents cycle week by week.

    Week 1 is the seven days starting on ``anchor``, week 2 the next seven, and so on; after
    the last week the cycle starts again (days before the anchor cycle backwards). The week
    changes on the anchor's weekday: anchor on a Monday for Monday-to-Sunday weeks.
    """

    weekdays: frozenset[int]
    hours: TimeRange
    anchor: date
    weeks: tuple[tuple[str, ...], ...]

    def __post_init__(self) -> None:
        if not self.weeks:
            raise ValueError("a rotation needs at least one week")

    def week_number(self, day: date) -> int:
        """1 for the anchor's week, up to ``len(weeks)``."""
        return (day - self.anchor).days // 7 % len(self.weeks) + 1

    def covers(self, local: datetime) -> bool:
        return _covers(self.weekdays, self.hours, local)

    def referents_on(self, day: date) -> tuple[str, ...]:
        return self.weeks[self.week_number(day) - 1]

    def describe(self, day: date) -> str:
        week = f"rotation semaine {self.week_number(day)} sur {len(self.weeks)}"
        return f"{WEEKDAY_NAMES_FR[day.weekday()]} {self.hours}, {week}"


class OverrideKind(StrEnum):
    ADD = "add"  # the referent is also on duty
    REPLACE = "replace"  # the referent is on duty instead of ``instead_of``
    REMOVE = "remove"  # the referent is not on duty (sick day, leave)


# The order overrides are applied in: a removal has the last word.
OVERRIDE_PRECEDENCE = (OverrideKind.ADD, OverrideKind.REPLACE, OverrideKind.REMOVE)


@dataclass(kw_only=True, frozen=True)
class Override:
    """A one-off change to duty between two aware instants (``ends`` exclusive)."""

    starts: datetime
    ends: datetime
    kind: OverrideKind
    referent_id: str
    instead_of: str | None = None
    reason: str

    def __post_init__(self) -> None:
        require_aware(self.starts)
        require_aware(self.ends)
        if self.ends.astimezone(UTC) <= self.starts.astimezone(UTC):
            raise ValueError("an override must end after it starts")
        if (self.kind is OverrideKind.REPLACE) != (self.instead_of is not None):
            raise ValueError("'instead_of' goes with a 'replace' override, and only with it")

    def covers(self, at: datetime) -> bool:
        return self.starts.astimezone(UTC) <= at.astimezone(UTC) < self.ends.astimezone(UTC)

    def apply(self, ids: list[str]) -> bool:
        """Change the ids on duty in place; whether anything changed."""
        if self.kind is OverrideKind.ADD and self.referent_id not in ids:
            ids.append(self.referent_id)
            return True
        if self.kind is OverrideKind.REMOVE and self.referent_id in ids:
            ids.remove(self.referent_id)
            return True
        if self.kind is OverrideKind.REPLACE and self.instead_of in ids:
            if self.referent_id in ids:
                ids.remove(self.instead_of)
            else:
                ids[ids.index(self.instead_of)] = self.referent_id
            return True
        return False

    def describe(self, names: Mapping[str, str] | None = None) -> str:
        """In French; ``names``: the referents' names by id, shown instead of their ids."""
        names = names or {}
        who = names.get(self.referent_id, self.referent_id)
        if self.kind is OverrideKind.ADD:
            return f"{who} en renfort : {self.reason}"
        if self.kind is OverrideKind.REPLACE:
            instead = names.get(self.instead_of or "", self.instead_of)
            return f"{who} au lieu de {instead} : {self.reason}"
        return f"{who} indisponible : {self.reason}"


class WhenNobody(StrEnum):
    """What a call gets when nobody is on duty (never a ring-forever)."""

    BACKUP = "backup"  # ring the backup list, then offer a message
    MESSAGE = "message"  # offer a message straight away
    FORWARD = "forward"  # put the call through to another number (a neighbouring DAC)


@dataclass(kw_only=True, frozen=True)
class NobodyOnDuty:
    action: WhenNobody = WhenNobody.BACKUP
    forward_to: str | None = None  # E.164, with FORWARD only

    def __post_init__(self) -> None:
        if (self.action is WhenNobody.FORWARD) != (self.forward_to is not None):
            raise ValueError("a number to forward to goes with 'forward', and only with it")


@dataclass(kw_only=True, frozen=True)
class Roster:
    shifts: tuple[Shift, ...] = ()
    backup: tuple[str, ...] = ()
    rotations: tuple[Rotation, ...] = ()
    overrides: tuple[Override, ...] = ()
    when_nobody: NobodyOnDuty = field(default_factory=NobodyOnDuty)

    @property
    def patterns(self) -> tuple[Shift | Rotation, ...]:
        """What puts referents on duty week after week: the shifts, then the rotations."""
        return (*self.shifts, *self.rotations)

    def with_overrides(self, overrides: Iterable[Override]) -> Roster:
        """This roster with more overrides, e.g. those imported from a calendar feed."""
        return replace(self, overrides=(*self.overrides, *overrides))


@dataclass(kw_only=True, frozen=True)
class Duty:
    referent_ids: tuple[str, ...]
    reason: Reason


@dataclass(kw_only=True, frozen=True)
class DutyGap(Slot):
    pass


@dataclass(kw_only=True, frozen=True)
class DutyPeriod(Slot):
    """A span of opening time during which the same referents are on duty."""

    duty: Duty


def on_duty(at: datetime, roster: Roster, timezone: ZoneInfo) -> Duty:
    """The referents on duty at ``at``, in roster order, without repeats, and why."""
    require_aware(at)
    local = at.astimezone(timezone)
    ids: list[str] = []
    why: list[str] = []
    for pattern in roster.patterns:
        if pattern.covers(local):
            why.append(pattern.describe(local.date()))
            ids.extend(i for i in pattern.referents_on(local.date()) if i not in ids)
    for kind in OVERRIDE_PRECEDENCE:
        for override in roster.overrides:
            if override.kind is kind and override.covers(at) and override.apply(ids):
                why.append(override.describe())
    if not ids:
        text = f"personne de permanence le {WEEKDAY_NAMES_FR[local.weekday()]} à {local:%H:%M}"
        return Duty(
            referent_ids=(),
            reason=Reason(
                code="nobody-on-duty", text=f"{text} ({', '.join(why)})" if why else text
            ),
        )
    return Duty(
        referent_ids=tuple(ids),
        reason=Reason(code="on-duty", text=f"de permanence ({', '.join(why)}) : {', '.join(ids)}"),
    )


def duty_periods(
    calendar: Calendar, roster: Roster, starts: datetime, ends: datetime
) -> list[DutyPeriod]:
    """Opening time between two instants, cut wherever the referents on duty change.

    Adjacent pieces with the same referents are one period (it keeps the first piece's reason).
    """
    tz = calendar.timezone
    pieces: list[tuple[datetime, datetime, Duty]] = []
    for slot in open_slots(calendar, starts, ends):
        for piece_start, piece_end in _split_at_duty_edges(slot, roster, tz):
            duty = on_duty(piece_start, roster, tz)
            if (
                pieces
                and pieces[-1][1] == piece_start
                and pieces[-1][2].referent_ids == (duty.referent_ids)
            ):
                pieces[-1] = (pieces[-1][0], piece_end, pieces[-1][2])
            else:
                pieces.append((piece_start, piece_end, duty))
    return [
        DutyPeriod(starts=a.astimezone(tz), ends=b.astimezone(tz), duty=d) for a, b, d in pieces
    ]


def duty_gaps(
    calendar: Calendar, roster: Roster, starts: datetime, ends: datetime
) -> list[DutyGap]:
    """Spans of opening time between two instants when nobody is on duty."""
    return [
        DutyGap(starts=period.starts, ends=period.ends)
        for period in duty_periods(calendar, roster, starts, ends)
        if not period.duty.referent_ids
    ]


def _split_at_duty_edges(
    slot: Slot, roster: Roster, timezone: ZoneInfo
) -> list[tuple[datetime, datetime]]:
    """Cut a slot (as UTC pieces) wherever a pattern or an override starts or ends, and at
    midnight (where a rotation's week may turn), so duty is constant within each piece."""
    first, last = slot.starts.astimezone(UTC), slot.ends.astimezone(UTC)
    edges = {first, last}
    walls = {time(0, 0)}
    for pattern in roster.patterns:
        walls.update((pattern.hours.start, pattern.hours.end))
    day = slot.starts.date() - timedelta(days=1)
    while day <= slot.ends.date() + timedelta(days=1):
        edges.update(local_instant(day, wall, timezone) for wall in walls)
        day += timedelta(days=1)
    for override in roster.overrides:
        edges.update((override.starts.astimezone(UTC), override.ends.astimezone(UTC)))
    ordered = sorted(edge for edge in edges if first <= edge <= last)
    return list(zip(ordered, ordered[1:], strict=False))
