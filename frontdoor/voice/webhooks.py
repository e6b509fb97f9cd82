"""Twilio Programmable Voice webhooks: translate, call the core, store, render TwiML.

No decision is taken here: each handler finds the request and department, asks a
frontdoor.core.call_flow step what to do, records it, and renders the reply. While the store
is unreachable each step answers from memory (frontdoor.voice.outage) and is kept in the
outage journal; the same handlers write it to the store later (frontdoor.voice.replay).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Set
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from frontdoor.core import call_flow, menus, transfer
from frontdoor.core.calendar import opening_at
from frontdoor.core.department import Department
from frontdoor.core.menus import Menu
from frontdoor.core.notices import voicemail_notice
from frontdoor.core.numbers import is_withheld
from frontdoor.core.referrers import ReferrerType
from frontdoor.core.sms import voicemail_notification
from frontdoor.core.voice_actions import Outcome, Reply
from frontdoor.keys import KNOWN_CALLERS, NEW_CALLS, SESSIONS
from frontdoor.kit.patience import patiently
from frontdoor.kit.referent_notices import Notice, tell_referents
from frontdoor.kit.runtime import JOB_RUNTIME
from frontdoor.kit.twilio_webhook import (
    TWIML,
    Degraded,
    Handler,
    Verified,
    Webhook,
    answer,
    answered_sid,
    keep_in_journal,
    twilio_webhook,
    verify,
    webhook_of,
)
from frontdoor.sms.incoming import texts_of
from frontdoor.store.closing import close_if_only_informed
from frontdoor.store.models import Request
from frontdoor.store.new_calls import REQUEST_DEFAULTS, NewCall, Stored, request_row
from frontdoor.store.requests import (
    RequestChanges,
    apply_update,
    began_earlier,
    event_row,
    first_event,
    insert_events,
    receipt,
    record_event,
    ring_end,
    updated_columns,
)
from frontdoor.store.waiting import line_state
from frontdoor.voice import (
    browser_webhooks,
    callback_webhooks,
    directory_webhooks,
    orientation_webhooks,
    outage,
    overflow_webhooks,
    queue_webhooks,
    transfer_webhooks,
)
from frontdoor.voice.calls import (
    MAX_CALL_SID,
    department_called,
    referent_of,
    request_of_call,
    storable_number,
    whole_number,
)
from frontdoor.voice.overflow_webhooks import overflow_events
from frontdoor.voice.queue_offers import offer_waiting
from frontdoor.voice.queue_webhooks import enqueued_events
from frontdoor.voice.recordings import bring_home_quietly
from frontdoor.voice.settling import settle_call
from frontdoor.voice.speech import menu_detail, menu_reply
from frontdoor.voice.twiml import STATUS_PATH, STEP_PATHS, VOICE_PATH, render

log = logging.getLogger(__name__)

_NOT_IN_SERVICE = outage.NOT_IN_SERVICE


@dataclass(kw_only=True, frozen=True)
class FirstAnswer:
    """What the first webhook of a call decides, before anything is stored."""

    department: Department
    reply: Reply
    body: str  # the TwiML
    row: Mapping[str, Any]  # its `requests` row, without id


def first_answer(
    app: web.Application, department: Department, form: Mapping[str, str], now: datetime
) -> FirstAnswer:
    """The greeting and what follows, from memory only."""
    caller = form.get("From")
    known = None if is_withheld(caller) else app[KNOWN_CALLERS].lookup(department.slug, caller)
    reply = menus.incoming(
        department, at=now, opening=opening_at(now, department.calendar), known=known
    )
    row = request_row(
        department=department.slug,
        channel="voice",
        call_sid=form.get("CallSid"),
        caller_number=storable_number(caller),
        caller_name=known.name if known else None,
        received_at=now,
        **updated_columns(reply.update, source="known_contact"),
    )
    body = render(reply, department=department, caller_number=caller)
    return FirstAnswer(department=department, reply=reply, body=body, row=row)


async def incoming_call(http: web.Request) -> web.Response:
    """The first webhook of a call: answered as soon as the call's request is committed.

    It takes the group-commit path (frontdoor.store.new_calls) and reads known contacts from
    memory, so that nothing slow stands between the caller and the greeting. If the store
    cannot be reached, the caller is answered all the same.
    """
    app = http.app
    hook = await verify(http)
    if not hook.form.get("CallSid"):
        raise web.HTTPBadRequest(text="CallSid missing")
    if len(hook.form["CallSid"]) > MAX_CALL_SID:  # not Twilio's; the store could not hold it
        raise web.HTTPBadRequest(text="CallSid too long")
    # verify() refused a number of a department the signer does not own.
    department = department_called(app, hook.form.get("To", ""))
    if department is None:
        # No department's call: a call is its department's and its CallSid, so this CallSid
        # names nobody's call, whatever another department's calls are.
        return answer(_NOT_IN_SERVICE, 200)
    first = first_answer(app, department, hook.form, hook.now)
    new_call = NewCall(
        request=first.row,
        event={
            "at": hook.now,
            "kind": "incoming",
            "reasons": [reason.as_dict() for reason in first.reply.reasons],
        },
        receipt={
            "key": hook.key,
            "received_at": hook.now,
            "provider_sid": answered_sid(hook.form),
            "status": 200,
            "content_type": TWIML,
            "body": first.body,
        },
    )
    try:
        body = await patiently(app, _store_first(app, hook, new_call, department))
    except (SQLAlchemyError, OSError, ConnectionError) as error:
        # The caller hears the greeting all the same; the call waits in the journal.
        await keep_in_journal(
            app, path=http.path, verified=hook, body=first.body, why=type(error).__name__
        )
        return answer(first.body, 200)
    return answer(body, 200)


async def _store_first(
    app: web.Application, hook: Verified, new_call: NewCall, department: Department
) -> str:
    """Commit a call's first rows; the answer to give (for a retry, the one given then)."""
    body: str = new_call.receipt["body"]
    if await app[NEW_CALLS].store(new_call) is Stored.NEW:
        log.debug("call received: %s", new_call.request["department"])
        return body
    async with app[SESSIONS]() as session:
        # A retry, or another account naming this call: the call must be its own.
        await webhook_of(hook, session=session, app=app).call(
            new_call.request["call_sid"], department
        )
        earlier = await receipt(session=session, key=hook.key)
    return earlier.body if earlier else body


