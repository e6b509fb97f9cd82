"""The notice budget as tables: what becomes of a notice to one referent, given what they were
sent lately, with the time passed in."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from frontdoor.core.notice_budget import (
    NOTICES,
    Budget,
    Policy,
    Topic,
    Verdict,
    consider,
    room_at,
    summary_due,
    summary_text,
)

PARIS = ZoneInfo("Europe/Paris")
T0 = datetime(2026, 5, 12, 14, 5, tzinfo=PARIS)
POLICY = Policy(limit=3, window=timedelta(hours=1))


def minutes(*offsets: float) -> tuple[datetime, ...]:
    return tuple(T0 + timedelta(minutes=m) for m in offsets)


def after(*offsets: float, policy: Policy = POLICY) -> tuple[Budget, list[Verdict]]:
    """A referent's budget after notices at these minutes past T0, and what each became."""
    budget, verdicts = Budget(), []
    for at in minutes(*offsets):
        choice = consider(budget, at=at, policy=policy)
        budget = choice.budget
        verdicts.append(choice.verdict)
    return budget, verdicts


SEND, SUMMARY, HOLD = Verdict.SEND, Verdict.SUMMARY, Verdict.HOLD

# (id, notices at these minutes past T0, what each became)
FLOWS = [
    ("a first notice goes", (0,), [SEND]),
    ("up to the limit they go", (0, 1, 2), [SEND, SEND, SEND]),
    ("past it they are held", (0, 1, 2, 3, 4), [SEND, SEND, SEND, HOLD, HOLD]),
    (
        "room again: the next one is the summary",
        (0, 1, 2, 3, 4, 61),
        [SEND] * 3 + [HOLD] * 2 + [SUMMARY],
    ),  # fmt: skip
    (
        "after the summary, one at a time again",
        (0, 1, 2, 3, 61, 62),
        [SEND] * 3 + [HOLD, SUMMARY, SEND],
    ),  # fmt: skip
    ("the window slides: spread over the hour, none held", (0, 30, 59, 61, 91), [SEND] * 5),
    ("exactly an hour after the first, it has left the window", (0, 1, 2, 60), [SEND] * 4),
    ("a second short of it, not yet", (0, 1, 2, 59.99), [SEND] * 3 + [HOLD]),
]


@pytest.mark.parametrize(("offsets", "verdicts"), [f[1:] for f in FLOWS], ids=[f[0] for f in FLOWS])
def test_what_becomes_of_each_notice(offsets: tuple[float, ...], verdicts: list[Verdict]) -> None:
    _, got = after(*offsets)

    assert got == verdicts


def test_a_summary_tells_how_many_were_held_with_itself_and_since_the_first_held() -> None:
    budget, _ = after(0, 1, 2, 10, 20, 30)

    choice = consider(budget, at=T0 + timedelta(minutes=61), policy=POLICY)

    assert (choice.verdict, choice.count, choice.since) == (SUMMARY, 4, T0 + timedelta(minutes=10))
    assert choice.budget == Budget(sent=minutes(2, 61))  # the one at 1 has left the hour


# (id, notices at these minutes, asked at this minute, (count, since minute) or None)
DUE = [
    ("nothing held: no summary", (0, 1), 2, None),
    ("held, the window full: not yet", (0, 1, 2, 5, 6), 30, None),
    ("held, room again: the summary of all held", (0, 1, 2, 5, 6), 60, (2, 5)),
]


@pytest.mark.parametrize(("offsets", "asked", "due"), [d[1:] for d in DUE], ids=[d[0] for d in DUE])
def test_the_summary_is_due_once_the_window_has_room(
    offsets: tuple[float, ...], asked: float, due: tuple[int, float] | None
) -> None:
    budget, _ = after(*offsets)

    choice = summary_due(budget, at=T0 + timedelta(minutes=asked), policy=POLICY)

    if due is None:
        assert choice is None
    else:
        assert choice is not None
        assert (choice.verdict, choice.count, choice.since) == (
            SUMMARY, due[0], T0 + timedelta(minutes=due[1])
        )  # fmt: skip
        assert choice.budget.held == 0
        assert summary_due(choice.budget, at=choice.budget.sent[-1], policy=POLICY) is None


