"""Offering the longest-waiting caller to a referent free again (core.waiting.offers): a call
placed to her phone from the department's number, whose whisper asks her to press 1 and then
takes the caller out of the queue. Done once what freed her is committed; a failure to place
the call is logged without personal data, and the caller keeps waiting (nothing is lost: the
next wait or the longest wait decides again)."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from aiohttp import web

from frontdoor.core.department import Department
from frontdoor.core.routing import plan_route
from frontdoor.core.voice_actions import Next
from frontdoor.core.waiting import Offer, offers
from frontdoor.keys import OFFERING, SESSIONS, SETTINGS
from frontdoor.kit.twilio_accounts import twilio_api_for
from frontdoor.outbound.errors import OutboundError, cause_of
from frontdoor.store.models import Request
from frontdoor.store.requests import record_event
from frontdoor.store.waiting import line_state
from frontdoor.voice.twiml import url_of

log = logging.getLogger(__name__)


async def offer_waiting(app: web.Application, department: Department, now: datetime) -> None:
    """Offer each waiting caller, longest-waiting first, to a referent free to take them;
    one offer at a time per department here, so that two steps ending together do not offer
    the same caller twice."""
    async with app[OFFERING].setdefault(department.slug, asyncio.Lock()):
        await _offer(app, department, now)


async def _offer(app: web.Application, department: Department, now: datetime) -> None:
    async with app[SESSIONS]() as session:
        line = await line_state(session, department=department, now=now)
        waiters, busy = line.waiters, line.busy
        if not waiters:
            return
        # The referents the hunt would ring, in its order: on duty, then the backup list.
        plan = plan_route(department, now)
        people = list(dict.fromkeys(r.id for a in plan.attempts for r in a.referents))
        for offer in offers(waiters, on_duty=people, busy=busy):
            request = await session.get(Request, offer.request_id)
            if request is None or request.call_sid is None:
                continue
            leg_sid = await _place(app, department, offer, call_sid=request.call_sid)
            if leg_sid is None:
                continue
            event = record_event(
                session, request, kind="queue-offered", at=now,
                referent_id=offer.referent_id, leg_sid=leg_sid,
            )  # fmt: skip
            event.reasons = [offer.reason.as_dict()]
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
            to=referent.phone,
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
