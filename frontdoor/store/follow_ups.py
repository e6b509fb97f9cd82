"""The follow-ups of orientations (follow_ups, core.follow_ups): planned on a response,
closed with what was found, listed when due. Callers journal and commit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.core.follow_ups import Closing, FollowUpPlan, FollowUpStatus
from frontdoor.store.models import FollowUp, Request, RequestResponse


async def follow_ups_of(*, session: AsyncSession, request_id: int) -> dict[int, FollowUp]:
    """The request's follow-ups, by the response each follows."""
    rows = await session.exec(select(FollowUp).where(FollowUp.request_id == request_id))
    return {row.response_id: row for row in rows.all()}


async def follow_up_of(*, session: AsyncSession, response_id: int) -> FollowUp | None:
    found = await session.exec(select(FollowUp).where(FollowUp.response_id == response_id))
    return found.first()


async def response_of(
    *, session: AsyncSession, request: Request, response_id: int
) -> RequestResponse | None:
    """The response, if it is one of the request's."""
    row = await session.get(RequestResponse, response_id)
    return row if row is not None and row.request_id == request.id else None


async def plan(
    *,
    session: AsyncSession,
    request: Request,
    response: RequestResponse,
    wanted: FollowUpPlan,
    at: datetime,
    by: str,
) -> FollowUp | None:
    """The follow-up of the response; None when it has one already."""
    if await follow_up_of(session=session, response_id=response.id or 0) is not None:
        return None
    row = FollowUp(
        department=request.department,
        request_id=request.id or 0,
        response_id=response.id or 0,
        due_on=wanted.due_on,
        assigned_to=wanted.assigned_to,
        created_at=at,
        created_by=by,
    )
    session.add(row)
    await session.flush()
    return row


def close(row: FollowUp, closing: Closing, *, at: datetime, by: str) -> None:
    """What was found: closed with it, or, "à relancer" with a new day, open again until
    then with the day it replaces kept in its history. ValueError when already closed."""
    if row.status != FollowUpStatus.OPEN:
        raise ValueError("follow-up already closed")
    if closing.next_due_on is not None:
        earlier = {"due_on": row.due_on.isoformat(), "outcome": closing.outcome.value}
        row.earlier = [*row.earlier, {**earlier, "at": at.isoformat(), "by": by}]
        row.due_on = closing.next_due_on
    else:
        row.status = FollowUpStatus.CLOSED
        row.outcome = closing.outcome.value
        row.closed_at = at
        row.closed_by = by


def earlier_days(row: FollowUp) -> list[date]:
    """The days it was due before each "à relancer", oldest first (as `close` writes them)."""
    return [date.fromisoformat(entry["due_on"]) for entry in row.earlier]


async def forget_follow_up(*, session: AsyncSession, response_id: int) -> None:
    """The response it follows is removed: so is the follow-up."""
    await session.exec(delete(FollowUp).where(col(FollowUp.response_id) == response_id))


@dataclass(kw_only=True, frozen=True)
class DueFollowUp:
    follow_up: FollowUp
    resource_name: str | None


async def follow_ups_due(
    *, session: AsyncSession, department: str, until: date, limit: int
) -> Sequence[DueFollowUp]:
    """The department's open follow-ups due on or before `until`, soonest first."""
    rows = await session.exec(
        select(FollowUp, RequestResponse.resource_name)
        .join(RequestResponse, col(RequestResponse.id) == col(FollowUp.response_id))
        .where(
            FollowUp.department == department,
            FollowUp.status == FollowUpStatus.OPEN.value,
            col(FollowUp.due_on) <= until,
        )
        .order_by(col(FollowUp.due_on), col(FollowUp.id))
        .limit(limit)
    )
    return [DueFollowUp(follow_up=row, resource_name=name) for row, name in rows.all()]