def test_a_flood_of_hours_gets_no_more_than_the_limit_in_any_window() -> None:
    # A notice every 20 seconds for five hours, the summary job every minute between them.
    budget, delivered = Budget(), []
    for second in range(0, 5 * 3600, 20):
        at = T0 + timedelta(seconds=second)
        if second % 60 == 10 and (due := summary_due(budget, at=at, policy=NOTICES)):
            budget = due.budget
            delivered.append(at)
        choice = consider(budget, at=at, policy=NOTICES)
        budget = choice.budget
        if choice.verdict is not HOLD:
            delivered.append(at)

    assert len(delivered) <= 5 * NOTICES.limit + 1
    for index, at in enumerate(delivered):
        within = [t for t in delivered[index:] if t < at + NOTICES.window]
        assert len(within) <= NOTICES.limit


def test_room_comes_when_the_oldest_notice_of_a_full_window_leaves_it() -> None:
    full, _ = after(0, 10, 20)
    partly, _ = after(0, 10)

    assert room_at(full, policy=POLICY) == T0 + timedelta(hours=1)
    assert room_at(partly, policy=POLICY) is None


def test_a_replayed_notice_stamped_earlier_still_counts_those_sent_since() -> None:
    budget, _ = after(0, 1, 2)

    choice = consider(budget, at=T0 - timedelta(minutes=30), policy=POLICY)

    assert choice.verdict is HOLD


def test_times_must_be_aware() -> None:
    with pytest.raises(ValueError, match="aware"):
        consider(Budget(), at=datetime(2026, 5, 12, 14, 5), policy=POLICY)  # noqa: DTZ001


# (id, count, since, at, text)
TEXTS = [
    ("many, the same day", 37, T0, T0 + timedelta(hours=1),
     "DAC du Lot : 37 nouvelles sollicitations depuis 14 h 05, trop pour les annoncer une à une. "
     "À traiter dans Frontdoor."),
    ("one", 1, T0, T0 + timedelta(hours=1),
     "DAC du Lot : 1 nouvelle sollicitation depuis 14 h 05, trop pour les annoncer une à une. "
     "À traiter dans Frontdoor."),
    ("since the day before", 8, datetime(2026, 5, 11, 23, 50, 30, tzinfo=PARIS),
     datetime(2026, 5, 12, 0, 50, tzinfo=PARIS),
     "DAC du Lot : 8 nouvelles sollicitations depuis le 11/05 à 23 h 50, trop pour les annoncer "
     "une à une. À traiter dans Frontdoor."),
]  # fmt: skip


@pytest.mark.parametrize(
    ("count", "since", "at", "text"), [t[1:] for t in TEXTS], ids=[t[0] for t in TEXTS]
)
def test_the_summary_says_how_many_and_since_when_in_the_departments_time(
    count: int, since: datetime, at: datetime, text: str
) -> None:
    utc = ZoneInfo("UTC")

    assert summary_text("DAC du Lot", count=count, since=since.astimezone(utc),
                        at=at.astimezone(utc), timezone=PARIS) == text  # fmt: skip


def test_the_summary_of_late_callbacks_says_so() -> None:
    one = summary_text("DAC du Lot", count=1, since=T0, at=T0, timezone=PARIS,
                       topic=Topic.LATE_CALLBACKS)  # fmt: skip
    many = summary_text("DAC du Lot", count=4, since=T0, at=T0, timezone=PARIS,
                        topic=Topic.LATE_CALLBACKS)  # fmt: skip

    assert one == (
        "DAC du Lot : 1 rappel en retard depuis 14 h 05, trop pour les annoncer un à un. "
        "À traiter dans Frontdoor."
    )
    assert many.startswith("DAC du Lot : 4 rappels en retard depuis 14 h 05,")
