"""Twilio Programmable Voice webhooks: translate, call the core, store, render TwiML.

No decision is taken here: each handler finds the request and department, asks a
frontdoor.core.call_flow step what to do, records it, and renders the reply.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from frontdoor.core import call_flow
from frontdoor.core.calendar import opening_at
from frontdoor.core.call_flow import Menu
from frontdoor.core.department import Department
from frontdoor.core.numbers import is_withheld
from frontdoor.core.referrers import ReferrerType
from frontdoor.core.voice_actions import Outcome
from frontdoor.store.models import Request
from frontdoor.store.new_calls import NewCall, Stored, request_row
from frontdoor.store.requests import (
    accepted_by,
    apply_update,
    receipt,
    record_event,
    updated_columns,
)
from frontdoor.store.tasks import ensure_task, task_of_request
from frontdoor.voice import callback_webhooks, directory_webhooks
from frontdoor.voice.calls import department_called, request_of_call
from frontdoor.voice.twiml import STATUS_PATH, STEP_PATHS, VOICE_PATH, render
from frontdoor.web.keys import COUNTERS, KNOWN_CALLERS, NEW_CALLS, SESSIONS
from frontdoor.web.twilio_webhook import (
    TWIML,
    Unstored,
    Webhook,
    answer,
    twilio_webhook,
    verify,
)

log = logging.getLogger(__name__)

_NOT_IN_SERVICE = (
    '<?xml version="1.0" encoding="UTF-8"?><Response>'
    '<Say language="fr-FR" voice="Polly.Lea">Ce numéro n\'est pas attribué.</Say>'
    "<Hangup/></Response>"
)


async def incoming_call(http: web.Request) -> web.Response:
    """The first webhook of a call: answered as soon as the call's request is committed.

    It takes the group-commit path (frontdoor.store.new_calls) and reads known contacts from
    memory, so that nothing slow stands between the caller and the greeting. If the store
    cannot be reached, the caller is answered all the same.
    """
    app = http.app
    hook = await verify(http)
    department = department_called(app, hook.form.get("To", ""))
    if department is None:
        return answer(_NOT_IN_SERVICE, 200)
    call_sid = hook.form.get("CallSid")
    if not call_sid:
        raise web.HTTPBadRequest(text="CallSid missing")
    caller = hook.form.get("From")
    known = None if is_withheld(caller) else app[KNOWN_CALLERS].lookup(department.slug, caller)
    opening = opening_at(hook.now, department.calendar)
    reply = call_flow.incoming(department, at=hook.now, opening=opening, known=known)
    body = render(reply, department=department, caller_number=caller)

    row = request_row(
        department=department.slug,
        channel="voice",
        call_sid=call_sid,
        caller_number=caller,
        caller_name=known.name if known else None,
        received_at=hook.now,
        **updated_columns(reply.update, source="known_contact"),
    )
    new_call = NewCall(
        request=row,
        event={
            "at": hook.now,
            "kind": "incoming",
            "reasons": [reason.as_dict() for reason in reply.reasons],
        },
        receipt={
            "key": hook.key,
            "received_at": hook.now,
            "status": 200,
            "content_type": TWIML,
            "body": body,
        },
    )
    try:
        stored = await app[NEW_CALLS].store(new_call)
    except (SQLAlchemyError, OSError, ConnectionError):
        app[COUNTERS]["webhook_degraded"] += 1
        log.exception("store unavailable: call to %s answered without storing it", department.slug)
        return answer(body, 200)
    if stored is Stored.DUPLICATE:
        async with app[SESSIONS]() as session:
            earlier = await receipt(session=session, key=hook.key)
        return answer(earlier.body if earlier else body, 200)
    log.debug("call received: %s", department.slug)
    return answer(body, 200)


def _degraded_menu(unstored: Unstored) -> str:
    # Without the store the call still goes on, from the time of this step.
    department = department_called(unstored.app, unstored.form.get("To", ""))
    if department is None:
        return _NOT_IN_SERVICE
    reply = call_flow.menu(
        department,
        at=unstored.now,
        level=_menu_level(unstored.query),
        tries=_int(unstored.query, "try"),
        digits=unstored.form.get("Digits"),
    )
    return render(reply, department=department)


@twilio_webhook(degraded=_degraded_menu)
async def menu_choice(hook: Webhook) -> str:
    request, department = await request_of_call(hook, hook.form.get("CallSid", ""))
    digits = hook.form.get("Digits")
    reply = call_flow.menu(
        department,
        at=request.received_at,
        level=_menu_level(hook.query),
        tries=_int(hook.query, "try"),
        digits=digits,
    )
    apply_update(request, reply.update, source="menu")
    record_event(
        hook.session,
        request,
        kind="menu",
        at=hook.now,
        reply=reply,
        detail=f"{hook.query.get('level')}: {digits or 'aucune touche'}",
    )
    return render(reply, department=department, caller_number=request.caller_number)


@twilio_webhook()
async def dial_ended(hook: Webhook) -> str:
    request, department = await request_of_call(hook, hook.form.get("CallSid", ""))
    attempt = _int(hook.query, "attempt")
    status = hook.form.get("DialCallStatus", "failed")
    taker = await accepted_by(
        session=hook.session,
        request_id=request.id or 0,
        attempt=attempt,
        leg_sid=hook.form.get("DialCallSid"),
    )
    reply = call_flow.ring_ended(
        department, at=request.received_at, attempt=attempt, dial_status=status, accepted_by=taker
    )
    apply_update(request, reply.update)
    record_event(
        hook.session,
        request,
        kind="ring-ended",
        at=hook.now,
        reply=reply,
        attempt=attempt,
        referent_id=taker,
        detail=status,
    )
    return render(reply, department=department, caller_number=request.caller_number)


@twilio_webhook()
async def whisper(hook: Webhook) -> str:
    """A referent picked up: the screen they hear before the caller is put through."""
    request, department = await request_of_call(hook, hook.form.get("ParentCallSid", ""))
    attempt, referent_id = _int(hook.query, "attempt"), hook.query.get("referent", "")
    reply = call_flow.whisper(
        department,
        attempt=attempt,
        referent_id=referent_id,
        referrer=ReferrerType(request.referrer_type),
        caller_name=request.caller_name,
    )
    record_event(
        hook.session,
        request,
        kind="picked-up",
        at=hook.now,
        attempt=attempt,
        referent_id=referent_id,
        leg_sid=hook.form.get("CallSid"),
    )
    return render(reply, department=department)


@twilio_webhook()
async def accept(hook: Webhook) -> str:
    request, department = await request_of_call(hook, hook.form.get("ParentCallSid", ""))
    attempt, referent_id = _int(hook.query, "attempt"), hook.query.get("referent", "")
    digits = hook.form.get("Digits")
    reply = call_flow.accept(department, digits=digits)
    taken = digits == "1"
    if taken and request.answered_at is None:
        request.answered_at = hook.now
    record_event(
        hook.session,
        request,
        kind="accepted" if taken else "declined",
        at=hook.now,
        attempt=attempt,
        referent_id=referent_id,
        leg_sid=hook.form.get("CallSid"),
    )
    return render(reply, department=department)


@twilio_webhook()
async def message_recorded(hook: Webhook) -> str:
    request, department = await request_of_call(hook, hook.form.get("CallSid", ""))
    duration = _int(hook.form, "RecordingDuration")
    reply = call_flow.message_left(department, duration_s=duration)
    request.recording_url = hook.form.get("RecordingUrl")
    apply_update(request, reply.update)
    record_event(hook.session, request, kind="voicemail", at=hook.now, reply=reply)
    await _owe_callback(hook, request, department)
    return render(reply, department=department)


@twilio_webhook()
async def call_status(hook: Webhook) -> str:
    """Twilio's status callback: the call is over; settle what is still open."""
    request, department = await request_of_call(hook, hook.form.get("CallSid", ""))
    reply = call_flow.call_ended(
        outcome=Outcome(request.outcome), withheld_number=is_withheld(request.caller_number)
    )
    request.ended_at = hook.now
    if "CallDuration" in hook.form:
        request.duration_s = _int(hook.form, "CallDuration")
    apply_update(request, reply.update)
    await _owe_callback(hook, request, department)
    record_event(
        hook.session,
        request,
        kind="ended",
        at=hook.now,
        reply=reply,
        detail=hook.form.get("CallStatus"),
    )
    log.info("call ended: request %s, %s, %s", request.id, department.slug, request.outcome)
    return render(reply, department=department)


