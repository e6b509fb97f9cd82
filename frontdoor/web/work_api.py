"""The console's everyday work on a request, in the JSON API: qualify it, assign it, close or
reopen it (scope requests:write). Each goes through the same request action as the console's
(frontdoor.actions.working: the department check and the audit row, the decision in the core,
an event with its reasons); the handler only translates. Answering is sms_api's and mail_api's.
"""

from __future__ import annotations

from aiohttp import web

from frontdoor.actions import working
from frontdoor.actions.actor import NotFound
from frontdoor.actions.api_opening import actor_of
from frontdoor.core.qualification import QualificationError, parse_qualification
from frontdoor.core.request_work import TO_ME, TO_NOBODY, WorkError
from frontdoor.keys import CLOCK, SESSIONS
from frontdoor.kit.bodies import path_id
from frontdoor.kit.callers import caller_of
from frontdoor.web.api import as_json, json_object

NO_REQUEST = "no such request"


def _text_or_none(value: object, name: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise web.HTTPUnprocessableEntity(text=f"{name} : un texte ou null est attendu")
    return value


async def put_qualification(request: web.Request) -> web.Response:
    """{"referrer_type": "gp" | null, "age_band": "75-84" | null, "problems": ["medical", …]}:
    the qualification as a whole (a null referrer type keeps the one recorded)."""
    caller = caller_of(request)
    payload = await json_object(
        request, required={"referrer_type", "age_band", "problems"},
        expected='{"referrer_type": "…", "age_band": "…", "problems": ["…"]}',
    )  # fmt: skip
    problems = payload["problems"]
    if not isinstance(problems, list) or not all(isinstance(p, str) for p in problems):
        raise web.HTTPUnprocessableEntity(text="problems : une liste de textes est attendue")
    try:
        wanted = parse_qualification(
            referrer_type=_text_or_none(payload["referrer_type"], "referrer_type"),
            age_band=_text_or_none(payload["age_band"], "age_band"),
            problems=problems,
        )
    except QualificationError as error:
        raise web.HTTPUnprocessableEntity(text=str(error)) from None
    async with request.app[SESSIONS]() as session:
        try:
            found = await working.qualify(
                session=session, actor=actor_of(caller), request_id=path_id(request, "request_id"),
                wanted=wanted, at=request.app[CLOCK](),
            )  # fmt: skip
        except NotFound:
            raise web.HTTPNotFound(text=NO_REQUEST) from None
        return web.json_response(await as_json(session, found))


async def put_assignment(request: web.Request) -> web.Response:
    """{"to": "me"} takes it, {"to": null} gives it back, {"to": "<login>"} hands it to a
    colleague of its department."""
    caller = caller_of(request)
    payload = await json_object(request, required={"to"}, expected='{"to": "me" | null | "…"}')
    to = payload["to"]
    if to is not None and not isinstance(to, str):
        raise web.HTTPUnprocessableEntity(text="to : « me », null ou un identifiant attendu")
    async with request.app[SESSIONS]() as session:
        try:
            found = await working.assign(
                session=session, actor=actor_of(caller), request_id=path_id(request, "request_id"),
                to=TO_NOBODY if to is None else (TO_ME if to == "me" else to),
                at=request.app[CLOCK](),
            )  # fmt: skip
        except NotFound:
            raise web.HTTPNotFound(text=NO_REQUEST) from None
        except WorkError as error:
            raise web.HTTPUnprocessableEntity(text=str(error)) from None
        return web.json_response(await as_json(session, found))


async def _set_status(request: web.Request, *, close: bool) -> web.Response:
    caller = caller_of(request)
    async with request.app[SESSIONS]() as session:
        try:
            found = await working.set_status(
                session=session, actor=actor_of(caller), request_id=path_id(request, "request_id"),
                close=close, at=request.app[CLOCK](),
            )  # fmt: skip
        except NotFound:
            raise web.HTTPNotFound(text=NO_REQUEST) from None
        return web.json_response(await as_json(session, found))


async def close(request: web.Request) -> web.Response:
    return await _set_status(request, close=True)


async def reopen(request: web.Request) -> web.Response:
    return await _set_status(request, close=False)


def add_routes(app: web.Application) -> None:
    app.router.add_put("/api/requests/{request_id}/qualification", put_qualification)
    app.router.add_put("/api/requests/{request_id}/assignment", put_assignment)
    app.router.add_post("/api/requests/{request_id}/close", close)
    app.router.add_post("/api/requests/{request_id}/reopen", reopen)
