"""A referent's answer by SMS: `POST /api/requests/{id}/sms` with `{"body": "…"}`.

Sent from the department's number to the request's number through Twilio's REST API, and kept
under the request. Written first, sent second: a message that left is never missing from the
log (it stays "sending" if the process dies in between). Refused when the person opted out or
withheld their number (409), or when the text would take more than ten SMS (422).
`GET /api/requests/{id}/messages` lists the conversation.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from frontdoor.actions.actor import NotFound
from frontdoor.actions.answering import answer_sms
from frontdoor.actions.api_opening import actor_of, own_request
from frontdoor.actions.sms_answer import AnswerRefused, counted
from frontdoor.core.request_work import SmsRefusal
from frontdoor.core.sms import MAX_ANSWER_SEGMENTS, segments
from frontdoor.keys import DEPARTMENTS, SESSIONS
from frontdoor.kit.bodies import path_id, read_json
from frontdoor.kit.callers import caller_of
from frontdoor.kit.runtime import JOB_RUNTIME
from frontdoor.store.models import Message
from frontdoor.store.sms import messages_of


async def _body_of(request: web.Request) -> str:
    try:
        payload = await read_json(request)
    except web.HTTPBadRequest:
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
    try:
        count = counted(body)
    except AnswerRefused:
        count = segments(body)
        raise web.HTTPUnprocessableEntity(
            text=f"body: {count.count} SMS ({count.encoding}, {count.characters} characters); "
            f"at most {MAX_ANSWER_SEGMENTS}"
        ) from None
    async with app[SESSIONS]() as session:
        try:
            answer = await answer_sms(
                session=session, actor=actor_of(caller), request_id=path_id(request, "request_id"),
                body=body, runtime=app[JOB_RUNTIME], purpose="api_write",
            )  # fmt: skip
        except NotFound:
            raise web.HTTPNotFound(text="no such request") from None
        except AnswerRefused as refused:
            raise _api_error(refused) from None
    return web.json_response(
        {
            "message_id": answer.message.id,
            "sid": answer.sid,
            "segments": count.count,
            "encoding": count.encoding.value,
            "characters": count.characters,
        },
        status=201,
    )


def _api_error(refused: AnswerRefused) -> web.HTTPException:
    if refused.refusal is SmsRefusal.WITHHELD:
        return web.HTTPConflict(text="no number to answer (withheld)")
    if refused.refusal is SmsRefusal.OPTED_OUT:
        return web.HTTPConflict(text="this number opted out of SMS (STOP)")
    return web.HTTPBadGateway(text=f"Twilio refused the SMS: {refused.detail}")


async def list_messages(request: web.Request) -> web.Response:
    caller = caller_of(request)
    async with request.app[SESSIONS]() as session:
        owner = await own_request(request, caller, session)
        found = await messages_of(session=session, request_id=owner.id or 0)
        return web.json_response({"data": [_message_json(m) for m in found], "count": len(found)})


def add_routes(app: web.Application) -> None:
    app.router.add_post("/api/requests/{request_id}/sms", send_answer)
    app.router.add_get("/api/requests/{request_id}/messages", list_messages)
