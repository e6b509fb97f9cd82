"""Callback tasks: due in opening hours, owned by whoever is (or will be) on duty, escalated
when late, closed with an outcome."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from frontdoor.core.calendar import Calendar, TimeRange
from frontdoor.core.callbacks import (
    CallbackOutcome,
    CallbackTask,
    TaskStatus,
    close_task,
    closed_in_time,
    escalations,
    is_overdue,
    mark_escalated,
    new_task,
)
from frontdoor.core.department import CallbackPolicy, Department
from frontdoor.core.roster import Override, OverrideKind, Referent, Roster, Rotation, Shift

PARIS = ZoneInfo("Europe/Paris")
MON_FRI = frozenset(range(5))


def hours(text: str) -> TimeRange:
    start, end = text.split("-")
    return TimeRange(start=time.fromisoformat(start), end=time.fromisoformat(end))


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)  # type: ignore[misc]


CALENDAR = Calendar(
    timezone=PARIS, weekly={d: (hours("08:30-12:30"), hours("13:30-18:00")) for d in range(5)}
)
# Mornings: amartin and bleroy; afternoons rotate cdurand / dlambert (dlambert's weeks:
# those of 18 May, 1 June…); nobody on Wednesday
# afternoons.
ROSTER = Roster(
    shifts=(
        Shift(weekdays=MON_FRI, hours=hours("08:30-12:30"), referent_ids=("amartin", "bleroy")),
    ),
    rotations=(
        Rotation(
            weekdays=frozenset({0, 1, 3, 4}),
            hours=hours("13:30-18:00"),
            anchor=date(2026, 1, 5),
            weeks=(("cdurand",), ("dlambert",)),
        ),
    ),
    backup=("coordination",),
)


def department(roster: Roster = ROSTER, deadline: timedelta = timedelta(hours=4)) -> Department:
    ids = ("amartin", "bleroy", "cdurand", "dlambert", "coordination")
    return Department(
        slug="dac99",
        name="DAC test",
        number="+33536490099",
        calendar=CALENDAR,
        referents={i: Referent(id=i, name=i, phone="+33612000001") for i in ids},
        roster=roster,
        public_allowed=True,
        callbacks=CallbackPolicy(deadline=deadline, escalate_to_referents=("coordination",)),
    )


SICK_MONDAY = ROSTER.with_overrides(
    [
        Override(
            starts=paris(2026, 5, 18, 0, 0),
            ends=paris(2026, 5, 19, 0, 0),
            kind=OverrideKind.REMOVE,
            referent_id=who,
            reason="formation",
        )
        for who in ("amartin", "bleroy")
    ]
)


@pytest.mark.parametrize(
    ("dept", "created_at", "due_at", "assignees", "code"),
    [
        pytest.param(department(), paris(2026, 5, 15, 18, 0), paris(2026, 5, 18, 12, 30),
                     ("amartin", "bleroy"), "callback-assigned-next-duty",
                     id="friday-evening-due-monday-to-monday-morning-team"),
        pytest.param(department(), paris(2026, 5, 12, 10, 0), paris(2026, 5, 12, 15, 0),
                     ("amartin", "bleroy"), "callback-assigned-on-duty",
                     id="in-hours-to-those-on-duty"),
        pytest.param(department(), paris(2026, 5, 12, 15, 0), paris(2026, 5, 13, 9, 30),
                     ("cdurand",), "callback-assigned-on-duty",
                     id="afternoon-to-this-weeks-rotation"),
        pytest.param(department(), paris(2026, 5, 13, 14, 0), paris(2026, 5, 13, 18, 0),
                     ("amartin", "bleroy"), "callback-assigned-next-duty",
                     id="nobody-on-duty-to-the-next-team"),
        pytest.param(department(), paris(2026, 5, 12, 12, 45), paris(2026, 5, 12, 17, 30),
                     ("cdurand",), "callback-assigned-next-duty",
                     id="lunch-break-to-the-afternoon"),
        pytest.param(department(SICK_MONDAY), paris(2026, 5, 15, 18, 0),
                     paris(2026, 5, 18, 12, 30), ("dlambert",), "callback-assigned-next-duty",
                     id="next-opening-with-nobody-to-the-first-one-on-duty"),
        pytest.param(department(Roster(backup=("coordination",))), paris(2026, 5, 15, 18, 0),
                     paris(2026, 5, 18, 12, 30), ("coordination",), "callback-assigned-backup",
                     id="nobody-for-14-days-to-the-backup-list"),
        pytest.param(department(Roster()), paris(2026, 5, 15, 18, 0),
                     paris(2026, 5, 18, 12, 30), (), "callback-unassigned",
                     id="no-backup-left-for-the-coordinator"),
        pytest.param(department(deadline=timedelta(hours=8, minutes=30)),
                     paris(2026, 5, 22, 18, 0), paris(2026, 5, 26, 18, 0),
                     ("amartin", "bleroy"), "callback-assigned-next-duty",
                     id="whit-monday-skipped-one-day-deadline"),
    ],
)  # fmt: skip
def test_new_task_deadline_and_assignees(
    dept: Department,
    created_at: datetime,
    due_at: datetime,
    assignees: tuple[str, ...],
    code: str,
) -> None:
    task = new_task(request_id=7, department=dept, created_at=created_at)

    assert task.due_at.astimezone(UTC) == due_at.astimezone(UTC)
    assert task.assignees == assignees
    assert [r.code for r in task.reasons] == ["callback-deadline", code]
    assert (task.status, task.outcome, task.department) == (TaskStatus.OPEN, None, "dac99")


def test_new_task_reasons_read_as_french_sentences() -> None:
    task = new_task(request_id=7, department=department(), created_at=paris(2026, 5, 15, 18, 0))

    assert [r.text for r in task.reasons] == [
        "à rappeler avant le lundi 18/05 à 12:30 (4 h d'ouverture, comptées à partir de la "
        "réouverture)",
        "fermé : hors horaires ; attribué à la permanence du lundi 18/05 à 08:30 : amartin, bleroy",
    ]


FRIDAY_TASK = new_task(request_id=7, department=department(), created_at=paris(2026, 5, 15, 18, 0))


@pytest.mark.parametrize(
    ("task", "now", "overdue"),
    [
        pytest.param(FRIDAY_TASK, paris(2026, 5, 18, 12, 29), False, id="before-deadline"),
        pytest.param(FRIDAY_TASK, paris(2026, 5, 18, 12, 30), False, id="at-deadline-on-time"),
        pytest.param(FRIDAY_TASK, paris(2026, 5, 18, 12, 31), True, id="after-deadline"),
        pytest.param(
            close_task(FRIDAY_TASK, outcome=CallbackOutcome.REACHED,
                       at=paris(2026, 5, 18, 9, 0), by="amartin"),
            paris(2026, 5, 19, 9, 0), False, id="closed-is-never-overdue",
        ),
    ],
)  # fmt: skip
def test_is_overdue(task: CallbackTask, now: datetime, overdue: bool) -> None:
    assert is_overdue(task, now) is overdue


def test_escalations_list_late_open_tasks_oldest_deadline_first_and_only_once() -> None:
    early = replace(FRIDAY_TASK, request_id=1, due_at=paris(2026, 5, 18, 9, 0))
    late = replace(FRIDAY_TASK, request_id=2)
    done = close_task(
        replace(FRIDAY_TASK, request_id=3),
        outcome=CallbackOutcome.NO_ANSWER,
        at=paris(2026, 5, 18, 13, 0),
        by="bleroy",
    )
    not_yet = replace(FRIDAY_TASK, request_id=4, due_at=paris(2026, 5, 19, 9, 0))
    now = paris(2026, 5, 18, 14, 45)

    first = escalations([late, done, not_yet, early], now)

    assert [(task.request_id, reason.code) for task, reason in first] == [
        (1, "callback-overdue"),
        (2, "callback-overdue"),
    ]
    assert first[1][1].text == (
        "rappel de la sollicitation n° 2 en retard de 2 h 15 (échéance le lundi 18/05 à 12:30) ; "
        "attribué à : amartin, bleroy"
    )
    told = [mark_escalated(task, now) for task, _ in first]
    assert escalations([*told, done, not_yet], now) == []


def test_an_unassigned_task_escalates_naming_nobody() -> None:
    task = replace(FRIDAY_TASK, assignees=())

    ((_, reason),) = escalations([task], paris(2026, 5, 20, 12, 30))

    assert reason.text.endswith(
        "en retard de 2 j (échéance le lundi 18/05 à 12:30) ; attribué à : personne"
    )


@pytest.mark.parametrize("outcome", list(CallbackOutcome), ids=str)
def test_close_task_records_outcome_time_and_referent(outcome: CallbackOutcome) -> None:
    at = paris(2026, 5, 18, 11, 0)

    closed = close_task(FRIDAY_TASK, outcome=outcome, at=at, by="bleroy")

    assert (closed.status, closed.outcome, closed.closed_at, closed.closed_by) == (
        TaskStatus.DONE, outcome, at, "bleroy",
    )  # fmt: skip
    assert FRIDAY_TASK.status is TaskStatus.OPEN


def test_a_closed_task_cannot_be_closed_again() -> None:
    closed = close_task(
        FRIDAY_TASK, outcome=CallbackOutcome.REACHED, at=paris(2026, 5, 18, 9, 0), by="amartin"
    )

    with pytest.raises(ValueError, match="already closed"):
        close_task(closed, outcome=CallbackOutcome.NOT_NEEDED, at=paris(2026, 5, 18, 9, 5), by="x")


@pytest.mark.parametrize(
    ("closed_at", "in_time"),
    [
        pytest.param(None, None, id="still-open"),
        pytest.param(paris(2026, 5, 18, 12, 30), True, id="closed-at-the-deadline"),
        pytest.param(paris(2026, 5, 18, 12, 31), False, id="closed-late"),
    ],
)
def test_closed_in_time_for_the_indicator(closed_at: datetime | None, in_time: bool | None) -> None:
    task = FRIDAY_TASK
    if closed_at is not None:
        task = close_task(task, outcome=CallbackOutcome.REACHED, at=closed_at, by="amartin")

    assert closed_in_time(task) is in_time
