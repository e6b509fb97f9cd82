"""Missed calls in the store: those whose caller may be owed an SMS, and its record."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, exists
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.core.callbacks import TaskStatus
from frontdoor.core.missed_calls import MISSED
from frontdoor.store.models import CallbackTaskRow, Request, RequestEvent

# The event that says what was decided for a call's SMS (sent or why not): one per call.
DECIDED = "missed-call-sms"


@dataclass(kw_only=True, frozen=True)
class UntoldCall:
    request: Request
    task: CallbackTaskRow


async def untold_missed_calls(
    *,
    session: AsyncSession,
    departments: Collection[str],
    ended_after: datetime,
    ended_before: datetime,
) -> Sequence[UntoldCall]:
    """The departments' calls nobody took, with an open callback task, that ended in the
    window and whose SMS was not decided yet; oldest first."""
    ended = aliased(RequestEvent)
    decided = aliased(RequestEvent)
    query = (
        select(Request, CallbackTaskRow)
        .join(CallbackTaskRow, col(CallbackTaskRow.request_id) == col(Request.id))
        .where(
            col(Request.department).in_(departments),
            Request.channel == "voice",
            col(Request.outcome).in_([outcome.value for outcome in MISSED]),
            CallbackTaskRow.status == TaskStatus.OPEN.value,
            exists().where(
                and_(
                    col(ended.request_id) == col(Request.id),
                    col(ended.kind) == "ended",
                    col(ended.at) > ended_after,
                    col(ended.at) <= ended_before,
                )
            ),
            ~exists().where(
                and_(col(decided.request_id) == col(Request.id), col(decided.kind) == DECIDED)
            ),
        )
        .order_by(col(Request.received_at), col(Request.id))
    )
    result = await session.exec(query)
    return [UntoldCall(request=request, task=task) for request, task in result.all()]