async def incoming_replayed(hook: Webhook) -> str:
    """The first webhook of a call, written from the journal: joins the call if it is there."""
    department = hook.department_called(hook.form.get("To", ""))
    if department is None:
        raise web.HTTPGone(text="no department has this number any more")
    first = first_answer(hook.app, department, hook.form, hook.now)
    found = await hook.call(first.row["call_sid"], department)
    if found is None:
        request = Request(**first.row)
        hook.session.add(request)
        await hook.session.flush()
    else:
        request, _ = found
        # Its later steps reached the store first (created it late): keep what they set.
        for name, default in REQUEST_DEFAULTS.items():
            if getattr(request, name) == default:
                setattr(request, name, first.row[name])
        began_earlier(request, at=hook.now, out_of_hours=first.row["out_of_hours"])
    record_event(hook.session, request, kind="incoming", at=hook.now, reply=first.reply)
    await settle_call(hook, request, department)
    return first.body


async def menu_choice(hook: Webhook) -> str:
    request, department = await request_of_call(hook, hook.form.get("CallSid", ""))
    level, tries = _menu_level(hook.query), whole_number(hook.query, "try")

    def decide(*, busy: Set[str], waiting: int) -> Reply:
        return menu_reply(
            department,
            at=request.received_at,
            level=level,
            tries=tries,
            form=hook.form,
            query=hook.query,
            busy=busy,
            waiting=waiting,
        )

    try:
        reply = await _hunting(hook, department, decide)
    except ValueError:
        raise web.HTTPBadRequest(text="confirmation: unknown value") from None
    # Said or keyed, a choice is stored the same way (what was said is not kept). The step's
    # events and its request's changes are written by plain statements, no ORM flush: the
    # events first (settling reads them back), the request's columns in one UPDATE.
    changes = RequestChanges(request)
    changes.set(updated_columns(reply.update, source="menu"))
    said = menu_detail(hook.query.get("level"), hook.form)
    await insert_events(hook.session, [
        event_row(request, kind="menu", at=hook.now, reply=reply, detail=said),
        *enqueued_events(hook, request, department, reply),
        *overflow_events(hook, request, department, reply),
    ])  # fmt: skip
    await settle_call(hook, request, department, changes=changes)
    await changes.write(hook.session)
    return render(reply, department=department, caller_number=request.caller_number)


