"""A referent's answer by mail: POST /api/requests/{id}/mail {"body": "…"}
(frontdoor.actions.mail_answer): 201 when the server took it, 202 when it could not be
reached (the `mail-outbox` job sends it later), 502 when it refused it for good.
"""

from __future__ import annotations

from aiohttp import web

from frontdoor.actions.actor import NotFound, Refused
from frontdoor.actions.api_opening import actor_of
from frontdoor.actions.mail_answer import answer_by_mail
from frontdoor.core.request_work import MAX_MAIL_BODY, MailRefusal, WorkError
from frontdoor.keys import DEPARTMENTS, SESSIONS
from frontdoor.kit.bodies import path_id, read_json
from frontdoor.kit.callers import caller_of
from frontdoor.kit.runtime import JOB_RUNTIME

CONFLICTS = {
    MailRefusal.NO_MAILBOX.value: "this department has no secure mailbox configured",
    MailRefusal.NO_ADDRESS.value: "this request has no mail address to answer",
}


async def post_mail(request: web.Request) -> web.Response:
    caller = caller_of(request)
    department = request.app[DEPARTMENTS].for_slug(caller.department)
    if department is None or caller.referent not in department.referents:
        raise web.HTTPForbidden(text="only a referent of the department can answer")
    try:
        payload = await read_json(request)
        text = payload["body"]
        if not isinstance(text, str):
            raise TypeError
    except (web.HTTPBadRequest, TypeError, KeyError):
        raise web.HTTPUnprocessableEntity(text='expected {"body": "…"}') from None
    async with request.app[SESSIONS]() as session:
        try:
            answer = await answer_by_mail(
                session=session, actor=actor_of(caller), request_id=path_id(request, "request_id"),
                text=text, runtime=request.app[JOB_RUNTIME], purpose="api_write",
            )  # fmt: skip
        except WorkError:
            raise web.HTTPUnprocessableEntity(
                text=f"body: 1 to {MAX_MAIL_BODY} characters"
            ) from None
        except NotFound:
            raise web.HTTPNotFound(text="no such request") from None
        except Refused as refused:
            raise web.HTTPConflict(text=CONFLICTS[refused.code]) from None
    if answer.done.sent:
        return web.json_response(
            {"message_id": answer.mail.message_id, "status": "sent"}, status=201
        )
    if answer.done.given_up:
        raise web.HTTPBadGateway(text="mail refused by the SMTP server: check the address")
    return web.json_response({"message_id": answer.mail.message_id, "status": "queued"}, status=202)


def add_routes(app: web.Application) -> None:
    app.router.add_post("/api/requests/{request_id}/mail", post_mail)
