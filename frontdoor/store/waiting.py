"""The queue's facts read back from the store (core.waiting): who is on a call, who waits,
the offers made, and a call's time in the queue."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.core import transfer
from frontdoor.core.department import Department
from frontdoor.core.voice_actions import Outcome
from frontdoor.core.waiting import (
    FROM_THE_QUEUE,
    LONGEST_CALL,
    OfferCall,
    QueueFacts,
    Waiter,
    busy_referents,
    is_waiting,
    offer_pending,
    offer_window,
    ringing_with_offers,
)
from frontdoor.store.call_facts import FACT_KINDS, facts_of
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
    session: AsyncSession, *, department: Department, now: datetime
) -> frozenset[str]:
    """The department's referents on a call, or rung with an offer, right now."""
    window = offer_window(department.ringing)
    slug = department.slug
    # One read for every call: asked at each step of a call and each wait in the queue.
    events = await _recent_events(session, department=slug, kinds=FACT_KINDS, now=now)
    calls = [
        # Who is on a call does not depend on the caller's steps.
        facts_of(mine, step_outcome=Outcome.IN_PROGRESS)
        for mine in _by_request(events).values()
        if any(e.kind == "accepted" for e in mine)
    ]
    offered = await offer_calls(session, department=slug, now=now)
    return (
        busy_referents(calls, now=now)
        | ringing_with_offers(offered, now=now, window=window)
        | await _transferred_to(session, department=slug, now=now)
    )


async def _transferred_to(
    session: AsyncSession, *, department: str, now: datetime
) -> frozenset[str]:
    """Colleagues a call was transferred to, still on it (core.transfer)."""
    kinds = (transfer.TRANSFERRED, transfer.ENDED, transfer.CONSULTED, transfer.HANDED_OVER,
             "ended")  # fmt: skip
    events = await _recent_events(session, department=department, kinds=kinds, now=now)
    busy: frozenset[str] = frozenset()
    for mine in _by_request(events).values():
        taken = [transfer.TakenOver(referent_id=e.referent_id, leg_sid=e.leg_sid)
                 for e in mine if e.kind == transfer.TRANSFERRED and e.referent_id]  # fmt: skip
        busy |= transfer.on_transferred_calls(
            taken,
            legs_ended={e.leg_sid for e in mine if e.kind == transfer.ENDED},
            call_ended=any(e.kind == "ended" for e in mine),
            consulting={
                e.referent_id for e in mine if e.kind == transfer.CONSULTED and e.referent_id
            },  # fmt: skip
            handed_over=any(e.kind == transfer.HANDED_OVER for e in mine),
        )
    return busy


def _by_request(events: Sequence[RequestEvent]) -> dict[int, list[RequestEvent]]:
    grouped: dict[int, list[RequestEvent]] = {}
    for event in events:
        grouped.setdefault(event.request_id, []).append(event)
    return grouped


def _queue_facts(mine: Sequence[RequestEvent], *, queue_time_s: int | None) -> QueueFacts:
    """A call's time in the queue from its own events."""
    left = [e for e in mine if e.kind == "queue-left"]
    return QueueFacts(
        enqueued_at=min((e.at for e in mine if e.kind == "enqueued"), default=None),
        left=left[0].detail if left else None,
        queue_time_s=queue_time_s,
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
    return _queue_facts(result.all(), queue_time_s=request.queue_wait_s)


async def waiting_callers(
    session: AsyncSession, *, department: Department, now: datetime
) -> tuple[Waiter, ...]:
    """The department's callers waiting in its queue now, with the offers made for each."""
    window = offer_window(department.ringing)
    slug = department.slug
    events = await _recent_events(session, department=slug, kinds=_QUEUE_KINDS, now=now)
    offered = await offer_calls(session, department=slug, now=now)
    waiters = []
    for request_id, theirs in sorted(_by_request(events).items()):
        facts = _queue_facts(theirs, queue_time_s=None)
        if not is_waiting(facts) or facts.enqueued_at is None:
            continue
        mine = [o for o in offered if o.request_id == request_id]
        tried = {
            referent
            for e in theirs
            if e.kind == "enqueued" and e.detail
            for referent in e.detail.split(",")
        }
        waiters.append(
            Waiter(
                request_id=request_id,
                enqueued_at=facts.enqueued_at,
                offered_to=frozenset(o.referent_id for o in mine) | tried,
                offer_pending=any(offer_pending(o, now=now, window=window) for o in mine),
            )
        )
    return tuple(waiters)


async def callers_waiting(session: AsyncSession, *, department: Department, now: datetime) -> int:
    """How many of the department's callers wait in its queue now."""
    return len(await waiting_callers(session, department=department, now=now))


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