async def dial_ended(hook: Webhook) -> str:
    request, department = await request_of_call(hook, hook.form.get("CallSid", ""))
    attempt = whole_number(hook.query, "attempt")
    status = hook.form.get("DialCallStatus", "failed")
    leg_sid = hook.form.get("DialCallSid")
    # Who took this ring, and whether her leg left to speak to a transfer's target.
    taker, consulting = await ring_end(
        session=hook.session, request_id=request.id or 0, attempt=attempt, leg_sid=leg_sid
    )
    reply = await _hunting(
        hook,
        department,
        partial(
            call_flow.ring_ended,
            department,
            at=request.received_at,
            attempt=attempt,
            dial_status=status,
            accepted_by=taker,
        ),
    )
    attempts = max(request.attempts or 0, reply.update.attempts or 0)  # in any order
    changes = RequestChanges(request)
    changes.set({**updated_columns(reply.update), "attempts": attempts})
    ring_ended = event_row(request, kind="ring-ended", at=hook.now, reply=reply, attempt=attempt,
                           referent_id=taker, leg_sid=leg_sid, detail=status)  # fmt: skip
    await insert_events(hook.session, [
        ring_ended,
        *enqueued_events(hook, request, department, reply),
        *overflow_events(hook, request, department, reply),
    ])  # fmt: skip
    # The referent's leg left to speak to a transfer's target: the caller waits meanwhile.
    reply = transfer.after_ring(reply, department, consulting=consulting,
                                request_id=request.id or 0)  # fmt: skip
    # The final state is settled from every fact received, not from this one's arrival.
    await settle_call(hook, request, department, changes=changes)
    await changes.write(hook.session)
    # A referent's conversation may be over: she is free for whoever waits.
    hook.after_commit.append(partial(offer_waiting, hook.app, department, hook.now))
    return render(reply, department=department, caller_number=request.caller_number)


async def whisper(hook: Webhook) -> str:
    """A referent picked up: the screen they hear before the caller is put through."""
    request, department = await request_of_call(hook, hook.form.get("ParentCallSid", ""))
    attempt, referent_id = whole_number(hook.query, "attempt"), referent_of(hook.query, department)
    reply = call_flow.whisper(
        department,
        attempt=attempt,
        referent_id=referent_id,
        referrer=ReferrerType(request.referrer_type),
        caller_name=request.caller_name,
    )
    picked_up = event_row(request, kind="picked-up", at=hook.now, attempt=attempt,
                          referent_id=referent_id, leg_sid=hook.form.get("CallSid"))  # fmt: skip
    await insert_events(hook.session, [picked_up])
    return render(reply, department=department)


async def accept(hook: Webhook) -> str:
    request, department = await request_of_call(hook, hook.form.get("ParentCallSid", ""))
    attempt, referent_id = whole_number(hook.query, "attempt"), referent_of(hook.query, department)
    digits = hook.form.get("Digits")
    reply = call_flow.accept(department, digits=digits)
    # Pressing 1 is a fact; the call is taken (answered_at) only once its ring bridged this
    # leg, whichever of the two Twilio reports first (core.call_settlement).
    taken = digits == "1"
    leg_sid = hook.form.get("CallSid")
    pressed = event_row(request, kind="accepted" if taken else "declined", at=hook.now,
                        attempt=attempt, referent_id=referent_id, leg_sid=leg_sid)  # fmt: skip
    await insert_events(hook.session, [pressed])
    changes = RequestChanges(request)
    await settle_call(hook, request, department, changes=changes)
    await changes.write(hook.session)
    return render(reply, department=department)


async def message_recorded(hook: Webhook) -> str:
    request, department = await request_of_call(hook, hook.form.get("CallSid", ""))
    duration = whole_number(hook.form, "RecordingDuration")
    reply = call_flow.message_left(department, duration_s=duration)
    request.recording_url = hook.recording()
    apply_update(request, reply.update)
    record_event(hook.session, request, kind="voicemail", at=hook.now, reply=reply)
    await settle_call(hook, request, department)
    return render(reply, department=department)


async def recording_status(hook: Webhook) -> str:
    """Twilio's recording status callback: a voicemail complete at Twilio is brought home
    (frontdoor.voice.recordings) once this is committed; the recordings job retries."""
    request, department = await request_of_call(hook, hook.form.get("CallSid", ""))
    if hook.form.get("RecordingStatus") == "completed" and request.recording_key is None:
        request.recording_url = request.recording_url or hook.recording()
        hook.session.add(request)
        hook.after_commit.append(
            partial(bring_home_quietly, hook.app[JOB_RUNTIME], request.id or 0)
        )
        await _tell_of_voicemail(hook, request, department)
    return outage.NOTHING_TO_SAY


