"""Rotations and overrides: who is on duty week by week, and the one-off changes that win."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from frontdoor.core.calendar import Calendar, Closure, TimeRange
from frontdoor.core.roster import (
    NobodyOnDuty,
    Override,
    OverrideKind,
    Roster,
    Rotation,
    Shift,
    WhenNobody,
    duty_gaps,
    duty_periods,
    on_duty,
)

PARIS = ZoneInfo("Europe/Paris")
MON_FRI = frozenset(range(5))
ADD, REPLACE, REMOVE = OverrideKind.ADD, OverrideKind.REPLACE, OverrideKind.REMOVE


def hours(text: str) -> TimeRange:
    start, end = text.split("-")
    return TimeRange(start=time.fromisoformat(start), end=time.fromisoformat(end))


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)  # type: ignore[misc]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def override(
    kind: OverrideKind,
    who: str,
    starts: datetime,
    ends: datetime,
    instead_of: str | None = None,
    reason: str = "arrêt maladie",
) -> Override:
    return Override(
        starts=starts, ends=ends, kind=kind, referent_id=who, instead_of=instead_of, reason=reason
    )


# Weeks alternate amartin / bleroy / cdurand from Monday 5 January 2026, 08:30–18:00.
THREE_WEEKS = Rotation(
    weekdays=MON_FRI,
    hours=hours("08:30-18:00"),
    anchor=date(2026, 1, 5),
    weeks=(("amartin",), ("bleroy",), ("cdurand",)),
)
ROTA = Roster(rotations=(THREE_WEEKS,), backup=("coordination",))
# A weekend on-call that hands over on Friday evenings: weeks run Friday to Thursday.
FRIDAY_HANDOVER = Rotation(
    weekdays=frozenset({4, 5, 6}),
    hours=hours("18:00-23:00"),
    anchor=date(2026, 1, 2),
    weeks=(("dweber",), ("eschmitt",)),
)
MONDAY_4_MAY = paris(2026, 5, 4, 10, 0)  # 17 weeks after the anchor: week 3 of the cycle


@pytest.mark.parametrize(
    ("roster", "at", "ids"),
    [
        pytest.param(ROTA, paris(2026, 1, 5, 8, 30), ("amartin",), id="anchor-monday-week-1"),
        pytest.param(ROTA, paris(2026, 1, 9, 17, 59), ("amartin",), id="friday-same-week"),
        pytest.param(ROTA, paris(2026, 1, 12, 9, 0), ("bleroy",), id="next-monday-week-2"),
        pytest.param(ROTA, paris(2026, 1, 19, 9, 0), ("cdurand",), id="week-3"),
        pytest.param(ROTA, paris(2026, 1, 26, 9, 0), ("amartin",), id="week-4-is-week-1-again"),
        pytest.param(ROTA, paris(2025, 12, 29, 9, 0), ("cdurand",),
                     id="week-before-anchor-cycles-backwards"),
        pytest.param(ROTA, MONDAY_4_MAY, ("cdurand",), id="months-later"),
        pytest.param(ROTA, paris(2026, 1, 5, 18, 0), (), id="end-of-hours-exclusive"),
        pytest.param(ROTA, paris(2026, 1, 10, 9, 0), (), id="saturday-not-in-pattern"),
        pytest.param(ROTA, utc(2026, 3, 30, 6, 30), ("amartin",),
                     id="first-monday-of-summer-time"),
        pytest.param(Roster(rotations=(FRIDAY_HANDOVER,)), paris(2026, 1, 2, 19, 0), ("dweber",),
                     id="friday-anchored-week-starts-friday"),
        pytest.param(Roster(rotations=(FRIDAY_HANDOVER,)), paris(2026, 1, 4, 19, 0), ("dweber",),
                     id="same-week-through-sunday"),
        pytest.param(Roster(rotations=(FRIDAY_HANDOVER,)), paris(2026, 1, 9, 19, 0),
                     ("eschmitt",), id="hands-over-next-friday"),
    ],
)  # fmt: skip
def test_rotation_cycles_week_by_week_from_its_anchor(
    roster: Roster, at: datetime, ids: tuple[str, ...]
) -> None:
    assert on_duty(at, roster, PARIS).referent_ids == ids


def test_a_fixed_shift_is_a_rotation_of_one_week() -> None:
    shift = Shift(weekdays=MON_FRI, hours=hours("08:30-18:00"), referent_ids=("amartin", "b"))
    rotation = Rotation(
        weekdays=MON_FRI, hours=shift.hours, anchor=date(2026, 1, 5), weeks=(("amartin", "b"),)
    )
    instants = [paris(2026, 1, 5) + timedelta(hours=h) for h in range(0, 24 * 30, 5)]

    assert [on_duty(at, Roster(shifts=(shift,)), PARIS).referent_ids for at in instants] == [
        on_duty(at, Roster(rotations=(rotation,)), PARIS).referent_ids for at in instants
    ]


def test_a_rotation_needs_a_week() -> None:
    with pytest.raises(ValueError, match="at least one week"):
        Rotation(weekdays=MON_FRI, hours=hours("08:30-18:00"), anchor=date(2026, 1, 5), weeks=())


def test_rotation_reason_names_the_week() -> None:
    duty = on_duty(paris(2026, 1, 13, 9, 0), ROTA, PARIS)

    assert duty.reason.code == "on-duty"
    assert duty.reason.text == (
        "de permanence (mardi 08:30–18:00, rotation semaine 2 sur 3) : bleroy"
    )


# Monday 4 May 2026, cdurand's week; a team roster for the mixed cases.
DAY = (paris(2026, 5, 4, 0, 0), paris(2026, 5, 5, 0, 0))
MORNING = (paris(2026, 5, 4, 8, 30), paris(2026, 5, 4, 12, 0))
TEAM = Roster(
    shifts=(Shift(weekdays=MON_FRI, hours=hours("08:30-18:00"), referent_ids=("a", "b")),)
)


@pytest.mark.parametrize(
    ("roster", "overrides", "ids"),
    [
        pytest.param(ROTA, [override(REMOVE, "cdurand", *DAY)], (), id="remove-sick-day"),
        pytest.param(ROTA, [override(REPLACE, "amartin", *DAY, instead_of="cdurand")],
                     ("amartin",), id="replace-swap"),
        pytest.param(ROTA, [override(ADD, "bleroy", *DAY)], ("cdurand", "bleroy"),
                     id="add-reinforcement-after-the-rota"),
        pytest.param(ROTA, [override(ADD, "cdurand", *DAY)], ("cdurand",),
                     id="add-someone-already-on-duty"),
        pytest.param(ROTA, [override(REPLACE, "bleroy", *DAY, instead_of="amartin")],
                     ("cdurand",), id="replace-someone-not-on-duty-changes-nothing"),
        pytest.param(ROTA, [override(REMOVE, "amartin", *DAY)], ("cdurand",),
                     id="remove-someone-not-on-duty"),
        pytest.param(TEAM, [override(REPLACE, "c", *DAY, instead_of="a")], ("c", "b"),
                     id="replace-keeps-the-ring-order"),
        pytest.param(TEAM, [override(REPLACE, "b", *DAY, instead_of="a")], ("b",),
                     id="replace-by-someone-already-on-duty"),
        pytest.param(ROTA, [override(REMOVE, "cdurand", *DAY),
                            override(REPLACE, "amartin", *DAY, instead_of="cdurand")],
                     ("amartin",), id="swap-applies-before-removal-whatever-the-order"),
        pytest.param(ROTA, [override(ADD, "bleroy", *DAY), override(REMOVE, "bleroy", *DAY)],
                     ("cdurand",), id="removal-beats-addition"),
        pytest.param(ROTA, [override(REMOVE, "bleroy", *DAY), override(ADD, "bleroy", *DAY)],
                     ("cdurand",), id="removal-beats-addition-listed-first"),
        pytest.param(ROTA, [override(ADD, "bleroy", *DAY),
                            override(REPLACE, "amartin", *DAY, instead_of="bleroy")],
                     ("cdurand", "amartin"), id="replace-applies-to-an-added-referent"),
        pytest.param(ROTA, [override(REMOVE, "cdurand", *MORNING)], ("cdurand",),
                     id="override-over-before-the-instant"),
        pytest.param(Roster(), [override(ADD, "amartin", *DAY)], ("amartin",),
                     id="add-on-an-empty-roster"),
    ],
)  # fmt: skip
def test_overrides_win_over_rotations_and_shifts(
    roster: Roster, overrides: list[Override], ids: tuple[str, ...]
) -> None:
    at = paris(2026, 5, 4, 14, 0)

    assert on_duty(at, roster.with_overrides(overrides), PARIS).referent_ids == ids


@pytest.mark.parametrize(
    ("at", "ids"),
    [
        pytest.param(paris(2026, 5, 4, 9, 59, 59), ("cdurand",), id="just-before"),
        pytest.param(paris(2026, 5, 4, 10, 0), (), id="starts-inclusive"),
        pytest.param(paris(2026, 5, 4, 11, 59), (), id="inside"),
        pytest.param(paris(2026, 5, 4, 12, 0), ("cdurand",), id="ends-exclusive"),
        pytest.param(utc(2026, 5, 4, 8, 0), (), id="utc-instant"),
    ],
)
def test_override_covers_its_span_end_exclusive(at: datetime, ids: tuple[str, ...]) -> None:
    roster = ROTA.with_overrides(
        [override(REMOVE, "cdurand", paris(2026, 5, 4, 10, 0), paris(2026, 5, 4, 12, 0))]
    )

    assert on_duty(at, roster, PARIS).referent_ids == ids


@pytest.mark.parametrize(
    ("overrides", "code", "text"),
    [
        pytest.param(
            [override(REPLACE, "amartin", *DAY, instead_of="cdurand", reason="échange")],
            "on-duty",
            "de permanence (lundi 08:30–18:00, rotation semaine 3 sur 3, amartin au lieu de "
            "cdurand : échange) : amartin",
            id="swap",
        ),
        pytest.param(
            [override(REMOVE, "cdurand", *DAY)],
            "nobody-on-duty",
            "personne de permanence le lundi à 10:00 (lundi 08:30–18:00, rotation semaine 3 "
            "sur 3, cdurand indisponible : arrêt maladie)",
            id="sick-day",
        ),
        pytest.param(
            [override(ADD, "bleroy", *DAY, reason="renfort"), override(REMOVE, "amartin", *DAY)],
            "on-duty",
            "de permanence (lundi 08:30–18:00, rotation semaine 3 sur 3, bleroy en renfort : "
            "renfort) : cdurand, bleroy",
            id="only-overrides-that-change-something",
        ),
    ],
)
def test_duty_reason_says_which_override_applied(
    overrides: list[Override], code: str, text: str
) -> None:
    duty = on_duty(MONDAY_4_MAY, ROTA.with_overrides(overrides), PARIS)

    assert (duty.reason.code, duty.reason.text) == (code, text)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param({"kind": REPLACE}, "instead_of", id="replace-without-instead-of"),
        pytest.param({"kind": ADD, "instead_of": "b"}, "instead_of", id="add-with-instead-of"),
        pytest.param({"ends": paris(2026, 5, 4, 0, 0)}, "end after", id="empty-span"),
        pytest.param({"starts": datetime(2026, 5, 18)}, "aware", id="naive"),  # noqa: DTZ001
    ],
)
def test_an_ill_formed_override_is_refused(kwargs: dict[str, object], message: str) -> None:
    values: dict[str, object] = {
        "starts": DAY[0], "ends": DAY[1], "kind": REMOVE, "referent_id": "a", "reason": "x",
    }  # fmt: skip
    with pytest.raises(ValueError, match=message):
        Override(**{**values, **kwargs})  # type: ignore[arg-type]


def test_forwarding_needs_a_number_and_only_forwarding_has_one() -> None:
    assert NobodyOnDuty().action is WhenNobody.BACKUP
    with pytest.raises(ValueError, match="forward"):
        NobodyOnDuty(action=WhenNobody.FORWARD)
    with pytest.raises(ValueError, match="forward"):
        NobodyOnDuty(action=WhenNobody.MESSAGE, forward_to="+33383000054")


def lunch_calendar(*closures: Closure, subdivision: str | None = None) -> Calendar:
    return Calendar(
        timezone=PARIS,
        weekly={d: (hours("08:30-12:30"), hours("13:30-18:00")) for d in range(5)},
        holidays_subdivision=subdivision,
        closures=closures,
    )


def local_spans(gaps: list) -> list[tuple[str, str]]:  # type: ignore[type-arg]
    return [(f"{g.starts:%a %d/%m %H:%M}", f"{g.ends:%H:%M}") for g in gaps]


# Every other week, from the anchor's, is left empty: the rota says nobody that week.
WITH_EMPTY_WEEK = Roster(
    rotations=(
        Rotation(
            weekdays=MON_FRI,
            hours=hours("08:30-18:00"),
            anchor=date(2026, 1, 5),
            weeks=((), ("amartin",)),
        ),
    )
)


@pytest.mark.parametrize(
    ("cal", "roster", "starts", "days", "expected"),
    [
        pytest.param(
            lunch_calendar(), ROTA.with_overrides(
                [override(REMOVE, "cdurand", paris(2026, 5, 4, 10, 0), paris(2026, 5, 4, 15, 0))]
            ),
            paris(2026, 5, 4, 0, 0), 1,
            [("Mon 04/05 10:00", "12:30"), ("Mon 04/05 13:30", "15:00")],
            id="sick-morning-cut-at-override-edges-and-lunch",
        ),
        pytest.param(
            lunch_calendar(), ROTA.with_overrides(
                [override(REMOVE, "cdurand", *DAY),
                 override(ADD, "bleroy", paris(2026, 5, 4, 11, 0), paris(2026, 5, 4, 14, 0))]
            ),
            paris(2026, 5, 4, 0, 0), 1,
            [("Mon 04/05 08:30", "11:00"), ("Mon 04/05 14:00", "18:00")],
            id="partial-cover-of-a-sick-day",
        ),
        pytest.param(
            lunch_calendar(), WITH_EMPTY_WEEK, paris(2026, 1, 5, 0, 0), 14,
            [(f"{day} {h}", e) for day in ("Mon 05/01", "Tue 06/01", "Wed 07/01", "Thu 08/01",
                                           "Fri 09/01")
             for h, e in (("08:30", "12:30"), ("13:30", "18:00"))],
            id="empty-rotation-week-is-a-gap-every-open-slot",
        ),
        pytest.param(
            lunch_calendar(subdivision=None), WITH_EMPTY_WEEK, paris(2026, 5, 25, 0, 0), 1,
            [], id="whit-monday-closed-not-a-gap",
        ),
        pytest.param(
            lunch_calendar(Closure(starts=paris(2026, 1, 6, 0, 0), ends=paris(2026, 1, 10, 0, 0))),
            WITH_EMPTY_WEEK, paris(2026, 1, 5, 0, 0), 7,
            [("Mon 05/01 08:30", "12:30"), ("Mon 05/01 13:30", "18:00")],
            id="closure-not-a-gap",
        ),
    ],
)  # fmt: skip
def test_duty_gaps_with_rotations_and_overrides(
    cal: Calendar, roster: Roster, starts: datetime, days: int, expected: list[tuple[str, str]]
) -> None:
    assert local_spans(duty_gaps(cal, roster, starts, starts + timedelta(days=days))) == expected


@pytest.mark.parametrize(
    ("starts", "expected"),
    [
        # The week of 30 March is an empty one: clocks went forward on Sunday 29 March.
        pytest.param(
            paris(2026, 3, 23, 0, 0),
            [(utc(2026, 3, 30, 6, 30), utc(2026, 3, 30, 16, 0))],
            id="spring-forward-weekend-before-an-empty-week",
        ),
        # Clocks go back on Sunday 25 October; Monday 26 starts an empty week.
        pytest.param(
            paris(2026, 10, 19, 0, 0),
            [(utc(2026, 10, 26, 7, 30), utc(2026, 10, 26, 17, 0))],
            id="fall-back-weekend-before-an-empty-week",
        ),
    ],
)
def test_duty_gaps_across_dst_changes(
    starts: datetime, expected: list[tuple[datetime, datetime]]
) -> None:
    calendar = Calendar(timezone=PARIS, weekly={d: (hours("08:30-18:00"),) for d in range(5)})
    roster = WITH_EMPTY_WEEK.with_overrides(
        # Someone covers everything but the first day of the empty week.
        [override(ADD, "amartin", starts + timedelta(days=8), starts + timedelta(days=14))]
    )

    gaps = duty_gaps(calendar, roster, starts, starts + timedelta(days=14))

    assert [(g.starts.astimezone(UTC), g.ends.astimezone(UTC)) for g in gaps] == expected


def test_duty_periods_say_who_is_on_duty_and_hand_over_at_override_edges() -> None:
    roster = ROTA.with_overrides(
        [
            override(
                REPLACE,
                "amartin",
                paris(2026, 5, 4, 12, 0),
                paris(2026, 5, 5, 0, 0),
                instead_of="cdurand",
                reason="échange avec cdurand",
            )
        ]
    )
    periods = duty_periods(lunch_calendar(), roster, *DAY)

    assert [(f"{p.starts:%H:%M}", f"{p.ends:%H:%M}", p.duty.referent_ids) for p in periods] == [
        ("08:30", "12:00", ("cdurand",)),
        ("12:00", "12:30", ("amartin",)),
        ("13:30", "18:00", ("amartin",)),
    ]
