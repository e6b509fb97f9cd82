"""The queue's facts read back from the store (core.waiting): who is on a call, who waits,
the offers made, and a call's time in the queue."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.core.waiting import (
    FROM_THE_QUEUE,
    LONGEST_CALL,
    OfferCall,
    QueueFacts,
    Waiter,
    busy_referents,
    is_waiting,
    ringing_with_offers,
)
from frontdoor.store.call_facts import call_facts
from frontdoor.store.match import equal
from frontdoor.store.models import Request, RequestEvent

# The events of a call's time in the queue, and of the calls offering it to a referent.
_QUEUE_KINDS = ("enqueued", "queue-left", "accepted", "ended")
_OFFER_KINDS = ("queue-offered", "queue-offer-ended")


async def _recent_events(
    session: AsyncSession, *, department: str, kinds: Sequence[str], now: datetime
) -> Sequence[RequestEvent]:
    """The department's events of these kinds in the last LONGEST_CALL (no call lasts longer)."""
    result = await session.exec(
        select(RequestEvent)
        .join(Request, col(Request.id) == col(RequestEvent.request_id))
        .where(
            Request.department == department,
            col(RequestEvent.kind).in_(kinds),
            col(RequestEvent.at) >= now - LONGEST_CALL,
        )
        .order_by(col(RequestEvent.at), col(RequestEvent.id))
    )
    return result.all()


async def offer_calls(
    session: AsyncSession, *, department: str, now: datetime
) -> tuple[OfferCall, ...]:
    events = await _recent_events(session, department=department, kinds=_OFFER_KINDS, now=now)
    ended = {e.leg_sid for e in events if e.kind == "queue-offer-ended"}
    return tuple(
        OfferCall(request_id=e.request_id, referent_id=e.referent_id or "",
                  leg_sid=e.leg_sid or "", at=e.at, over=e.leg_sid in ended)
        for e in events if e.kind == "queue-offered"
    )  # fmt: skip


async def referents_busy(
    session: AsyncSession, *, department: str, now: datetime
) -> frozenset[str]:
    """The department's referents on a call, or rung with an offer, right now."""
    accepted = await _recent_events(session, department=department, kinds=("accepted",), now=now)
    calls = []
    for request_id in sorted({e.request_id for e in accepted}):
        request = await session.get(Request, request_id)
        if request is not None:
            calls.append(await call_facts(session=session, request=request))
    offered = await offer_calls(session, department=department, now=now)
    return busy_referents(calls, now=now) | ringing_with_offers(offered, now=now)


def _queue_facts(request: Request, events: Sequence[RequestEvent]) -> QueueFacts:
    mine = [e for e in events if e.request_id == request.id]
    left = [e for e in mine if e.kind == "queue-left"]
    return QueueFacts(
        enqueued_at=min((e.at for e in mine if e.kind == "enqueued"), default=None),
        left=left[0].detail if left else None,
        queue_time_s=request.queue_wait_s,
        taken=any(e.kind == "accepted" and e.attempt == FROM_THE_QUEUE for e in mine),
        ended_at=min((e.at for e in mine if e.kind == "ended"), default=None),
    )


async def queue_facts(*, session: AsyncSession, request: Request) -> QueueFacts:
    """What this call's time in the queue reported so far."""
    result = await session.exec(
        select(RequestEvent).where(
            RequestEvent.request_id == request.id, col(RequestEvent.kind).in_(_QUEUE_KINDS)
        )
    )
    return _queue_facts(request, result.all())


async def waiting_callers(
    session: AsyncSession, *, department: str, now: datetime
) -> tuple[Waiter, ...]:
    """The department's callers waiting in its queue now, with the offers made for each."""
    events = await _recent_events(session, department=department, kinds=_QUEUE_KINDS, now=now)
    offered = await offer_calls(session, department=department, now=now)
    waiters = []
    for request_id in sorted({e.request_id for e in events if e.kind == "enqueued"}):
        request = await session.get(Request, request_id)
        if request is None:
            continue
        facts = _queue_facts(request, events)
        if not is_waiting(facts) or facts.enqueued_at is None:
            continue
        mine = [o for o in offered if o.request_id == request_id]
        tried = {
            referent
            for e in events
            if e.request_id == request_id and e.kind == "enqueued" and e.detail
            for referent in e.detail.split(",")
        }
        waiters.append(
            Waiter(
                request_id=request_id,
                enqueued_at=facts.enqueued_at,
                offered_to=frozenset(o.referent_id for o in mine) | tried,
                offer_pending=any(not o.over for o in mine),
            )
        )
    return tuple(waiters)


async def request_taken_on_leg(
    session: AsyncSession, *, department: str, leg_sid: str
) -> Request | None:
    """The caller a referent's offer call took out of the queue (<Queue url> recorded it)."""
    result = await session.exec(
        select(Request)
        .join(RequestEvent, col(Request.id) == col(RequestEvent.request_id))
        .where(
            Request.department == department,
            RequestEvent.kind == "accepted",
            equal(RequestEvent.attempt, FROM_THE_QUEUE),
            equal(RequestEvent.leg_sid, leg_sid),
        )
    )
    return result.first()
