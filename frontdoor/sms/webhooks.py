"""Twilio's messaging webhook: an SMS to a department's number becomes (or joins) a request.

`POST /twilio/sms`, signed as every Twilio webhook (frontdoor.web.twilio_webhook): a retry of
the same post gets the same answer and changes nothing; a MessageSid already stored is never
stored twice. The decision is frontdoor.core.sms.inbound's; this module reads the form, stores
the request, the message, the opt-out and the event, and answers TwiML. The referents are told
by SMS only once all that is committed and the answer sent: a failure to tell them is logged
(without the sender's number or words) and loses nothing.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime

from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError
from twilio.twiml.messaging_response import MessagingResponse

from frontdoor.core.calendar import opening_at
from frontdoor.core.department import Department
from frontdoor.core.numbers import is_withheld
from frontdoor.core.reasons import Reason
from frontdoor.core.sms import SmsAction, SmsReply, inbound, notification, segments
from frontdoor.outbound.errors import OutboundError
from frontdoor.sms.directory_queries import answer_directory_query
from frontdoor.sms.texts import default_texts, texts_for
from frontdoor.store.models import Message, Request, RequestEvent
from frontdoor.store.requests import record_event
from frontdoor.store.sms import (
    is_opted_out,
    last_acknowledged_at,
    message_by_provider_id,
    open_sms_request,
    opt_in,
    opt_out,
)
from frontdoor.store.tasks import ensure_task
from frontdoor.web.keys import DEPARTMENTS, SESSIONS, SETTINGS
from frontdoor.web.twilio_accounts import twilio_api_for
from frontdoor.web.twilio_webhook import Webhook, twilio_webhook

log = logging.getLogger(__name__)

SMS_PATH = "/twilio/sms"
_MESSAGE_SID = re.compile(r"^(SM|MM)[0-9a-fA-F]{32}$")
_MAX_NUMBER = 40  # the longest number a request or opt-out row holds
# Twilio caps an incoming message at 1600 characters; anything longer is not Twilio's.
_MAX_BODY = 1600


@dataclass(kw_only=True, frozen=True)
class IncomingSms:
    sid: str
    sender: str
    to: str
    body: str


@dataclass(kw_only=True, frozen=True)
class Notice:
    """Referents to tell, once the message is committed, that a request has a new SMS."""

    department: Department
    request_id: int
    referent_ids: tuple[str, ...]
    text: str
    at: datetime  # when the SMS came in


# What the handler decided to send after the commit, handed to the endpoint around it.
_NOTICES: ContextVar[list[Notice] | None] = ContextVar("sms_notices", default=None)


def parse(form: Mapping[str, str]) -> IncomingSms:
    """The fields Twilio always sends with a message; 400 when one is missing or wrong."""
    sid, sender, to = form.get("MessageSid", ""), form.get("From", ""), form.get("To", "")
    body = form.get("Body")
    if not _MESSAGE_SID.match(sid) or not sender or not to or body is None:
        raise web.HTTPBadRequest(text="expected MessageSid, From, To and Body")
    if len(sender.strip()) > _MAX_NUMBER:  # no sender Twilio names: the store could not hold it
        raise web.HTTPBadRequest(text="From: longer than a number or sender id")
    if len(body) > _MAX_BODY:
        raise web.HTTPBadRequest(text="Body longer than an SMS can be")
    return IncomingSms(sid=sid, sender=sender.strip(), to=to.strip(), body=body)


def texts_of(app: web.Application, department: Department) -> dict[str, str]:
    """The department's SMS texts: the templates/ defaults and its own."""
    return texts_for(default_texts(app[SETTINGS].templates_dir), department.sms_texts)


def twiml(reply: str | None) -> str:
    response = MessagingResponse()
    if reply:
        response.message(reply)
    return str(response)


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
            await _notify(http.app, notice)
    return response


