"""Twilio webhooks of the queue (core.waiting): the waiting caller's hold document, their key,
their leaving the queue; the call offering them to a referent free again, her key, the caller
joining her (<Queue url>), the end of their conversation, and the end of the offer call."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from aiohttp import web

from frontdoor.core import call_flow, waiting
from frontdoor.core.department import Department
from frontdoor.core.referrers import ReferrerType
from frontdoor.core.voice_actions import Enqueue, Hangup, Next, Reply
from frontdoor.kit.twilio_webhook import Degraded, Handler, Webhook
from frontdoor.store.models import Request
from frontdoor.store.requests import apply_update, event_row, record_event
from frontdoor.store.waiting import request_taken_on_leg
from frontdoor.voice import outage
from frontdoor.voice.calls import (
    call_department_of,
    referent_of,
    request_of_call,
    whole_number,
)
from frontdoor.voice.overflow_webhooks import note_overflow
from frontdoor.voice.queue_offers import offer_waiting
from frontdoor.voice.settling import settle_call
from frontdoor.voice.twiml import STEP_PATHS, render


def enqueued_events(
    hook: Webhook, request: Request, department: Department, reply: Reply
) -> list[dict[str, Any]]:
    """A step that answers <Enqueue>: the caller waits from now; someone may be free."""
    rows = []
    for action in reply.actions:
        if isinstance(action, Enqueue):
            # Who was rung for them already (not offered them again): the event's detail.
            rows.append(event_row(request, kind="enqueued", at=hook.now,
                                  detail=",".join(action.tried) or None))  # fmt: skip
            hook.after_commit.append(partial(offer_waiting, hook.app, department, hook.now))
    return rows


async def hold(hook: Webhook) -> str:
    """The wait URL, asked again and again while the caller waits."""
    request, department = await request_of_call(hook, hook.form.get("CallSid", ""))
    waited = whole_number(hook.form, "QueueTime")
    request.queue_wait_s = max(request.queue_wait_s or 0, waited)
    hook.session.add(request)
    reply = waiting.hold(
        department,
        position=whole_number(hook.form, "QueuePosition"),
        waited_s=waited,
        max_wait_s=department.ringing.max_wait_s,
    )
    if reply.reasons:
        record_event(hook.session, request, kind="queue-max-wait", at=hook.now, reply=reply)
    # While callers wait, each of their waits looks for a referent free again.
    hook.after_commit.append(partial(offer_waiting, hook.app, department, hook.now))
    return render(reply, department=department)


async def hold_key(hook: Webhook) -> str:
    request, department = await request_of_call(hook, hook.form.get("CallSid", ""))
    reply = waiting.hold_key(department, digits=hook.form.get("Digits"))
    if reply.reasons:
        record_event(hook.session, request, kind="queue-message-key", at=hook.now, reply=reply)
    return render(reply, department=department)


async def left(hook: Webhook) -> str:
    """The <Enqueue> action: the caller is out of the queue (QueueResult)."""
    request, department = await request_of_call(hook, hook.form.get("CallSid", ""))
    result = hook.form.get("QueueResult", "error")[:40]
    if "QueueTime" in hook.form:
        request.queue_wait_s = max(request.queue_wait_s or 0, whole_number(hook.form, "QueueTime"))
    reply = call_flow.queue_left(
        department, at=request.received_at, result=result, waited_s=request.queue_wait_s
    )
    apply_update(request, reply.update)
    record_event(hook.session, request, kind="queue-left", at=hook.now, reply=reply, detail=result)
    note_overflow(hook, request, department, reply)
    await settle_call(hook, request, department)
    return render(reply, department=department, caller_number=request.caller_number)


async def offer(hook: Webhook) -> str:
    """The offer call answered: the referent hears the caller's whisper."""
    request, department = await _offered(hook)
    referent_id = referent_of(hook.query, department)
    reply = call_flow.whisper(
        department,
        attempt=waiting.FROM_THE_QUEUE,
        referent_id=referent_id,
        referrer=ReferrerType(request.referrer_type),
        caller_name=request.caller_name,
        then=Next(
            step="queue-accept",
            params=(("call", request.call_sid or ""), ("referent", referent_id)),
        ),
    )
    return render(reply, department=department)


