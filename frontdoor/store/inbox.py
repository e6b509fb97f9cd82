"""The console's inbox and the API's list: one department's requests, newest first, filtered."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.store.match import equal
from frontdoor.store.models import CallbackTaskRow, Request, RequestPerson


@dataclass(kw_only=True, frozen=True)
class InboxFilters:
    channel: str | None = None
    status: str | None = None
    referrer_type: str | None = None
    assigned_to: str | None = None
    # Only requests whose callback is still owed past its deadline (needs `now`).
    overdue: bool = False
    now: datetime | None = None
    # Keyset pagination: the (received_at, id) of the last row of the previous page.
    before: tuple[datetime, int] | None = None
    # Only these requests (a page of search results: store.request_search).
    ids: Collection[int] | None = None
    # Received within [received_from, received_until) (the API's local days).
    received_from: datetime | None = None
    received_until: datetime | None = None
    # Only the requests about this person (linked to her file).
    person_id: int | None = None


@dataclass(kw_only=True, frozen=True)
class InboxRow:
    request: Request
    callback_due_at: datetime | None
    callback_status: str | None


async def inbox_page(
    session: AsyncSession,
    *,
    department: str,
    filters: InboxFilters | None = None,
    limit: int = 50,
) -> Sequence[InboxRow]:
    wanted = filters or InboxFilters()
    query = (
        select(Request, CallbackTaskRow.due_at, CallbackTaskRow.status)
        .outerjoin(CallbackTaskRow, col(CallbackTaskRow.request_id) == col(Request.id))
        .where(Request.department == department)
    )
    if wanted.ids is not None:
        query = query.where(col(Request.id).in_(list(wanted.ids)))
    if wanted.channel:
        query = query.where(Request.channel == wanted.channel)
    if wanted.status:
        query = query.where(Request.status == wanted.status)
    if wanted.referrer_type:
        query = query.where(Request.referrer_type == wanted.referrer_type)
    if wanted.assigned_to:
        query = query.where(equal(Request.assigned_to, wanted.assigned_to))
    if wanted.overdue and wanted.now is not None:
        query = query.where(
            CallbackTaskRow.status == "open", col(CallbackTaskRow.due_at) < wanted.now
        )
    if wanted.received_from is not None:
        query = query.where(col(Request.received_at) >= wanted.received_from)
    if wanted.received_until is not None:
        query = query.where(col(Request.received_at) < wanted.received_until)
    if wanted.person_id is not None:
        linked = select(RequestPerson.request_id).where(RequestPerson.person_id == wanted.person_id)
        query = query.where(col(Request.id).in_(linked))
    if wanted.before is not None:
        at, request_id = wanted.before
        query = query.where(
            or_(
                col(Request.received_at) < at,
                and_(col(Request.received_at) == at, col(Request.id) < request_id),
            )
        )
    query = query.order_by(col(Request.received_at).desc(), col(Request.id).desc()).limit(limit)
    result = await session.exec(query)
    return [
        InboxRow(request=request, callback_due_at=due_at, callback_status=status)
        for request, due_at, status in result.all()
    ]


async def newest_request_id(session: AsyncSession, *, departments: Sequence[str]) -> int:
    """Where the live inbox starts: the highest request id of these departments now."""
    result = await session.exec(
        select(func.max(Request.id)).where(col(Request.department).in_(departments))
    )
    return result.first() or 0
