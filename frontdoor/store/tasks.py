"""Callback tasks in the store, converted to and from frontdoor.core.callbacks values."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from sqlalchemy import String, cast
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.core.callbacks import CallbackOutcome, CallbackTask, TaskStatus, new_task
from frontdoor.core.department import Department
from frontdoor.core.listing import Mark
from frontdoor.core.reasons import Reason
from frontdoor.store.models import CallbackTaskRow, Request
from frontdoor.store.pages import newest_first, older_than


def as_task(row: CallbackTaskRow, timezone: tzinfo = UTC) -> CallbackTask:
    """The core value of a row, its times in the department's zone (as people read them)."""
    return CallbackTask(
        request_id=row.request_id,
        department=row.department,
        created_at=row.created_at.astimezone(timezone),
        due_at=row.due_at.astimezone(timezone),
        assignees=tuple(row.assignees),
        reasons=tuple(Reason(code=r["code"], text=r["text"]) for r in row.reasons),
        status=TaskStatus(row.status),
        outcome=CallbackOutcome(row.outcome) if row.outcome else None,
        closed_at=row.closed_at.astimezone(timezone) if row.closed_at else None,
        closed_by=row.closed_by,
        escalated_at=row.escalated_at.astimezone(timezone) if row.escalated_at else None,
    )


def copy_task(task: CallbackTask, row: CallbackTaskRow) -> None:
    """Write a core task's decided fields onto its row."""
    row.due_at = task.due_at
    row.assignees = list(task.assignees)
    row.reasons = [reason.as_dict() for reason in task.reasons]
    row.status = task.status.value
    row.outcome = task.outcome.value if task.outcome else None
    row.closed_at = task.closed_at
    row.closed_by = task.closed_by
    row.escalated_at = task.escalated_at


async def task_by_id(*, session: AsyncSession, task_id: int | None) -> CallbackTaskRow | None:
    return None if task_id is None else await session.get(CallbackTaskRow, task_id)


async def task_of_request(*, session: AsyncSession, request_id: int) -> CallbackTaskRow | None:
    result = await session.exec(
        select(CallbackTaskRow).where(CallbackTaskRow.request_id == request_id)
    )
    return result.first()


async def ensure_task(
    *, session: AsyncSession, request: Request, department: Department
) -> CallbackTaskRow:
    """The request's callback task, created (deadline, assignees) if it has none yet."""
    assert request.id is not None
    existing = await task_of_request(session=session, request_id=request.id)
    if existing is not None:
        return existing
    return await open_task(session=session, request=request, department=department)


async def open_task(
    *, session: AsyncSession, request: Request, department: Department
) -> CallbackTaskRow:
    """The request's callback task, created (deadline, assignees): for a request read to have
    none in this transaction (one task a request: a second is refused at the commit)."""
    assert request.id is not None
    task = new_task(request_id=request.id, department=department, created_at=request.received_at)
    row = CallbackTaskRow(
        request_id=request.id,
        department=department.slug,
        created_at=task.created_at,
        due_at=task.due_at,
    )
    copy_task(task, row)
    session.add(row)
    await session.flush()
    return row


async def insert_task(
    *, session: AsyncSession, request: Request, department: Department
) -> CallbackTask:
    """open_task by one plain statement on the session's transaction, no ORM object made of
    it: what settling a call's step opens (one task a request: a second is refused at once)."""
    assert request.id is not None
    task = new_task(request_id=request.id, department=department, created_at=request.received_at)
    connection = await session.connection()
    await connection.execute(_INSERT_TASK, {
        "request_id": request.id, "department": department.slug,
        "created_at": task.created_at, "due_at": task.due_at,
        "assignees": list(task.assignees), "reasons": [reason.as_dict() for reason in task.reasons],
        "status": task.status.value, "outcome": task.outcome.value if task.outcome else None,
        "closed_at": task.closed_at, "closed_by": task.closed_by,
        "escalated_at": task.escalated_at, "calls_placed": 0,
    })  # fmt: skip
    return task


_INSERT_TASK = CallbackTaskRow.__table__.insert()  # type: ignore[attr-defined]


async def open_tasks(
    *, session: AsyncSession, department: str | None = None
) -> Sequence[CallbackTaskRow]:
    query = select(CallbackTaskRow).where(CallbackTaskRow.status == TaskStatus.OPEN.value)
    if department is not None:
        query = query.where(CallbackTaskRow.department == department)
    result = await session.exec(query.order_by(col(CallbackTaskRow.due_at)))
    return result.all()


async def requests_without_task(
    *, session: AsyncSession, received_before: datetime
) -> Sequence[Request]:
    """Requests that need a callback but have no task (their status callback never came)."""
    query = (
        select(Request)
        .outerjoin(CallbackTaskRow, col(CallbackTaskRow.request_id) == col(Request.id))
        .where(
            col(Request.callback_needed).is_(True),
            col(CallbackTaskRow.id).is_(None),
            col(Request.received_at) < received_before,
        )
    )
    result = await session.exec(query)
    return result.all()


@dataclass(kw_only=True, frozen=True)
class TaskFilters:
    """The API's filters on a department's callback tasks (all optional)."""

    status: str | None = TaskStatus.OPEN.value  # None: open and closed alike
    assignee: str | None = None  # a referent id of the department file
    # Only tasks still open past their deadline at `now`.
    overdue_at: datetime | None = None
    created_from: datetime | None = None
    created_until: datetime | None = None
    after: Mark | None = None


async def tasks_page(
    *, session: AsyncSession, department: str, filters: TaskFilters, limit: int
) -> Sequence[CallbackTaskRow]:
    """A page of the department's tasks, newest first (created_at, id)."""
    query = select(CallbackTaskRow).where(CallbackTaskRow.department == department)
    if filters.status is not None:
        query = query.where(CallbackTaskRow.status == filters.status)
    if filters.assignee is not None:
        # `assignees` is a JSON list of ids: its text holds the id between quotes.
        written = json.dumps(filters.assignee)
        pattern = "%" + written.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_") + "%"
        query = query.where(cast(col(CallbackTaskRow.assignees), String).like(pattern, escape="\\"))
    if filters.overdue_at is not None:
        query = query.where(
            CallbackTaskRow.status == TaskStatus.OPEN.value,
            col(CallbackTaskRow.due_at) < filters.overdue_at,
        )
    if filters.created_from is not None:
        query = query.where(col(CallbackTaskRow.created_at) >= filters.created_from)
    if filters.created_until is not None:
        query = query.where(col(CallbackTaskRow.created_at) < filters.created_until)
    if filters.after is not None:
        query = query.where(
            older_than(CallbackTaskRow.created_at, CallbackTaskRow.id, filters.after)
        )
    query = query.order_by(*newest_first(CallbackTaskRow.created_at, CallbackTaskRow.id))
    result = await session.exec(query.limit(limit))
    return result.all()