@twilio_webhook()
async def _store_and_answer(hook: Webhook) -> str:
    sms = parse(hook.form)
    department = hook.app[DEPARTMENTS].for_number(sms.to)
    if department is None:
        log.warning("SMS to a number no department answers")
        return twiml(None)
    session = hook.session
    if await message_by_provider_id(session=session, provider_id=sms.sid) is not None:
        return twiml(None)  # stored already, under an answer of its own
    answer = await answer_directory_query(
        hook, department, sender=sms.sender, text=sms.body, sid=sms.sid
    )
    if answer is not None:
        return twiml(answer)
    request = await open_sms_request(
        session=session, department=department.slug, number=sms.sender, at=hook.now
    )
    decision = inbound(
        department,
        at=hook.now,
        opening=opening_at(hook.now, department.calendar),
        text=sms.body,
        opted_out=await is_opted_out(
            session=session, department=department.slug, number=sms.sender
        ),
        open_request=request is not None,
        texts=texts_of(hook.app, department),
        last_acknowledged_at=(
            await last_acknowledged_at(session=session, request_id=request.id or 0)
            if request
            else None
        ),
        withheld=is_withheld(sms.sender),
    )
    if decision.action is SmsAction.OPT_OUT:
        await opt_out(session=session, department=department.slug, number=sms.sender, at=hook.now)
    elif decision.action is SmsAction.OPT_IN:
        await opt_in(session=session, department=department.slug, number=sms.sender)
    elif decision.action is SmsAction.NEW_REQUEST:
        request = Request(
            department=department.slug,
            channel="sms",
            caller_number=sms.sender,
            received_at=hook.now,
            out_of_hours=decision.out_of_hours,
        )
        session.add(request)
        await session.flush()
    if request is None:  # a keyword outside any conversation: nothing to file it under
        return twiml(decision.reply)

    _file_messages(hook, request, sms, decision)
    if decision.callback_needed:
        request.callback_needed = True
        task = await ensure_task(session=session, request=request, department=department)
        event = record_event(session, request, kind="callback-task", at=hook.now)
        event.reasons = list(task.reasons)
    session.add(request)
    notices = _NOTICES.get()
    if decision.notify and notices is not None:
        texts = texts_of(hook.app, department)
        text = notification(department, request_id=request.id or 0, texts=texts)
        notices.append(
            Notice(
                department=department,
                request_id=request.id or 0,
                referent_ids=decision.notify,
                text=text,
                at=hook.now,
            )
        )
    return twiml(decision.reply)


def _file_messages(hook: Webhook, request: Request, sms: IncomingSms, decision: SmsReply) -> None:
    """The message received and the answer by return under the request, and why."""
    session, at = hook.session, hook.now
    keyword = decision.action not in (SmsAction.NEW_REQUEST, SmsAction.JOIN_REQUEST)
    session.add(
        Message(
            request_id=request.id or 0,
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


async def _notify(app: web.Application, notice: Notice) -> None:
    """Tell each referent by SMS from the department's number; record who was told."""
    told: list[str] = []
    for referent_id in notice.referent_ids:
        referent = notice.department.referents.get(referent_id)
        if referent is None:
            continue
        try:
            await twilio_api_for(app, notice.department.slug).send_sms(
                to=referent.phone, from_=notice.department.number, body=notice.text
            )
        except OutboundError as error:
            log.warning(
                "request %s: SMS notice to referent %s failed: %s",
                notice.request_id,
                referent_id,
                error,
            )
            continue
        told.append(referent_id)
    await _record_notice(app, notice, told)


async def _record_notice(app: web.Application, notice: Notice, told: list[str]) -> None:
    missed = [r for r in notice.referent_ids if r not in told]
    text = f"prévenus par SMS : {', '.join(told) or 'personne'}"
    if missed:
        text += f" ; échec pour : {', '.join(missed)}"
    reason = Reason(code="sms-notified", text=text)
    try:
        async with app[SESSIONS]() as session:
            session.add(
                RequestEvent(
                    request_id=notice.request_id,
                    at=notice.at,
                    kind="sms-notified",
                    detail=", ".join(told)[:200] or None,
                    reasons=[reason.as_dict()],
                )
            )
            await session.commit()
    except SQLAlchemyError:
        log.exception("request %s: the notice of its SMS was not recorded", notice.request_id)


def add_routes(app: web.Application) -> None:
    app.router.add_post(SMS_PATH, incoming_sms)
