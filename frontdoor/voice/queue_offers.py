"""Offering the longest-waiting caller to a referent free again (core.waiting.offers): a call
placed to her phone from the department's number, whose whisper asks her to press 1 and then
takes the caller out of the queue. Done once what freed her is committed; a failure to place
the call is logged without personal data, and the caller keeps waiting (nothing is lost: the
next wait or the longest wait decides again)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime

from aiohttp import web

from frontdoor.core.department import Department
from frontdoor.core.routing import plan_route
from frontdoor.core.voice_actions import Next
from frontdoor.core.waiting import Offer, offers
from frontdoor.keys import SESSIONS, SETTINGS
from frontdoor.kit.twilio_accounts import twilio_api_for
from frontdoor.outbound.errors import OutboundError, cause_of
from frontdoor.store.models import Request
from frontdoor.store.requests import event_row, insert_events
from frontdoor.store.waiting import line_state
from frontdoor.voice.twiml import url_of

log = logging.getLogger(__name__)


@dataclass(kw_only=True)
class OfferTurns:
    """A department's offers in this instance: one pass at a time, so that two steps ending
    together do not offer the same caller twice; and at most one pass waiting for its turn."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    # The time the pass waiting for its turn will take (the latest of the steps it stands
    # for); None: no pass waits.
    next_at: datetime | None = None


# Each department's offers in this instance, by slug.
OFFERING = web.AppKey("offering", dict[str, OfferTurns])


async def offer_waiting(app: web.Application, department: Department, now: datetime) -> None:
    """Offer each waiting caller, longest-waiting first, to a referent free to take them.

    Called once a step that may free a referent is committed. A pass already waiting for its
    turn reads the store once it has it, so it sees this step's changes too: this step joins
    it rather than queueing behind it (many calls ending together make one pass, not one
    each, and none of their answers waits for the others' passes)."""
    turns = app[OFFERING].setdefault(department.slug, OfferTurns())
    if turns.next_at is not None:
        turns.next_at = max(turns.next_at, now)
        return
    turns.next_at = now
    async with turns.lock:
        at, turns.next_at = turns.next_at, None
        await _offer(app, department, at)


async def _offer(app: web.Application, department: Department, now: datetime) -> None:
    # Read, ring, then record, each apart: ringing waits for Twilio (up to 15 s a call), and a
    # session open meanwhile would hold a connection — with SQLite the only one, which every
    # webhook of every call would wait for.
    async with app[SESSIONS]() as session:
        line = await line_state(session, department=department, now=now)
        if not line.waiters:
            return
        # The referents the hunt would ring, in its order: on duty, then the backup list.
        plan = plan_route(department, now)
        people = list(dict.fromkeys(r.id for a in plan.attempts for r in a.referents))
        chosen: list[tuple[Offer, Request, str]] = []
        for offer in offers(line.waiters, on_duty=people, busy=line.busy):
            request = await session.get(Request, offer.request_id)
            if request is not None and request.call_sid is not None:
                chosen.append((offer, request, request.call_sid))
    events = []
    for offer, request, call_sid in chosen:
        leg_sid = await _place(app, department, offer, call_sid=call_sid)
        if leg_sid is not None:
            row = event_row(request, kind="queue-offered", at=now,
                            referent_id=offer.referent_id, leg_sid=leg_sid)  # fmt: skip
            events.append({**row, "reasons": [offer.reason.as_dict()]})
    if events:
        async with app[SESSIONS]() as session:
            await insert_events(session, events)
            await session.commit()


async def _place(
    app: web.Application, department: Department, offer: Offer, *, call_sid: str
) -> str | None:
    """Ring the referent; the call's URLs name the waiting caller's call (its CallSid)."""
    referent = department.referents[offer.referent_id]
    params = (("call", call_sid), ("referent", offer.referent_id))
    base = app[SETTINGS].public_url
    try:
        return await twilio_api_for(app, department.slug).place_call(
            to=referent.called_at,
            from_=department.number,
            url=base + url_of(Next(step="queue-offer", params=params), department),
            status_callback=base
            + url_of(Next(step="queue-offer-status", params=params), department),
            timeout_s=department.ringing.timeout_s,
        )
    except OutboundError as error:
        log.warning(
            "demande %s : l'appel qui la propose au référent %s n'est pas parti (%s)",
            offer.request_id,
            offer.referent_id,
            cause_of(error),
        )
        return None
