"""Who is on duty at an instant, and the open hours nobody covers."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from frontdoor.core.calendar import Calendar, TimeRange
from frontdoor.core.roster import Roster, Shift, duty_gaps, on_duty

PARIS = ZoneInfo("Europe/Paris")
MON_FRI = frozenset(range(5))


def hours(text: str) -> TimeRange:
    start, end = text.split("-")
    return TimeRange(start=time.fromisoformat(start), end=time.fromisoformat(end))


def shift(days: frozenset[int], text: str, *ids: str) -> Shift:
    return Shift(weekdays=days, hours=hours(text), referent_ids=ids)


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)  # type: ignore[misc]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def calendar(*ranges: str, subdivision: str | None = None) -> Calendar:
    return Calendar(
        timezone=PARIS,
        weekly={day: tuple(hours(r) for r in ranges) for day in range(5)},
        holidays_subdivision=subdivision,
    )


# Like flows/dac46.toml: two overlapping teams sharing bleroy.
LOT = Roster(
    shifts=(
        shift(MON_FRI, "08:30-13:30", "amartin", "bleroy"),
        shift(MON_FRI, "13:30-18:30", "cdurand", "bleroy"),
    ),
    backup=("coordination",),
)
# Like flows/dac57.toml: nobody on Wednesday afternoon.
MOSELLE = Roster(
    shifts=(
        shift(MON_FRI, "09:00-12:30", "dweber", "eschmitt"),
        shift(frozenset({0, 1, 3, 4}), "13:30-17:00", "eschmitt"),
    ),
)
MOSELLE_CALENDAR = calendar("09:00-12:30", "13:30-17:00", subdivision="57")
OVERLAP = Roster(
    shifts=(
        shift(MON_FRI, "08:30-14:00", "amartin", "bleroy"),
        shift(MON_FRI, "12:00-18:30", "bleroy", "cdurand", "amartin"),
        shift(frozenset({1}), "10:00-11:00", "dlambert", "amartin"),
    ),
)


@pytest.mark.parametrize(
    ("roster", "at", "ids"),
    [
        pytest.param(LOT, paris(2026, 5, 18, 8, 29, 59), (), id="before-first-shift"),
        pytest.param(LOT, paris(2026, 5, 18, 8, 30), ("amartin", "bleroy"), id="shift-start"),
        pytest.param(LOT, paris(2026, 5, 18, 13, 29, 59), ("amartin", "bleroy"),
                     id="just-before-handover"),
        pytest.param(LOT, paris(2026, 5, 18, 13, 30), ("cdurand", "bleroy"),
                     id="handover-end-exclusive"),
        pytest.param(LOT, paris(2026, 5, 18, 18, 29), ("cdurand", "bleroy"), id="last-minute"),
        pytest.param(LOT, paris(2026, 5, 18, 18, 30), (), id="after-last-shift"),
        pytest.param(LOT, paris(2026, 5, 23, 10, 0), (), id="saturday"),
        pytest.param(LOT, utc(2026, 5, 18, 6, 30), ("amartin", "bleroy"),
                     id="utc-instant-read-in-local-time"),
        pytest.param(LOT, utc(2026, 3, 30, 6, 30), ("amartin", "bleroy"),
                     id="first-monday-of-summer-time"),
        pytest.param(MOSELLE, paris(2026, 5, 20, 14, 0), (), id="moselle-wednesday-afternoon"),
        pytest.param(MOSELLE, paris(2026, 5, 21, 14, 0), ("eschmitt",),
                     id="moselle-thursday-afternoon"),
        pytest.param(OVERLAP, paris(2026, 5, 18, 12, 30), ("amartin", "bleroy", "cdurand"),
                     id="overlap-roster-order-no-repeats"),
        pytest.param(OVERLAP, paris(2026, 5, 19, 10, 30),
                     ("amartin", "bleroy", "dlambert"), id="three-shifts-overlap"),
        pytest.param(OVERLAP, paris(2026, 5, 18, 14, 0), ("bleroy", "cdurand", "amartin"),
                     id="order-of-the-only-shift"),
        pytest.param(Roster(), paris(2026, 5, 18, 10, 0), (), id="empty-roster"),
    ],
)  # fmt: skip
def test_on_duty(roster: Roster, at: datetime, ids: tuple[str, ...]) -> None:
    duty = on_duty(at, roster, PARIS)

    assert duty.referent_ids == ids
    assert duty.reason.code == ("on-duty" if ids else "nobody-on-duty")


def test_on_duty_reason_names_the_shifts_and_people() -> None:
    duty = on_duty(paris(2026, 5, 18, 12, 30), OVERLAP, PARIS)

    assert duty.reason.text == (
        "de permanence (lundi 08:30–14:00, lundi 12:00–18:30) : amartin, bleroy, cdurand"
    )


def test_nobody_on_duty_reason_says_when() -> None:
    duty = on_duty(paris(2026, 5, 20, 14, 5), MOSELLE, PARIS)

    assert duty.reason.text == "personne de permanence le mercredi à 14:05"


def local_spans(gaps: list) -> list[tuple[str, str]]:  # type: ignore[type-arg]
    return [(f"{g.starts:%a %d/%m %H:%M}", f"{g.ends:%H:%M}") for g in gaps]


@pytest.mark.parametrize(
    ("cal", "roster", "starts", "ends", "expected"),
    [
        pytest.param(
            MOSELLE_CALENDAR, MOSELLE, paris(2026, 5, 18, 0, 0), paris(2026, 5, 25, 0, 0),
            [("Wed 20/05 13:30", "17:00")],
            id="moselle-week-wednesday-afternoon",
        ),
        pytest.param(
            MOSELLE_CALENDAR, MOSELLE, paris(2026, 5, 20, 14, 0), paris(2026, 5, 20, 16, 0),
            [("Wed 20/05 14:00", "16:00")],
            id="clipped-to-the-window",
        ),
        pytest.param(
            calendar("08:30-18:30"), LOT, paris(2026, 5, 18, 0, 0), paris(2026, 5, 23, 0, 0),
            [], id="lot-fully-covered",
        ),
        pytest.param(
            calendar("08:30-18:30"),
            Roster(shifts=(shift(MON_FRI, "08:30-10:00", "a"), shift(MON_FRI, "12:00-18:30", "b"))),
            paris(2026, 5, 18, 0, 0), paris(2026, 5, 19, 0, 0),
            [("Mon 18/05 10:00", "12:00")],
            id="hole-between-shifts",
        ),
        pytest.param(
            calendar("08:30-18:30"),
            Roster(shifts=(shift(frozenset({0}), "08:30-10:00", "a"),
                           shift(frozenset({1}), "10:00-12:00", "b"))),
            paris(2026, 5, 18, 0, 0), paris(2026, 5, 19, 0, 0),
            [("Mon 18/05 10:00", "18:30")],
            id="pieces-cut-at-other-days-edges-are-merged",
        ),
        pytest.param(
            calendar("08:30-12:00", "14:00-18:30"), Roster(),
            paris(2026, 5, 18, 0, 0), paris(2026, 5, 19, 0, 0),
            [("Mon 18/05 08:30", "12:00"), ("Mon 18/05 14:00", "18:30")],
            id="empty-roster-every-open-slot",
        ),
    ],
)  # fmt: skip
def test_duty_gaps(
    cal: Calendar,
    roster: Roster,
    starts: datetime,
    ends: datetime,
    expected: list[tuple[str, str]],
) -> None:
    assert local_spans(duty_gaps(cal, roster, starts, ends)) == expected


@pytest.mark.parametrize(
    ("cal", "starts", "expected"),
    [
        # Clocks go forward on Sunday 29 March; Good Friday (3 April) is a Moselle holiday,
        # so that Friday is closed, not a gap.
        pytest.param(
            MOSELLE_CALENDAR, paris(2026, 3, 23, 0, 0),
            [(utc(2026, 3, 25, 12, 30), utc(2026, 3, 25, 16, 0)),  # 13:30-17:00 CET
             (utc(2026, 4, 1, 11, 30), utc(2026, 4, 1, 15, 0))],  # 13:30-17:00 CEST
            id="spring-forward-and-good-friday",
        ),
        # Clocks go back on Sunday 25 October; Wednesday 11 November (Armistice) is closed.
        pytest.param(
            MOSELLE_CALENDAR, paris(2026, 10, 19, 0, 0),
            [(utc(2026, 10, 21, 11, 30), utc(2026, 10, 21, 15, 0)),  # CEST
             (utc(2026, 10, 28, 12, 30), utc(2026, 10, 28, 16, 0))],  # CET
            id="fall-back",
        ),
        pytest.param(
            MOSELLE_CALENDAR, paris(2026, 11, 2, 0, 0),
            [(utc(2026, 11, 4, 12, 30), utc(2026, 11, 4, 16, 0))],
            id="armistice-wednesday-closed-not-a-gap",
        ),
    ],
)  # fmt: skip
def test_duty_gaps_over_14_days(
    cal: Calendar, starts: datetime, expected: list[tuple[datetime, datetime]]
) -> None:
    gaps = duty_gaps(cal, MOSELLE, starts, starts + timedelta(days=14))

    assert [(g.starts.astimezone(UTC), g.ends.astimezone(UTC)) for g in gaps] == expected
    assert all(g.starts.tzinfo is PARIS and g.ends.tzinfo is PARIS for g in gaps)
