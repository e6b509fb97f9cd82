"""Twilio's messaging webhook: an SMS to a department's number becomes (or joins) a request.

`POST /twilio/sms`, signed as every Twilio webhook (frontdoor.kit.twilio_webhook): a retry of
the same post gets the same answer and changes nothing; a MessageSid already stored is never
stored twice. The decision is frontdoor.core.sms.inbound's; this module reads the form, stores
the request, the message, the opt-out and the event, and answers TwiML. The referents are told
by SMS only once all that is committed and the answer sent: a failure to tell them is logged
(without the sender's number or words) and loses nothing.

While the store is unreachable the SMS is answered from memory and kept in the outage journal
(frontdoor.sms.outage); the replay brings it back here, at the time it arrived, with the
answer the sender got then (`Webhook.journaled_answer`): it is filed as that answer, and the
referents are told once the replay has committed it.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from dataclasses import replace
from functools import partial

from aiohttp import web

from frontdoor.core.calendar import opening_at
from frontdoor.core.department import Department
from frontdoor.core.numbers import is_withheld
from frontdoor.core.sms import (
    SmsAction,
    SmsReply,
    as_already_answered,
    inbound,
    notification,
    segments,
)
from frontdoor.keys import SETTINGS
from frontdoor.kit.rate_limits import count_sms_answer, may_answer_by_sms
from frontdoor.kit.referent_notices import Notice, tell_referents
from frontdoor.kit.twilio_webhook import Webhook, twilio_webhook
from frontdoor.sms.directory_queries import answer_directory_query
from frontdoor.sms.incoming import (
    SMS_PATH,
    IncomingSms,
    classified_sender,
    parse,
    replied,
    texts_of,
    twiml,
)
from frontdoor.sms.outage import unstored_sms
from frontdoor.store.closing import reopen_if_written_again
from frontdoor.store.models import Message, Request
from frontdoor.store.requests import began_earlier, record_event
from frontdoor.store.sms import (
    hold_sender,
    is_opted_out,
    last_acknowledged_at,
    last_notified_at,
    open_sms_request,
    opt_in,
    opt_out,
)
from frontdoor.store.tasks import ensure_task

log = logging.getLogger(__name__)

__all__ = ["SMS_PATH", "add_routes", "store_sms"]


# What the handler decided to send after the commit, handed to the endpoint around it.
_NOTICES: ContextVar[list[Notice] | None] = ContextVar("sms_notices", default=None)


async def incoming_sms(http: web.Request) -> web.StreamResponse:
    notices: list[Notice] = []
    token = _NOTICES.set(notices)
    try:
        response = await _store_and_answer(http)
    finally:
        _NOTICES.reset(token)
    if notices:
        # Twilio has its answer before the referents' phones are reached.
        await response.prepare(http)
        await response.write_eof()
        for notice in notices:
            await tell_referents(http.app, notice)
    return response


async def store_sms(hook: Webhook) -> str:
    """File the SMS (a new request, a further message, an opt-out…) and answer it."""
    sms = parse(hook.form)
    department = hook.department_called(sms.to)
    if department is None:
        log.warning("SMS to a number no department answers")
        return twiml(None)
    session = hook.session
    key = hook.app[SETTINGS].pseudonym_secret
    await hold_sender(session=session, department=department.slug, number=sms.sender, key=key)
    # Stored already, under an answer of its own. A message is its department's and its
    # MessageSid: the same MessageSid sent to another department is another message.
    if await hook.message(hook.form.get("MessageSid", ""), department) is not None:
        return twiml(None)
    # A replay from the journal was answered already: its answer stands.
    may_reply = hook.journaled_answer is not None or may_answer_by_sms(
        hook.app, department.slug, sms.sender
    )
    answer = await answer_directory_query(
        hook, department, sender=sms.sender, text=sms.body, sid=sms.sid, may_reply=may_reply
    )
    if answer is not None:
        return _answered(hook, department, sms.sender, answer)
    request = await open_sms_request(
        session=session, department=department.slug, number=sms.sender, at=hook.now
    )
    decision = inbound(
        department,
        at=hook.now,
        opening=opening_at(hook.now, department.calendar),
        text=sms.body,
        opted_out=await is_opted_out(
            session=session, department=department.slug, number=sms.sender, key=key
        ),
        open_request=request is not None,
        texts=texts_of(hook.app, department),
        last_acknowledged_at=(
            await last_acknowledged_at(session=session, request_id=request.id or 0)
            if request
            else None
        ),
        last_notified_at=(
            await last_notified_at(session=session, request_id=request.id or 0) if request else None
        ),
        withheld=is_withheld(sms.sender),
        may_reply=may_reply,
    )
    if hook.journaled_answer is not None:
        decision = as_already_answered(decision, sent=replied(hook.journaled_answer))
    if decision.action is SmsAction.OPT_OUT:
        await opt_out(session=session, department=department.slug, number=sms.sender,
                      at=hook.now, key=key)  # fmt: skip
    elif decision.action is SmsAction.OPT_IN:
        await opt_in(session=session, department=department.slug, number=sms.sender, key=key)
    elif decision.action is SmsAction.NEW_REQUEST:
        classified, name = classified_sender(hook.app, department, sms.sender)
        if classified.reason is not None:
            decision = replace(decision, reasons=(*decision.reasons, classified.reason))
        request = Request(
            department=department.slug,
            channel="sms",
            caller_number=sms.sender,
            caller_name=name,
            referrer_type=classified.referrer_type.value,
            referrer_source=classified.source,
            received_at=hook.now,
            out_of_hours=decision.out_of_hours,
        )
        session.add(request)
        await session.flush()
    if request is None:  # a keyword outside any conversation: nothing to file it under
        return _answered(hook, department, sms.sender, decision.reply)

    _file_messages(hook, request, sms, decision)
    if decision.action is SmsAction.JOIN_REQUEST:
        # After the directory's answer, a message asks for more: for a referent again.
        reopen_if_written_again(session, request, at=hook.now)
        began_earlier(request, at=hook.now, out_of_hours=decision.out_of_hours)
    if decision.callback_needed:
        request.callback_needed = True
        task = await ensure_task(session=session, request=request, department=department)
        event = record_event(session, request, kind="callback-task", at=hook.now)
        event.reasons = list(task.reasons)
    session.add(request)
    if decision.notify:
        texts = texts_of(hook.app, department)
        text = notification(department, request_id=request.id or 0, texts=texts)
        notice = Notice(
            department=department,
            request_id=request.id or 0,
            referent_ids=decision.notify,
            text=text,
            at=hook.now,
        )
        notices = _NOTICES.get()
        if notices is not None:
            notices.append(notice)
        else:  # replayed from the journal: told once the replay has committed it
            hook.after_commit.append(partial(tell_referents, hook.app, notice))
    return _answered(hook, department, sms.sender, decision.reply)


def _answered(hook: Webhook, department: Department, number: str, reply: str | None) -> str:
    """The answer to Twilio; an SMS sent by return in it counts among the number's automatic
    answers (a replay's was counted when it was given)."""
    if reply and hook.journaled_answer is None:
        count_sms_answer(hook.app, department.slug, number)
    return twiml(reply)


_store_and_answer = twilio_webhook(degraded=unstored_sms)(store_sms)


def _file_messages(hook: Webhook, request: Request, sms: IncomingSms, decision: SmsReply) -> None:
    """The message received and the answer by return under the request, and why."""
    session, at = hook.session, hook.now
    keyword = decision.action not in (SmsAction.NEW_REQUEST, SmsAction.JOIN_REQUEST)
    session.add(
        Message(
            request_id=request.id or 0,
            department=request.department,
            channel="sms",
            direction="in",
            provider_id=sms.sid,
            at=at,
            body=sms.body,
            kind="keyword" if keyword else "message",
            segments=segments(sms.body).count,
            status="received",
        )
    )
    if decision.reply:
        session.add(
            Message(
                request_id=request.id or 0,
                department=request.department,
                channel="sms",
                direction="out",
                at=at,
                body=decision.reply,
                author="frontdoor",
                kind=decision.reply_kind,
                segments=segments(decision.reply).count,
                status="replied",  # sent by Twilio from the TwiML answer
            )
        )
    event = record_event(session, request, kind="sms-in", at=at, detail=decision.action.value)
    event.reasons = [reason.as_dict() for reason in decision.reasons]


def add_routes(app: web.Application) -> None:
    app.router.add_post(SMS_PATH, incoming_sms)
