"""What a transfer (core.transfer) reads of a call: the leg of the referent who has the
caller, and whether the target took the call over on a given leg."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.core import transfer
from frontdoor.store.match import equal
from frontdoor.store.models import RequestEvent


async def live_taker(*, session: AsyncSession, request_id: int) -> tuple[str, str | None] | None:
    """The referent who has the caller now, and her leg: the last who pressed 1 for the
    call, on her ring or as a transfer's target (a partner line is nobody's: None)."""
    result = await session.exec(
        select(RequestEvent.referent_id, RequestEvent.leg_sid)
        .where(
            RequestEvent.request_id == request_id,
            col(RequestEvent.kind).in_(("accepted", transfer.TRANSFERRED)),
        )
        .order_by(col(RequestEvent.at).desc(), col(RequestEvent.id).desc())
        .limit(1)
    )
    last = result.first()
    if last is None or not last[0]:
        return None
    return last[0], last[1]


async def taken_over_on(*, session: AsyncSession, request_id: int, leg_sid: str | None) -> bool:
    """The target pressed 1 on this leg (core.transfer.TRANSFERRED)."""
    if not leg_sid:
        return False
    result = await session.exec(
        select(RequestEvent.id).where(
            RequestEvent.request_id == request_id,
            RequestEvent.kind == transfer.TRANSFERRED,
            equal(RequestEvent.leg_sid, leg_sid),
        )
    )
    return result.first() is not None


async def taken_over_by(*, session: AsyncSession, request_id: int, target_key: str) -> bool:
    """This target pressed 1 for the call (core.transfer.TRANSFERRED)."""
    result = await session.exec(
        select(RequestEvent.id).where(
            RequestEvent.request_id == request_id,
            RequestEvent.kind == transfer.TRANSFERRED,
            equal(RequestEvent.detail, target_key),
        )
    )
    return result.first() is not None