async def _tell_of_voicemail(hook: Webhook, request: Request, department: Department) -> None:
    """The referents on duty hear of a message left in opening hours (without its content),
    once it is complete at Twilio: nobody waits on this callback's answer, the caller has
    hung up."""
    session, request_id = hook.session, request.id or 0
    left = await first_event(session=session, request_id=request_id, kind="voicemail")
    if left is None:
        return
    told = await first_event(session=session, request_id=request_id, kind="voicemail-notified")
    notice = voicemail_notice(
        department,
        left_at=left.at,
        opening=opening_at(left.at, department.calendar),
        already_told=told is not None,
    )
    if notice is None:
        return
    text = voicemail_notification(
        department, request_id=request_id, texts=texts_of(hook.app, department)
    )
    hook.after_commit.append(
        partial(
            tell_referents,
            hook.app,
            Notice(
                department=department,
                request_id=request_id,
                referent_ids=notice.referent_ids,
                text=text,
                at=hook.now,
                kind="voicemail-notified",
            ),
        )
    )


async def call_status(hook: Webhook) -> str:
    """Twilio's status callback: the call is over; settle what is still open."""
    request, department = await request_of_call(hook, hook.form.get("CallSid", ""))
    reply = call_flow.call_ended(
        outcome=Outcome(request.outcome), withheld_number=is_withheld(request.caller_number)
    )
    changes = RequestChanges(request)
    changes.set({"ended_at": hook.now})
    if "CallDuration" in hook.form:
        changes.set({"duration_s": whole_number(hook.form, "CallDuration")})
    ended = event_row(request, kind="ended", at=hook.now, reply=reply,
                      detail=hook.form.get("CallStatus"))  # fmt: skip
    await insert_events(hook.session, [ended])
    await settle_call(hook, request, department, changes=changes)
    await changes.write(hook.session)
    # Over with only the directory's answer (key 9): nothing left for a referent.
    close_if_only_informed(hook.session, request, at=hook.now)
    # A referent on this call is free again for whoever waits in the queue.
    hook.after_commit.append(partial(offer_waiting, hook.app, department, hook.now))
    log.info("call ended: request %s, %s, %s", request.id, department.slug, request.outcome)
    return render(reply, department=department)


async def _hunting(hook: Webhook, department: Department, decide: Callable[..., Reply]) -> Reply:
    """A step's decision (`decide(busy=…, waiting=…)`), reading who is on a call and how many
    callers wait only when it rings (core.call_flow.NOT_READ)."""
    try:
        return decide(busy=call_flow.NOT_READ, waiting=0)
    except call_flow.HuntNotRead:
        pass
    if hook.journaled_answer is not None:
        # Replayed from the journal: its answer was given from memory, which rang them
        # (frontdoor.voice.outage), and stands.
        return decide(busy=frozenset(), waiting=0)
    line = await line_state(hook.session, department=department, now=hook.now)
    # The callers waiting count only where a full queue sends calls to the overflow line.
    overflow = department.overflow
    counted = overflow is not None and overflow.when_waiting is not None
    return decide(busy=line.busy, waiting=len(line.waiters) if counted else 0)


def _menu_level(query: Mapping[str, str]) -> Menu:
    try:
        return Menu(query.get("level", "who"))
    except ValueError:
        raise web.HTTPBadRequest(text="unknown menu") from None


# Each step of a call after the first: its path, its handler (served, or replayed from the
# journal), and its answer from memory while the store is unreachable.
STEPS: Mapping[str, tuple[Handler, Degraded]] = {
    STATUS_PATH: (call_status, outage.ended),
    STEP_PATHS["menu"]: (menu_choice, outage.menu),
    STEP_PATHS["dialed"]: (dial_ended, outage.dialed),
    STEP_PATHS["whisper"]: (whisper, outage.whisper),
    STEP_PATHS["accept"]: (accept, outage.accept),
    STEP_PATHS["message"]: (message_recorded, outage.message),
    STEP_PATHS["recording"]: (recording_status, outage.recording),
    **queue_webhooks.QUEUE_STEPS,
    **orientation_webhooks.ORIENTATION_STEPS,
    **overflow_webhooks.OVERFLOW_STEPS,
    **transfer_webhooks.TRANSFER_STEPS,
}
# How each journaled webhook is written to the store.
REPLAYED: Mapping[str, Handler] = {
    VOICE_PATH: incoming_replayed,
    **{path: handler for path, (handler, _) in STEPS.items()},
}


def add_routes(app: web.Application) -> None:
    app.router.add_post(VOICE_PATH, incoming_call)
    for path, (handler, degraded) in STEPS.items():
        app.router.add_post(path, twilio_webhook(degraded=degraded)(handler))
    callback_webhooks.add_routes(app)
    browser_webhooks.add_routes(app)
    directory_webhooks.add_routes(app)
