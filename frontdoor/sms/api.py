"""A referent's answer by SMS: `POST /api/requests/{id}/sms` with `{"body": "…"}`.

Sent from the department's number to the request's number through Twilio's REST API, and kept
under the request. Written first, sent second: a message that left is never missing from the
log (it stays "sending" if the process dies in between). Refused when the person opted out or
withheld their number (409), or when the text would take more than ten SMS (422).
`GET /api/requests/{id}/messages` lists the conversation.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from frontdoor.core.numbers import is_withheld
from frontdoor.core.reasons import Reason
from frontdoor.core.sms import MAX_ANSWER_SEGMENTS, segments
from frontdoor.core.voice_actions import Outcome
from frontdoor.outbound.errors import OutboundError
from frontdoor.store.models import Message
from frontdoor.store.requests import record_event
from frontdoor.store.sms import is_opted_out, messages_of
from frontdoor.web.api import caller_of, own_request
from frontdoor.web.keys import CLOCK, DEPARTMENTS, SESSIONS, TWILIO_API


async def _body_of(request: web.Request) -> str:
    try:
        payload = await request.json()
    except json.JSONDecodeError:
        raise web.HTTPBadRequest(text='expected {"body": "…"}') from None
    if not isinstance(payload, dict) or set(payload) != {"body"}:
        raise web.HTTPBadRequest(text='expected {"body": "…"}')
    body = payload["body"]
    if not isinstance(body, str) or not body.strip():
        raise web.HTTPUnprocessableEntity(text="body: expected non-empty text")
    return body


def _message_json(message: Message) -> dict[str, Any]:
    return {
        "id": message.id,
        "at": message.at.isoformat(),
        "direction": message.direction,
        "kind": message.kind,
        "author": message.author,
        "body": message.body,
        "segments": message.segments,
        "status": message.status,
    }


async def send_answer(request: web.Request) -> web.Response:
    caller = caller_of(request)
    app = request.app
    department = app[DEPARTMENTS].for_slug(caller.department)
    if department is None or caller.referent not in department.referents:
        raise web.HTTPForbidden(text="only a referent of the department can answer")
    body = await _body_of(request)
    count = segments(body)
    if count.count > MAX_ANSWER_SEGMENTS:
        raise web.HTTPUnprocessableEntity(
            text=f"body: {count.count} SMS ({count.encoding}, {count.characters} characters); "
            f"at most {MAX_ANSWER_SEGMENTS}"
        )
    now = app[CLOCK]()
    async with app[SESSIONS]() as session:
        owner = await own_request(request, caller, session)
        number = owner.caller_number
        if number is None or is_withheld(number):
            raise web.HTTPConflict(text="no number to answer (withheld)")
        if await is_opted_out(session=session, department=department.slug, number=number):
            raise web.HTTPConflict(text="this number opted out of SMS (STOP)")
        message = Message(
            request_id=owner.id or 0,
            channel="sms",
            direction="out",
            at=now,
            body=body,
            author=caller.referent,
            kind="answer",
            segments=count.count,
            status="sending",
        )
        session.add(message)
        await session.commit()
        try:
            sid = await app[TWILIO_API].send_sms(to=number, from_=department.number, body=body)
        except OutboundError as error:
            message.status = "failed"
            session.add(message)
            await session.commit()
            raise web.HTTPBadGateway(text=f"Twilio refused the SMS: {error}") from None
        message.provider_id, message.status = sid, "queued"
        if owner.answered_at is None:
            owner.answered_at = now
        if owner.outcome == Outcome.IN_PROGRESS.value:
            owner.outcome, owner.taken_by = Outcome.TAKEN.value, caller.referent
        session.add_all([message, owner])
        event = record_event(
            session, owner, kind="sms-answer", at=now, referent_id=caller.referent, leg_sid=sid
        )
        event.reasons = [
            Reason(
                code="sms-answer",
                text=f"réponse par SMS de {caller.referent} depuis le numéro du DAC "
                f"({count.count} SMS, {count.encoding})",
            ).as_dict()
        ]
        await session.commit()
        return web.json_response(
            {
                "message_id": message.id,
                "sid": sid,
                "segments": count.count,
                "encoding": count.encoding.value,
                "characters": count.characters,
            },
            status=201,
        )


async def list_messages(request: web.Request) -> web.Response:
    caller = caller_of(request)
    async with request.app[SESSIONS]() as session:
        owner = await own_request(request, caller, session)
        found = await messages_of(session=session, request_id=owner.id or 0)
        return web.json_response({"data": [_message_json(m) for m in found], "count": len(found)})


def add_routes(app: web.Application) -> None:
    app.router.add_post("/api/requests/{request_id}/sms", send_answer)
    app.router.add_get("/api/requests/{request_id}/messages", list_messages)