async def _owe_callback(hook: Webhook, request: Request, department: Department) -> None:
    """A request that needs a callback gets its task (deadline, owners) once."""
    if not request.callback_needed or request.id is None:
        return
    if await task_of_request(session=hook.session, request_id=request.id) is not None:
        return
    task = await ensure_task(session=hook.session, request=request, department=department)
    event = record_event(hook.session, request, kind="callback-task", at=hook.now)
    event.reasons = list(task.reasons)


def _menu_level(query: Mapping[str, str]) -> Menu:
    try:
        return Menu(query.get("level", "who"))
    except ValueError:
        raise web.HTTPBadRequest(text="unknown menu") from None


def _int(values: Mapping[str, str], key: str) -> int:
    try:
        return int(values.get(key, "0"))
    except ValueError:
        raise web.HTTPBadRequest(text=f"{key}: expected a whole number") from None


def add_routes(app: web.Application) -> None:
    app.router.add_post(VOICE_PATH, incoming_call)
    app.router.add_post(STATUS_PATH, call_status)
    app.router.add_post(STEP_PATHS["menu"], menu_choice)
    app.router.add_post(STEP_PATHS["dialed"], dial_ended)
    app.router.add_post(STEP_PATHS["whisper"], whisper)
    app.router.add_post(STEP_PATHS["accept"], accept)
    app.router.add_post(STEP_PATHS["message"], message_recorded)
    callback_webhooks.add_routes(app)
    directory_webhooks.add_routes(app)
