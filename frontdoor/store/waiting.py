"""The queue's facts read back from the store (core.waiting): who is on a call, who waits,
the offers made (a call's own time in the queue: store.call_facts)."""

from __future__ import annotations

from collections.abc import Sequence, Set
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy
from sqlalchemy import Table, bindparam
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.core import transfer
from frontdoor.core.department import Department
from frontdoor.core.voice_actions import Outcome
from frontdoor.core.waiting import (
    FROM_THE_QUEUE,
    LONGEST_CALL,
    OfferCall,
    Waiter,
    busy_referents,
    is_waiting,
    offer_pending,
    offer_window,
    ringing_with_offers,
)
from frontdoor.store.call_facts import (
    FACT_KINDS,
    QUEUE_KINDS,
    Fact,
    facts_of,
    kind_in,
    queue_facts_of,
)
from frontdoor.store.match import equal
from frontdoor.store.models import Request, RequestEvent

# The events of the calls offering a caller in the queue to a referent.
_OFFER_KINDS = ("queue-offered", "queue-offer-ended")
# The events of a transferred call (core.transfer).
_TRANSFER_KINDS = (transfer.TRANSFERRED, transfer.ENDED, transfer.CONSULTED, transfer.HANDED_OVER)
# What the line's state is read from: the calls' facts, their times in the queue, the offers.
_LINE_KINDS = tuple(dict.fromkeys((*FACT_KINDS, *QUEUE_KINDS, *_OFFER_KINDS, *_TRANSFER_KINDS)))
# A call counts for the line once a referent took it, it was put in the queue, transferred, or
# offered to a referent: its other events (rings that ended, the call's end, a message) only
# tell when that is over. A call rung and not taken yet has nobody busy and nobody waiting.
_ANCHOR_KINDS = ("accepted", "enqueued", *_OFFER_KINDS, *_TRANSFER_KINDS)


_EVENTS: Table = RequestEvent.__table__  # type: ignore[attr-defined]
_REQUESTS: Table = Request.__table__  # type: ignore[attr-defined]
_ANCHOR = _EVENTS.alias("anchor")
# The department's calls with an event of an anchor kind in the window, by the same index:
# read once per statement and looked up by each event (not a lookup of each event's call:
# PostgreSQL then spent more probing the calls rung and not taken than Python did reading them).
_ANCHORED = _EVENTS.c.request_id.in_(
    sqlalchemy.select(_ANCHOR.c.request_id).where(
        _ANCHOR.c.department == bindparam("department"),
        kind_in(_ANCHOR_KINDS, events=_ANCHOR),
        _ANCHOR.c.at >= bindparam("since"),
    )
)
# The department of an event's call, looked up by its key, when the event counts for the line:
# a call that is over keeps no referent busy and no caller waiting (core.waiting's on_a_call
# and is_waiting, core.transfer's on_transferred_calls), so of its events only the offers
# count, whose referent's phone may still ring. NULL otherwise. A scalar subquery, not EXISTS:
# PostgreSQL made EXISTS a semi-join on a scan of every request. The department it gives is
# compared too, at no cost beyond the lookup: an event whose own column said another
# department than its request's would not be read.
_COUNTED_FOR = (
    sqlalchemy.select(_REQUESTS.c.department)
    .where(
        _REQUESTS.c.id == _EVENTS.c.request_id,
        _REQUESTS.c.ended_at.is_(None) | kind_in(_OFFER_KINDS),
    )
    .scalar_subquery()
)
# A department's recent events of the line's kinds: the request id, then the fact's columns.
# From the department's recent events of the line's kinds, by their index (each event carries
# its request's department: migration 0037), each event's call then looked up by its key: a
# ring costs what the department's window holds, not the department's history (both planners
# started from every request the department ever had when the department was read from the
# requests: SQLite 47 ms of CPU a ring at 25,000 requests), nor the other departments' window
# (an instance serving a region read every department's recent events at each ring).
_RECENT = (
    sqlalchemy.select(
        _EVENTS.c.request_id,
        _EVENTS.c.kind,
        _EVENTS.c.attempt,
        _EVENTS.c.referent_id,
        _EVENTS.c.leg_sid,
        _EVENTS.c.detail,
        _EVENTS.c.at,
    )  # fmt: skip
    .where(
        _EVENTS.c.department == bindparam("department"),
        kind_in(_LINE_KINDS),
        _EVENTS.c.at >= bindparam("since"),
        bindparam("department") == _COUNTED_FOR,
        kind_in(_ANCHOR_KINDS) | _ANCHORED,
    )
    .order_by(_EVENTS.c.at, _EVENTS.c.id)
)