async def offer_key(hook: Webhook) -> str:
    request, department = await _offered(hook)
    referent_id = referent_of(hook.query, department)
    digits = hook.form.get("Digits")
    reply = waiting.offer_accepted(department, digits=digits, referent_id=referent_id)
    if digits != "1":
        record_event(hook.session, request, kind="queue-offer-declined", at=hook.now,
                     referent_id=referent_id, leg_sid=hook.form.get("CallSid"))  # fmt: skip
    return render(reply, department=department)


async def joining(hook: Webhook) -> str:
    """<Queue url>: run on the caller taken out of the queue, before the bridge. Who was
    taken is known here (CallSid), whoever the offer was for."""
    request, department = await request_of_call(hook, hook.form.get("CallSid", ""))
    referent_id = referent_of(hook.query, department)
    if "QueueTime" in hook.form:
        request.queue_wait_s = max(request.queue_wait_s or 0, whole_number(hook.form, "QueueTime"))
    record_event(hook.session, request, kind="accepted", at=hook.now,
                 attempt=waiting.FROM_THE_QUEUE, referent_id=referent_id,
                 leg_sid=hook.form.get("DequeingCallSid"))  # fmt: skip
    await settle_call(hook, request, department)
    return render(waiting.queue_joining(department), department=department)


async def dialed(hook: Webhook) -> str:
    """The referent's <Dial><Queue> is over: her conversation with the caller ended (or the
    queue had nobody left)."""
    department = call_department_of(hook)
    if department is None:
        raise web.HTTPNotFound(text="unknown call")
    leg_sid = hook.form.get("CallSid", "")
    request = await request_taken_on_leg(hook.session, department=department.slug, leg_sid=leg_sid)
    if request is not None:
        status = hook.form.get("DialCallStatus", "failed")
        record_event(hook.session, request, kind="ring-ended", at=hook.now,
                     attempt=waiting.FROM_THE_QUEUE, leg_sid=leg_sid, detail=status)  # fmt: skip
        await settle_call(hook, request, department)
    return render(Reply(actions=(Hangup(),)), department=department)


async def offer_ended(hook: Webhook) -> str:
    """The offer call's status callback: the referent is free again for the next caller."""
    request, department = await _offered(hook)
    record_event(hook.session, request, kind="queue-offer-ended", at=hook.now,
                 referent_id=referent_of(hook.query, department),
                 leg_sid=hook.form.get("CallSid"), detail=hook.form.get("CallStatus"))  # fmt: skip
    hook.after_commit.append(partial(offer_waiting, hook.app, department, hook.now))
    return outage.NOTHING_TO_SAY


async def _offered(hook: Webhook) -> tuple[Request, Department]:
    """The waiting caller an offer call was placed for (`call` in its signed URL: their
    CallSid), a call of the department the URL names (403 if the signer does not own it)."""
    department = call_department_of(hook)
    if department is None:
        raise web.HTTPNotFound(text="unknown call")
    found = await hook.call(hook.query.get("call", ""), department)
    if found is None:
        raise web.HTTPNotFound(text="no such waiting call")
    return found


# Each step of the queue: its path, its handler, its answer while the store is unreachable
# (served, journaled and replayed with the call's other steps: frontdoor.voice.webhooks).
QUEUE_STEPS: Mapping[str, tuple[Handler, Degraded]] = {
    STEP_PATHS["queue-wait"]: (hold, outage.queue_hold),
    STEP_PATHS["queue-key"]: (hold_key, outage.queue_key),
    STEP_PATHS["queue-left"]: (left, outage.queue_left),
    STEP_PATHS["queue-offer"]: (offer, outage.queue_offer),
    STEP_PATHS["queue-accept"]: (offer_key, outage.queue_offer),
    STEP_PATHS["queue-joining"]: (joining, outage.queue_joining),
    STEP_PATHS["queue-dialed"]: (dialed, outage.queue_offer),
    STEP_PATHS["queue-offer-status"]: (offer_ended, outage.recording),
}
