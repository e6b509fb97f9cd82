"""Deadlines counted in opening hours: nights, weekends, lunch, holidays and closures skipped.

The main table uses Mon–Fri 08:30–12:30 / 13:30–18:00, the hours under which the issue's
example holds: a message left on Friday at 18:00 with 4 opening hours is due Monday 12:30
(08:30 + 4 h, the morning exactly). Expected instants are compared in UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from frontdoor.core.calendar import Calendar, Closure, TimeRange
from frontdoor.core.deadlines import deadline_after, format_budget, opening_time_between

PARIS = ZoneInfo("Europe/Paris")
CAYENNE = ZoneInfo("America/Cayenne")
H4 = timedelta(hours=4)


def hours(text: str) -> TimeRange:
    start, end = text.split("-")
    return TimeRange(start=time.fromisoformat(start), end=time.fromisoformat(end))


def calendar(
    days: range | tuple[int, ...] = range(5),
    ranges: tuple[str, ...] = ("08:30-12:30", "13:30-18:00"),
    *,
    timezone: ZoneInfo = PARIS,
    closures: tuple[Closure, ...] = (),
) -> Calendar:
    return Calendar(
        timezone=timezone,
        weekly={day: tuple(hours(r) for r in ranges) for day in days},
        closures=closures,
    )


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)  # type: ignore[misc]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


LUNCH = calendar()
CLOSED_THURSDAY = calendar(
    closures=(
        Closure(starts=paris(2026, 6, 4, 0, 0), ends=paris(2026, 6, 5, 0, 0), reason="séminaire"),
    )
)
CLOSED_THURSDAY_AFTERNOON = calendar(
    closures=(Closure(starts=paris(2026, 6, 4, 14, 0), ends=paris(2026, 6, 4, 16, 0)),)
)
# Open on Sunday nights across the hour the clocks change (01:00–04:00 local).
SUNDAY_NIGHT = calendar((6,), ("01:00-04:00",))
GUYANE = calendar(ranges=("08:00-12:00", "14:00-17:00"), timezone=CAYENNE)


@pytest.mark.parametrize(
    ("cal", "start", "budget", "due"),
    [
        pytest.param(LUNCH, paris(2026, 5, 15, 18, 0), H4, paris(2026, 5, 18, 12, 30),
                     id="friday-1800-is-due-monday-1230"),
        pytest.param(LUNCH, paris(2026, 5, 22, 18, 0), H4, paris(2026, 5, 26, 12, 30),
                     id="whit-monday-skipped-due-tuesday-1230"),
        pytest.param(LUNCH, paris(2026, 5, 16, 11, 0), H4, paris(2026, 5, 18, 12, 30),
                     id="saturday-counts-from-monday-opening"),
        pytest.param(LUNCH, paris(2026, 5, 18, 10, 0), H4, paris(2026, 5, 18, 15, 0),
                     id="inside-hours-lunch-break-skipped"),
        pytest.param(LUNCH, paris(2026, 5, 18, 12, 0), timedelta(hours=1),
                     paris(2026, 5, 18, 14, 0), id="runs-into-lunch"),
        pytest.param(LUNCH, paris(2026, 5, 18, 12, 45), timedelta(minutes=30),
                     paris(2026, 5, 18, 14, 0), id="during-lunch-counts-from-1330"),
        pytest.param(LUNCH, paris(2026, 5, 18, 16, 0), H4, paris(2026, 5, 19, 10, 30),
                     id="carried-over-the-night"),
        pytest.param(LUNCH, paris(2026, 5, 18, 8, 30), timedelta(hours=4),
                     paris(2026, 5, 18, 12, 30), id="ends-exactly-at-closing-not-next-opening"),
        pytest.param(LUNCH, paris(2026, 5, 18, 10, 0), timedelta(0), paris(2026, 5, 18, 10, 0),
                     id="zero-budget-in-hours-is-now"),
        pytest.param(LUNCH, paris(2026, 5, 15, 18, 0), timedelta(0), paris(2026, 5, 18, 8, 30),
                     id="zero-budget-out-of-hours-is-next-opening"),
        pytest.param(LUNCH, paris(2026, 5, 18, 10, 0), timedelta(hours=8, minutes=30),
                     paris(2026, 5, 19, 10, 0), id="one-whole-opening-day"),
        pytest.param(LUNCH, paris(2026, 5, 13, 17, 0), timedelta(hours=2),
                     paris(2026, 5, 15, 9, 30), id="ascension-thursday-skipped"),
        pytest.param(CLOSED_THURSDAY, paris(2026, 6, 3, 17, 0), timedelta(hours=2),
                     paris(2026, 6, 5, 9, 30), id="closure-day-skipped"),
        pytest.param(CLOSED_THURSDAY_AFTERNOON, paris(2026, 6, 4, 13, 30), timedelta(hours=1),
                     paris(2026, 6, 4, 16, 30), id="closure-within-a-range"),
        pytest.param(CLOSED_THURSDAY_AFTERNOON, paris(2026, 6, 4, 14, 30), timedelta(0),
                     paris(2026, 6, 4, 16, 0), id="zero-budget-during-closure"),
        pytest.param(SUNDAY_NIGHT, paris(2026, 3, 28, 12, 0), timedelta(hours=2),
                     utc(2026, 3, 29, 2, 0), id="spring-forward-night-has-two-hours"),
        pytest.param(SUNDAY_NIGHT, paris(2026, 10, 24, 12, 0), timedelta(hours=3),
                     utc(2026, 10, 25, 2, 0), id="fall-back-night-counts-real-hours"),
        pytest.param(LUNCH, paris(2026, 3, 27, 17, 0), H4, utc(2026, 3, 30, 9, 30),
                     id="weekend-of-spring-forward"),
        pytest.param(GUYANE, datetime(2026, 5, 15, 17, 0, tzinfo=CAYENNE), H4,
                     datetime(2026, 5, 18, 12, 0, tzinfo=CAYENNE), id="cayenne-time-zone"),
    ],
)  # fmt: skip
def test_deadline_after(cal: Calendar, start: datetime, budget: timedelta, due: datetime) -> None:
    deadline = deadline_after(start, budget, cal)

    assert deadline.astimezone(UTC) == due.astimezone(UTC)
    assert deadline.tzinfo is cal.timezone


@pytest.mark.parametrize(
    ("start", "budget"),
    [
        pytest.param(paris(2026, 5, 15, 18, 0), H4, id="friday-evening"),
        pytest.param(paris(2026, 5, 18, 12, 0), timedelta(hours=13), id="over-two-days"),
        pytest.param(paris(2026, 5, 22, 11, 0), timedelta(hours=10), id="over-whit-monday"),
    ],
)
def test_the_opening_time_until_the_deadline_is_the_budget(
    start: datetime, budget: timedelta
) -> None:
    assert opening_time_between(start, deadline_after(start, budget, LUNCH), LUNCH) == budget


def test_a_negative_budget_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        deadline_after(paris(2026, 5, 18, 10, 0), timedelta(hours=-1), LUNCH)


def test_a_line_that_never_opens_has_no_deadline() -> None:
    with pytest.raises(ValueError, match="not open"):
        deadline_after(paris(2026, 5, 18, 10, 0), H4, calendar(days=()))


def test_a_naive_start_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        deadline_after(datetime(2026, 5, 18, 10, 0), H4, LUNCH)  # noqa: DTZ001


@pytest.mark.parametrize(
    ("budget", "text"),
    [
        pytest.param(timedelta(hours=4), "4 h", id="hours"),
        pytest.param(timedelta(hours=1, minutes=30), "1 h 30", id="hours-and-minutes"),
        pytest.param(timedelta(minutes=45), "45 min", id="minutes"),
    ],
)
def test_format_budget(budget: timedelta, text: str) -> None:
    assert format_budget(budget) == text