@dataclass(kw_only=True, frozen=True)
class LineState:
    """A department's line right now: the referents on a call or rung with an offer, and the
    callers waiting in its queue."""

    busy: frozenset[str]
    waiters: tuple[Waiter, ...]


async def line_state(session: AsyncSession, *, department: Department, now: datetime) -> LineState:
    """One read of the department's recent events: asked by a step of a call that rings, by
    the console's duty board, and once a referent may be free again (an offer to the queue)."""
    events = await _recent_events(session, department=department.slug, now=now)
    offered = _offer_calls(events)
    window = offer_window(department.ringing)
    return LineState(
        busy=_busy(events, offered, now=now, window=window),
        waiters=_waiters(events, offered, now=now, window=window),
    )


# An event as the line's state reads it: its call's request id, then its fact (call_facts).
_Event = tuple[int, Fact]


async def _recent_events(session: AsyncSession, *, department: str, now: datetime) -> list[_Event]:
    """The department's events of the line's kinds in the last LONGEST_CALL (no call lasts
    longer), oldest first: those of the calls not over, and the offers of those over. Their
    columns only, by a plain statement: no event is loaded as an object."""
    await session.flush()  # what the session holds counts, as a query of the ORM would flush it
    connection = await session.connection()
    since = now - LONGEST_CALL
    rows = await connection.execute(_RECENT, {"department": department, "since": since})
    return [(row[0], tuple(row[1:])) for row in rows]


def _offer_calls(events: Sequence[_Event]) -> tuple[OfferCall, ...]:
    ended = {leg_sid for _, (kind, _, _, leg_sid, *_) in events if kind == "queue-offer-ended"}
    return tuple(
        OfferCall(request_id=request_id, referent_id=referent_id or "", leg_sid=leg_sid or "",
                  at=at, over=leg_sid in ended)
        for request_id, (kind, _, referent_id, leg_sid, _, at) in events
        if kind == "queue-offered"
    )  # fmt: skip


def _busy(
    events: Sequence[_Event], offered: Sequence[OfferCall], *, now: datetime, window: timedelta
) -> frozenset[str]:
    accepted = {request_id for request_id, (kind, *_) in events if kind == "accepted"}
    calls = [
        # Who is on a call does not depend on the caller's steps.
        facts_of(mine, step_outcome=Outcome.IN_PROGRESS)
        for mine in _by_request(events, accepted).values()
    ]
    return (
        busy_referents(calls, now=now)
        | ringing_with_offers(offered, now=now, window=window)
        | _transferred_to(events)
    )


def _transferred_to(events: Sequence[_Event]) -> frozenset[str]:
    """Colleagues a call was transferred to, still on it, and referents speaking to the
    target of a warm transfer (core.transfer)."""
    transferred = {request_id for request_id, (kind, *_) in events if kind in _TRANSFER_KINDS}
    busy: frozenset[str] = frozenset()
    for mine in _by_request(events, transferred).values():
        taken = [transfer.TakenOver(referent_id=referent_id, leg_sid=leg_sid)
                 for kind, _, referent_id, leg_sid, _, _ in mine
                 if kind == transfer.TRANSFERRED and referent_id]  # fmt: skip
        busy |= transfer.on_transferred_calls(
            taken,
            legs_ended={leg_sid for kind, _, _, leg_sid, _, _ in mine if kind == transfer.ENDED},
            call_ended=any(kind == "ended" for kind, *_ in mine),
            consulting={
                referent_id
                for kind, _, referent_id, _, _, _ in mine
                if kind == transfer.CONSULTED and referent_id
            },  # fmt: skip
            handed_over=any(kind == transfer.HANDED_OVER for kind, *_ in mine),
        )
    return busy


def _waiters(
    events: Sequence[_Event], offered: Sequence[OfferCall], *, now: datetime, window: timedelta
) -> tuple[Waiter, ...]:
    enqueued = {request_id for request_id, (kind, *_) in events if kind == "enqueued"}
    waiters = []
    for request_id, theirs in sorted(_by_request(events, enqueued).items()):
        facts = queue_facts_of(theirs, queue_time_s=None)
        if not is_waiting(facts) or facts.enqueued_at is None:
            continue
        mine = [o for o in offered if o.request_id == request_id]
        tried = {
            referent
            for kind, _, _, _, detail, _ in theirs
            if kind == "enqueued" and detail
            for referent in detail.split(",")
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


def _by_request(events: Sequence[_Event], requests: Set[int]) -> dict[int, list[Fact]]:
    """The events of these requests, by request."""
    grouped: dict[int, list[Fact]] = {}
    for request_id, fact in events:
        if request_id in requests:
            grouped.setdefault(request_id, []).append(fact)
    return grouped


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
