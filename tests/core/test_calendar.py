"""When the line is open: weekly hours, public holidays, closures, time zones and DST.

Expected instants are written in UTC where the offset matters (DST nights, overseas zones),
and compared in UTC: two aware datetimes sharing one ZoneInfo compare by wall-clock time.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from frontdoor.core.calendar import (
    Calendar,
    Closure,
    TimeRange,
    holiday_name,
    holidays_subdivision,
    open_slots,
    opening_at,
)

PARIS = ZoneInfo("Europe/Paris")
CAYENNE = ZoneInfo("America/Cayenne")
REUNION = ZoneInfo("Indian/Reunion")

MON_FRI, MON_SAT, EVERY_DAY, SUNDAY = range(5), range(6), range(7), (6,)


def hours(text: str) -> TimeRange:
    start, end = text.split("-")
    return TimeRange(start=time.fromisoformat(start), end=time.fromisoformat(end))


def calendar(
    days: range | tuple[int, ...] = MON_FRI,
    ranges: tuple[str, ...] = ("08:30-18:30",),
    *,
    timezone: ZoneInfo = PARIS,
    subdivision: str | None = None,
    closures: tuple[Closure, ...] = (),
) -> Calendar:
    return Calendar(
        timezone=timezone,
        weekly={day: tuple(hours(r) for r in ranges) for day in days},
        holidays_subdivision=subdivision,
        closures=closures,
    )


def paris(*args: int, fold: int = 0) -> datetime:
    return datetime(*args, tzinfo=PARIS, fold=fold)  # type: ignore[misc]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def in_utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.astimezone(UTC)


WEEKDAYS = calendar()
LUNCH_BREAK = calendar(ranges=("09:00-12:30", "13:30-17:00"))
MOSELLE = calendar(subdivision="57")
MOSELLE_SAT = calendar(MON_SAT, subdivision="57")
MAINLAND_SAT = calendar(MON_SAT)
# Open on Sunday nights across the hour the clocks change (01:00-04:00 local).
SUNDAY_NIGHT = calendar(SUNDAY, ("01:00-04:00",))
# An opening range that starts, or ends, inside the hour skipped on 29 March 2026.
STARTS_IN_GAP = calendar(SUNDAY, ("02:30-05:00",))
ENDS_IN_GAP = calendar(SUNDAY, ("00:00-02:30",))
YEAR_END = calendar(
    closures=(
        Closure(
            starts=paris(2026, 12, 24, 14, 0),
            ends=paris(2026, 12, 26, 8, 30),
            reason="fermeture de fin d'année",
        ),
    )
)
YEAR_END_SAT = calendar(MON_SAT, closures=YEAR_END.closures)
TRAINING_AFTERNOON = calendar(
    ranges=("09:00-12:30", "13:30-17:00"),
    closures=(Closure(starts=paris(2026, 6, 10, 15, 0), ends=paris(2026, 6, 11, 9, 0)),),
)
TEAM_MEETING = calendar(
    closures=(Closure(starts=paris(2026, 6, 10, 8, 0), ends=paris(2026, 6, 10, 10, 0)),)
)
CAYENNE_973 = calendar(ranges=("08:00-17:00",), timezone=CAYENNE, subdivision="973")
CAYENNE_MAINLAND = calendar(ranges=("08:00-17:00",), timezone=CAYENNE)
REUNION_974 = calendar(EVERY_DAY, ("08:00-17:00",), timezone=REUNION, subdivision="974")
REUNION_MAINLAND = calendar(EVERY_DAY, ("08:00-17:00",), timezone=REUNION)
NEVER_OPEN = calendar(ranges=())


@pytest.mark.parametrize(
    ("cal", "at", "is_open", "code", "closes_at", "reopens_at"),
    [
        # Weekly hours: start inclusive, end exclusive.
        pytest.param(WEEKDAYS, paris(2026, 5, 19, 10, 0), True, "weekly-hours",
                     paris(2026, 5, 19, 18, 30), None, id="tuesday-morning-open-until-18:30"),
        pytest.param(WEEKDAYS, paris(2026, 5, 19, 8, 30), True, "weekly-hours",
                     paris(2026, 5, 19, 18, 30), None, id="08:30-exactly-open"),
        pytest.param(WEEKDAYS, paris(2026, 5, 19, 8, 29, 59), False, "outside-hours",
                     None, paris(2026, 5, 19, 8, 30), id="08:29:59-closed-opens-same-morning"),
        pytest.param(WEEKDAYS, paris(2026, 5, 19, 18, 29, 59), True, "weekly-hours",
                     paris(2026, 5, 19, 18, 30), None, id="18:29:59-still-open"),
        pytest.param(WEEKDAYS, paris(2026, 5, 19, 18, 30), False, "outside-hours",
                     None, paris(2026, 5, 20, 8, 30), id="18:30-closed-reopens-next-day-08:30"),
        pytest.param(WEEKDAYS, paris(2026, 6, 5, 18, 30), False, "outside-hours",
                     None, paris(2026, 6, 8, 8, 30), id="friday-18:30-reopens-monday"),
        pytest.param(WEEKDAYS, paris(2026, 6, 6, 11, 0), False, "outside-hours",
                     None, paris(2026, 6, 8, 8, 30), id="saturday-reopens-monday"),
        pytest.param(WEEKDAYS, paris(2026, 6, 7, 23, 59), False, "outside-hours",
                     None, paris(2026, 6, 8, 8, 30), id="sunday-night-reopens-monday"),
        pytest.param(WEEKDAYS, utc(2026, 5, 19, 6, 30), True, "weekly-hours",
                     paris(2026, 5, 19, 18, 30), None, id="instant-given-in-utc"),
        pytest.param(LUNCH_BREAK, paris(2026, 5, 19, 12, 45), False, "outside-hours",
                     None, paris(2026, 5, 19, 13, 30), id="lunch-break-reopens-13:30"),
        pytest.param(LUNCH_BREAK, paris(2026, 5, 19, 10, 0), True, "weekly-hours",
                     paris(2026, 5, 19, 12, 30), None, id="morning-range-closes-at-lunch"),
        # Public holidays.
        pytest.param(WEEKDAYS, paris(2026, 5, 14, 10, 0), False, "public-holiday",
                     None, paris(2026, 5, 15, 8, 30), id="ascension-reopens-friday-08:30"),
        pytest.param(WEEKDAYS, paris(2026, 5, 13, 18, 30), False, "outside-hours",
                     None, paris(2026, 5, 15, 8, 30), id="eve-of-ascension-skips-thursday"),
        pytest.param(WEEKDAYS, paris(2026, 5, 25, 9, 0), False, "public-holiday",
                     None, paris(2026, 5, 26, 8, 30), id="whit-monday-reopens-tuesday"),
        pytest.param(WEEKDAYS, paris(2026, 5, 22, 18, 45), False, "outside-hours",
                     None, paris(2026, 5, 26, 8, 30), id="friday-before-whit-monday"),
        # Alsace-Moselle: Good Friday and 26 December.
        pytest.param(MOSELLE, paris(2026, 4, 3, 10, 0), False, "public-holiday",
                     None, paris(2026, 4, 7, 8, 30), id="good-friday-closed-in-57"),
        pytest.param(WEEKDAYS, paris(2026, 4, 3, 10, 0), True, "weekly-hours",
                     paris(2026, 4, 3, 18, 30), None, id="good-friday-open-in-mainland"),
        pytest.param(MOSELLE_SAT, paris(2026, 12, 26, 10, 0), False, "public-holiday",
                     None, paris(2026, 12, 28, 8, 30), id="26-december-closed-in-57"),
        pytest.param(MAINLAND_SAT, paris(2026, 12, 26, 10, 0), True, "weekly-hours",
                     paris(2026, 12, 26, 18, 30), None, id="26-december-open-in-mainland"),
        pytest.param(MOSELLE_SAT, paris(2026, 12, 24, 19, 0), False, "outside-hours",
                     None, paris(2026, 12, 28, 8, 30), id="christmas-eve-57-skips-two-days"),
        pytest.param(MAINLAND_SAT, paris(2026, 12, 24, 19, 0), False, "outside-hours",
                     None, paris(2026, 12, 26, 8, 30), id="christmas-eve-mainland-one-day"),
        # Exceptional closures: precedence over weekly hours and holidays.
        pytest.param(YEAR_END, paris(2026, 12, 24, 10, 0), True, "weekly-hours",
                     paris(2026, 12, 24, 14, 0), None, id="closure-later-today-closes-at-start"),
        pytest.param(YEAR_END, paris(2026, 12, 24, 13, 59, 59), True, "weekly-hours",
                     paris(2026, 12, 24, 14, 0), None, id="closure-start-exclusive"),
        pytest.param(YEAR_END, paris(2026, 12, 24, 14, 0), False, "closure",
                     None, paris(2026, 12, 28, 8, 30), id="closure-starts-mid-range"),
        pytest.param(YEAR_END, paris(2026, 12, 24, 23, 59), False, "closure",
                     None, paris(2026, 12, 28, 8, 30), id="closure-before-midnight"),
        pytest.param(YEAR_END, paris(2026, 12, 25, 0, 0), False, "closure",
                     None, paris(2026, 12, 28, 8, 30), id="closure-over-holiday-wins"),
        pytest.param(YEAR_END_SAT, paris(2026, 12, 26, 8, 29), False, "closure",
                     None, paris(2026, 12, 26, 8, 30), id="closure-ends-at-opening"),
        pytest.param(YEAR_END_SAT, paris(2026, 12, 26, 8, 30), True, "weekly-hours",
                     paris(2026, 12, 26, 18, 30), None, id="closure-end-exclusive"),
        pytest.param(TEAM_MEETING, paris(2026, 6, 10, 9, 0), False, "closure",
                     None, paris(2026, 6, 10, 10, 0), id="closure-ending-mid-range"),
        pytest.param(TRAINING_AFTERNOON, paris(2026, 6, 10, 10, 0), True, "weekly-hours",
                     paris(2026, 6, 10, 12, 30), None, id="closure-in-later-range-ignored"),
        pytest.param(TRAINING_AFTERNOON, paris(2026, 6, 10, 14, 0), True, "weekly-hours",
                     paris(2026, 6, 10, 15, 0), None, id="closure-in-current-range"),
        pytest.param(TRAINING_AFTERNOON, paris(2026, 6, 10, 16, 0), False, "closure",
                     None, paris(2026, 6, 11, 9, 0), id="closure-ends-next-morning"),
        pytest.param(NEVER_OPEN, paris(2026, 6, 10, 16, 0), False, "outside-hours",
                     None, None, id="no-reopening-within-horizon"),
    ],
)  # fmt: skip
def test_opening_at(
    cal: Calendar,
    at: datetime,
    is_open: bool,
    code: str,
    closes_at: datetime | None,
    reopens_at: datetime | None,
) -> None:
    opening = opening_at(at, cal)

    assert opening.is_open is is_open
    assert opening.reason.code == code
    assert in_utc(opening.closes_at) == in_utc(closes_at)
    assert in_utc(opening.reopens_at) == in_utc(reopens_at)
    for moment in (opening.closes_at, opening.reopens_at):
        assert moment is None or moment.tzinfo is cal.timezone


@pytest.mark.parametrize(
    ("cal", "at", "is_open", "closes_at", "reopens_at"),
    [
        # Spring forward, Sunday 29 March 2026: 02:00 CET becomes 03:00 CEST.
        pytest.param(WEEKDAYS, paris(2026, 3, 27, 19, 0), False, None,
                     utc(2026, 3, 30, 6, 30), id="friday-before-spring-reopens-in-summer-time"),
        pytest.param(WEEKDAYS, paris(2026, 3, 29, 1, 30), False, None,
                     utc(2026, 3, 30, 6, 30), id="spring-01:30-cet-reopens-monday"),
        pytest.param(WEEKDAYS, paris(2026, 3, 29, 3, 30), False, None,
                     utc(2026, 3, 30, 6, 30), id="spring-03:30-cest-reopens-monday"),
        pytest.param(SUNDAY_NIGHT, paris(2026, 3, 29, 1, 30), True,
                     utc(2026, 3, 29, 2, 0), None, id="spring-hours-spanning-change-01:30"),
        pytest.param(SUNDAY_NIGHT, paris(2026, 3, 29, 3, 30), True,
                     utc(2026, 3, 29, 2, 0), None, id="spring-hours-spanning-change-03:30"),
        pytest.param(SUNDAY_NIGHT, paris(2026, 3, 29, 0, 59), False, None,
                     utc(2026, 3, 29, 0, 0), id="spring-opens-01:00-cet"),
        pytest.param(SUNDAY_NIGHT, paris(2026, 3, 29, 4, 0), False, None,
                     utc(2026, 4, 4, 23, 0), id="spring-closed-04:00-reopens-next-sunday-cest"),
        pytest.param(SUNDAY_NIGHT, paris(2026, 3, 28, 12, 0), False, None,
                     utc(2026, 3, 29, 0, 0), id="saturday-before-spring-reopens-sunday-cet"),
        # Wall-clock hours: a start or end the clocks skip happens when they jump (03:00).
        pytest.param(STARTS_IN_GAP, paris(2026, 3, 29, 1, 45), False, None,
                     utc(2026, 3, 29, 1, 0), id="start-in-spring-gap-not-open-before-it"),
        pytest.param(STARTS_IN_GAP, paris(2026, 3, 29, 3, 0), True,
                     utc(2026, 3, 29, 3, 0), None, id="start-in-spring-gap-open-from-03:00"),
        pytest.param(ENDS_IN_GAP, paris(2026, 3, 29, 1, 59), True,
                     utc(2026, 3, 29, 1, 0), None, id="end-in-spring-gap-closes-at-jump"),
        # Fall back, Sunday 25 October 2026: 03:00 CEST becomes 02:00 CET.
        pytest.param(WEEKDAYS, paris(2026, 10, 24, 12, 0), False, None,
                     utc(2026, 10, 26, 7, 30), id="saturday-before-fall-reopens-in-winter-time"),
        pytest.param(WEEKDAYS, paris(2026, 10, 25, 1, 30), False, None,
                     utc(2026, 10, 26, 7, 30), id="fall-01:30-cest-reopens-monday"),
        pytest.param(WEEKDAYS, paris(2026, 10, 25, 3, 30), False, None,
                     utc(2026, 10, 26, 7, 30), id="fall-03:30-cet-reopens-monday"),
        pytest.param(SUNDAY_NIGHT, paris(2026, 10, 25, 1, 30), True,
                     utc(2026, 10, 25, 3, 0), None, id="fall-hours-spanning-change-01:30"),
        pytest.param(SUNDAY_NIGHT, paris(2026, 10, 25, 2, 30), True,
                     utc(2026, 10, 25, 3, 0), None, id="fall-02:30-first-time"),
        pytest.param(SUNDAY_NIGHT, paris(2026, 10, 25, 2, 30, fold=1), True,
                     utc(2026, 10, 25, 3, 0), None, id="fall-02:30-second-time"),
        pytest.param(SUNDAY_NIGHT, paris(2026, 10, 25, 3, 30), True,
                     utc(2026, 10, 25, 3, 0), None, id="fall-hours-spanning-change-03:30"),
        pytest.param(SUNDAY_NIGHT, paris(2026, 10, 25, 0, 59), False, None,
                     utc(2026, 10, 24, 23, 0), id="fall-opens-01:00-cest"),
        pytest.param(SUNDAY_NIGHT, paris(2026, 10, 25, 4, 0), False, None,
                     utc(2026, 11, 8, 0, 0), id="fall-closed-04:00-toussaint-sunday-skipped"),
    ],
)  # fmt: skip
def test_opening_at_across_dst(
    cal: Calendar,
    at: datetime,
    is_open: bool,
    closes_at: datetime | None,
    reopens_at: datetime | None,
) -> None:
    opening = opening_at(at, cal)

    assert opening.is_open is is_open
    assert in_utc(opening.closes_at) == closes_at
    assert in_utc(opening.reopens_at) == reopens_at


@pytest.mark.parametrize(
    ("cal", "at", "is_open", "code", "reopens_at"),
    [
        pytest.param(CAYENNE_973, utc(2026, 6, 10, 12, 0), False, "public-holiday",
                     utc(2026, 6, 11, 11, 0), id="cayenne-10-june-holiday"),
        pytest.param(CAYENNE_MAINLAND, utc(2026, 6, 10, 12, 0), True, "weekly-hours",
                     None, id="cayenne-10-june-without-subdivision-open"),
        # 02:00 UTC on 10 June is still 9 June, 23:00, in Cayenne: not the holiday yet.
        pytest.param(CAYENNE_973, utc(2026, 6, 10, 2, 0), False, "outside-hours",
                     utc(2026, 6, 11, 11, 0), id="cayenne-eve-by-local-date"),
        pytest.param(CAYENNE_973, utc(2026, 6, 9, 19, 59), True, "weekly-hours",
                     None, id="cayenne-16:59-local-open"),
        pytest.param(CAYENNE_973, utc(2026, 6, 9, 20, 0), False, "outside-hours",
                     utc(2026, 6, 11, 11, 0), id="cayenne-17:00-local-closed"),
        pytest.param(REUNION_974, utc(2026, 12, 20, 6, 0), False, "public-holiday",
                     utc(2026, 12, 21, 4, 0), id="reunion-20-december-abolition-day"),
        pytest.param(REUNION_MAINLAND, utc(2026, 12, 20, 6, 0), True, "weekly-hours",
                     None, id="reunion-20-december-without-subdivision-open"),
        pytest.param(REUNION_974, utc(2026, 12, 19, 13, 0), False, "outside-hours",
                     utc(2026, 12, 21, 4, 0), id="reunion-17:00-local-reopens-after-holiday"),
    ],
)  # fmt: skip
def test_opening_at_overseas(
    cal: Calendar, at: datetime, is_open: bool, code: str, reopens_at: datetime | None
) -> None:
    opening = opening_at(at, cal)

    assert opening.is_open is is_open
    assert opening.reason.code == code
    assert in_utc(opening.reopens_at) == reopens_at


@pytest.mark.parametrize(
    ("cal", "at", "text"),
    [
        pytest.param(WEEKDAYS, paris(2026, 5, 19, 10, 0), "ouvert : mardi 08:30–18:30",
                     id="open"),
        pytest.param(WEEKDAYS, paris(2026, 5, 19, 19, 0), "fermé : hors horaires",
                     id="outside-hours"),
        pytest.param(WEEKDAYS, paris(2026, 5, 14, 10, 0), "fermé : Ascension", id="ascension"),
        pytest.param(MOSELLE, paris(2026, 4, 3, 10, 0), "fermé : Vendredi saint",
                     id="good-friday"),
        pytest.param(CAYENNE_973, utc(2026, 6, 10, 12, 0), "fermé : Abolition de l'esclavage",
                     id="abolition-day"),
        pytest.param(YEAR_END, paris(2026, 12, 24, 15, 0),
                     "fermé : fermeture de fin d'année jusqu'au 26/12/2026 08:30",
                     id="closure-with-its-reason-and-end"),
    ],
)  # fmt: skip
def test_opening_reason_text(cal: Calendar, at: datetime, text: str) -> None:
    assert opening_at(at, cal).reason.text == text


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        pytest.param("FR", None, id="mainland"),
        pytest.param("FR-46", None, id="lot-is-mainland"),
        pytest.param("FR-2A", None, id="corse-du-sud-is-mainland"),
        pytest.param(" fr-46 ", None, id="case-and-spaces-ignored"),
        pytest.param("FR-57", "57", id="moselle"),
        pytest.param("FR-67", "6AE", id="bas-rhin"),
        pytest.param("FR-68", "6AE", id="haut-rhin"),
        pytest.param("FR-973", "973", id="guyane"),
        pytest.param("FR-974", "974", id="reunion"),
        pytest.param("FR-975", "PM", id="saint-pierre-et-miquelon"),
        pytest.param("FR-977", "BL", id="saint-barthelemy"),
        pytest.param("FR-978", "MF", id="saint-martin"),
    ],
)
def test_holidays_subdivision(code: str, expected: str | None) -> None:
    assert holidays_subdivision(code) == expected


@pytest.mark.parametrize(
    "code",
    [
        pytest.param("FR-99", id="no-such-departement"),
        pytest.param("FR-20", id="corsica-is-2a-or-2b"),
        pytest.param("FR-979", id="not-a-collectivity"),
        pytest.param("DE", id="another-country"),
        pytest.param("", id="empty"),
    ],
)
def test_holidays_subdivision_rejects(code: str) -> None:
    with pytest.raises(ValueError, match="FR"):
        holidays_subdivision(code)


@pytest.mark.parametrize(
    ("day", "subdivision", "name"),
    [
        pytest.param(date(2026, 5, 14), None, "Ascension", id="ascension"),
        pytest.param(date(2026, 5, 25), None, "Lundi de Pentecôte", id="whit-monday"),
        pytest.param(date(2026, 4, 3), None, None, id="good-friday-mainland"),
        pytest.param(date(2026, 4, 3), "57", "Vendredi saint", id="good-friday-57"),
        pytest.param(date(2026, 12, 26), "6AE", "Saint-Étienne", id="saint-etienne-alsace"),
        pytest.param(date(2026, 6, 10), "973", "Abolition de l'esclavage", id="guyane"),
        pytest.param(date(2026, 12, 20), "974", "Abolition de l'esclavage", id="reunion"),
        pytest.param(date(2026, 5, 19), None, None, id="ordinary-tuesday"),
    ],
)
def test_holiday_name(day: date, subdivision: str | None, name: str | None) -> None:
    assert holiday_name(day, subdivision) == name


def spans(slots: list) -> list[tuple[str, str]]:  # type: ignore[type-arg]
    return [(f"{s.starts:%a %d %H:%M}", f"{s.ends:%a %d %H:%M}") for s in slots]


@pytest.mark.parametrize(
    ("cal", "starts", "ends", "expected"),
    [
        pytest.param(
            calendar(ranges=("09:00-12:30", "13:30-17:00"), subdivision="57"),
            paris(2026, 5, 11, 0, 0), paris(2026, 5, 18, 0, 0),
            [("Mon 11 09:00", "Mon 11 12:30"), ("Mon 11 13:30", "Mon 11 17:00"),
             ("Tue 12 09:00", "Tue 12 12:30"), ("Tue 12 13:30", "Tue 12 17:00"),
             ("Wed 13 09:00", "Wed 13 12:30"), ("Wed 13 13:30", "Wed 13 17:00"),
             ("Fri 15 09:00", "Fri 15 12:30"), ("Fri 15 13:30", "Fri 15 17:00")],
            id="week-with-ascension",
        ),
        pytest.param(
            WEEKDAYS, paris(2026, 5, 11, 10, 0), paris(2026, 5, 13, 12, 0),
            [("Mon 11 10:00", "Mon 11 18:30"), ("Tue 12 08:30", "Tue 12 18:30"),
             ("Wed 13 08:30", "Wed 13 12:00")],
            id="clipped-to-both-ends",
        ),
        pytest.param(
            YEAR_END, paris(2026, 12, 21, 0, 0), paris(2026, 12, 28, 0, 0),
            [("Mon 21 08:30", "Mon 21 18:30"), ("Tue 22 08:30", "Tue 22 18:30"),
             ("Wed 23 08:30", "Wed 23 18:30"), ("Thu 24 08:30", "Thu 24 14:00")],
            id="christmas-week-with-closure",
        ),
        pytest.param(
            WEEKDAYS, paris(2026, 6, 6, 0, 0), paris(2026, 6, 8, 0, 0), [],
            id="weekend-has-none",
        ),
    ],
)  # fmt: skip
def test_open_slots(
    cal: Calendar, starts: datetime, ends: datetime, expected: list[tuple[str, str]]
) -> None:
    slots = open_slots(cal, starts, ends)

    assert spans(slots) == expected
    assert all(s.starts.tzinfo is cal.timezone and s.ends.tzinfo is cal.timezone for s in slots)


def test_open_slots_across_spring_forward_in_utc() -> None:
    slots = open_slots(WEEKDAYS, paris(2026, 3, 27, 0, 0), paris(2026, 3, 31, 0, 0))

    assert [(s.starts.astimezone(UTC), s.ends.astimezone(UTC)) for s in slots] == [
        (utc(2026, 3, 27, 7, 30), utc(2026, 3, 27, 17, 30)),
        (utc(2026, 3, 30, 6, 30), utc(2026, 3, 30, 16, 30)),
    ]


def test_open_slots_on_the_night_the_clocks_go_back_last_four_hours() -> None:
    (slot,) = open_slots(SUNDAY_NIGHT, paris(2026, 10, 24, 12, 0), paris(2026, 10, 26, 0, 0))

    assert slot.ends.astimezone(UTC) - slot.starts.astimezone(UTC) == (
        utc(2026, 10, 25, 3, 0) - utc(2026, 10, 24, 23, 0)
    )


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(
            lambda: opening_at(datetime(2026, 5, 19, 10, 0), WEEKDAYS),  # noqa: DTZ001
            id="opening-at",
        ),
        pytest.param(
            lambda: open_slots(WEEKDAYS, datetime(2026, 5, 19), paris(2026, 5, 20, 0, 0)),  # noqa: DTZ001
            id="open-slots-starts",
        ),
        pytest.param(
            lambda: open_slots(WEEKDAYS, paris(2026, 5, 19, 0, 0), datetime(2026, 5, 20)),  # noqa: DTZ001
            id="open-slots-ends",
        ),
    ],
)
def test_naive_datetime_is_refused(call) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="aware"):
        call()


@pytest.mark.parametrize(
    ("code", "day", "name"),
    [
        pytest.param(
            "FR-977", date(2026, 10, 9), "Abolition de l'esclavage", id="saint-barthelemy"
        ),
        pytest.param("FR-978", date(2026, 5, 28), "Abolition de l'esclavage", id="saint-martin"),
        pytest.param("FR-978", date(2026, 7, 21), "Fête de Victor Schoelcher", id="schoelcher"),
        pytest.param("FR-975", date(2026, 5, 25), "Lundi de Pentecôte", id="saint-pierre"),
        pytest.param("FR-974", date(2026, 12, 20), "Abolition de l'esclavage", id="reunion"),
    ],
)
def test_the_atlantic_collectivities_keep_their_own_days(code: str, day: date, name: str) -> None:
    assert holiday_name(day, holidays_subdivision(code)) == name


def test_an_answer_kept_for_its_span_is_the_answer_computed_afresh_at_every_instant() -> None:
    # Three weeks: the clocks going back, the 11 November, a closure starting mid-afternoon
    # and one within a morning, two ranges a day; asked in any order, every 7 minutes.
    closures = (
        Closure(starts=paris(2026, 10, 27, 15, 10), ends=paris(2026, 10, 27, 16, 0), reason="x"),
        Closure(starts=paris(2026, 10, 29, 11, 0), ends=paris(2026, 10, 29, 11, 30), reason="y"),
    )
    kept = calendar(MON_SAT, ("08:30-12:30", "13:30-18:30"), closures=closures)
    every = timedelta(minutes=7)
    instants = [utc(2026, 10, 24) + every * n for n in range(timedelta(days=21) // every)]
    random.Random(46).shuffle(instants)

    for at in instants:
        afresh = replace(kept)  # another calendar: nothing kept for it yet
        assert opening_at(at, kept) == opening_at(at, afresh), at
