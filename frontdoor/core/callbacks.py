"""Callback tasks: every missed contact is owed a call back within opening hours.

Pure decisions over a frozen ``CallbackTask``: when it is due and who owns it (``new_task``),
whether it is late (``is_overdue``), what the coordinator must hear about (``escalations``),
and how it ends (``close_task``). The store keeps the tasks; the scheduler only wakes these
functions up, and they give the same answer however often they run.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from frontdoor.core.calendar import WEEKDAY_NAMES_FR, opening_at, require_aware
from frontdoor.core.deadlines import deadline_after, format_budget
from frontdoor.core.department import Department
from frontdoor.core.reasons import Reason
from frontdoor.core.roster import duty_periods, on_duty

# How far ahead the next referents on duty are looked for before the backup list gets the task.
ASSIGNMENT_HORIZON = timedelta(days=14)


class TaskStatus(StrEnum):
    OPEN = "open"
    DONE = "done"


class CallbackOutcome(StrEnum):
    REACHED = "reached"  # the person was reached
    MESSAGE_LEFT = "message_left"  # a message was left for them
    NO_ANSWER = "no_answer"  # called, no answer and no way to leave a message
    NOT_NEEDED = "not_needed"  # already handled another way, duplicate, wrong number…


OUTCOME_LABELS_FR = {
    CallbackOutcome.REACHED: "personne jointe",
    CallbackOutcome.MESSAGE_LEFT: "message laissé",
    CallbackOutcome.NO_ANSWER: "pas de réponse",
    CallbackOutcome.NOT_NEEDED: "rappel sans objet",
}


@dataclass(kw_only=True, frozen=True)
class CallbackTask:
    request_id: int
    department: str  # the department's slug
    created_at: datetime
    due_at: datetime
    assignees: tuple[str, ...]  # referent ids
    reasons: tuple[Reason, ...] = ()
    status: TaskStatus = TaskStatus.OPEN
    outcome: CallbackOutcome | None = None
    closed_at: datetime | None = None
    closed_by: str | None = None
    escalated_at: datetime | None = None


def new_task(*, request_id: int, department: Department, created_at: datetime) -> CallbackTask:
    """A callback task for a contact received at ``created_at``: its deadline and owners.

    Due after the department's budget of opening time. Owned by the referents on duty now
    if the line is open and someone is; otherwise by those on duty when it next is (within
    14 days); failing that by the backup list; failing that by nobody, for the coordinator
    to hand out.
    """
    require_aware(created_at)
    calendar, roster = department.calendar, department.roster
    budget = department.callbacks.deadline
    due_at = deadline_after(created_at, budget, calendar)
    opening = opening_at(created_at, calendar)
    reasons = [
        Reason(
            code="callback-deadline",
            text=f"à rappeler avant le {_when(due_at)} ({format_budget(budget)} d'ouverture"
            + (", comptées à partir de la réouverture)" if not opening.is_open else ")"),
        )
    ]

    duty = on_duty(created_at, roster, calendar.timezone)
    if opening.is_open and duty.referent_ids:
        assignees = duty.referent_ids
        reasons.append(
            Reason(
                code="callback-assigned-on-duty",
                text=f"attribué à la permanence en cours : {', '.join(assignees)}",
            )
        )
    else:
        since = opening.reason.text if not opening.is_open else duty.reason.text
        periods = duty_periods(calendar, roster, created_at, created_at + ASSIGNMENT_HORIZON)
        following = next((p for p in periods if p.duty.referent_ids), None)
        if following is not None:
            assignees = following.duty.referent_ids
            reasons.append(
                Reason(
                    code="callback-assigned-next-duty",
                    text=f"{since} ; attribué à la permanence du {_when(following.starts)} : "
                    f"{', '.join(assignees)}",
                )
            )
        elif roster.backup:
            assignees = roster.backup
            reasons.append(
                Reason(
                    code="callback-assigned-backup",
                    text=f"{since} ; personne de permanence dans les "
                    f"{ASSIGNMENT_HORIZON.days} jours : attribué à la liste de secours "
                    f"({', '.join(assignees)})",
                )
            )
        else:
            assignees = ()
            reasons.append(
                Reason(
                    code="callback-unassigned",
                    text=f"{since} ; personne de permanence dans les "
                    f"{ASSIGNMENT_HORIZON.days} jours : à attribuer par la coordination",
                )
            )
    return CallbackTask(
        request_id=request_id,
        department=department.slug,
        created_at=created_at,
        due_at=due_at,
        assignees=assignees,
        reasons=tuple(reasons),
    )


def is_overdue(task: CallbackTask, now: datetime) -> bool:
    """Still open after its deadline (a task closed at its due instant is on time)."""
    return task.status is TaskStatus.OPEN and past_deadline(task.due_at, now)


def past_deadline(due_at: datetime, now: datetime) -> bool:
    require_aware(now)
    return now.astimezone(UTC) > due_at.astimezone(UTC)


def escalations(tasks: Iterable[CallbackTask], now: datetime) -> list[tuple[CallbackTask, Reason]]:
    """The overdue tasks the coordinator has not been told about yet, oldest deadline first.

    Mark each one with ``mark_escalated`` once the coordinator has been told, so that a
    check that runs again does not tell them twice.
    """
    due = sorted(
        (t for t in tasks if is_overdue(t, now) and t.escalated_at is None),
        key=lambda t: (t.due_at.astimezone(UTC), t.request_id),
    )
    return [(task, _overdue_reason(task, now)) for task in due]


def mark_escalated(task: CallbackTask, at: datetime) -> CallbackTask:
    require_aware(at)
    return replace(task, escalated_at=at)


def close_task(
    task: CallbackTask, *, outcome: CallbackOutcome, at: datetime, by: str
) -> CallbackTask:
    """The task done, with what came of it, when and by whom (a referent id)."""
    require_aware(at)
    if task.status is TaskStatus.DONE:
        raise ValueError(f"callback task of request {task.request_id} is already closed")
    return replace(task, status=TaskStatus.DONE, outcome=outcome, closed_at=at, closed_by=by)


def closed_in_time(task: CallbackTask) -> bool | None:
    """For the indicator "callbacks done within their deadline"; None while still open."""
    if task.closed_at is None:
        return None
    return task.closed_at.astimezone(UTC) <= task.due_at.astimezone(UTC)


def _overdue_reason(task: CallbackTask, now: datetime) -> Reason:
    late = now.astimezone(UTC) - task.due_at.astimezone(UTC)
    owners = ", ".join(task.assignees) if task.assignees else "personne"
    return Reason(
        code="callback-overdue",
        text=f"rappel de la sollicitation n° {task.request_id} en retard de "
        f"{_duration(late)} (échéance le {_when(task.due_at)}) ; attribué à : {owners}",
    )


def _when(moment: datetime) -> str:
    return f"{WEEKDAY_NAMES_FR[moment.weekday()]} {moment:%d/%m à %H:%M}"


def _duration(late: timedelta) -> str:
    rest = late - timedelta(days=late.days)
    if not late.days:
        return format_budget(rest)
    if rest < timedelta(minutes=1):
        return f"{late.days} j"
    return f"{late.days} j {format_budget(rest)}"
