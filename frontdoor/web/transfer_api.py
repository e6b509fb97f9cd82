"""Transferring a live call through the JSON API (core.transfer), as the console does:
`POST /api/requests/{id}/transfer` with `{"target": "bleroy", "mode": "warm"}`. Refused (409)
when the request's call is not going on with someone who took it, or the target is not one
of the department's; 502 when Twilio refused to move the call."""

from __future__ import annotations

from aiohttp import web

from frontdoor.actions import transfer
from frontdoor.actions.actor import NotFound, Refused
from frontdoor.actions.api_opening import actor_of
from frontdoor.core.transfer import Mode
from frontdoor.keys import SESSIONS
from frontdoor.kit.bodies import path_id, read_json
from frontdoor.kit.callers import caller_of, require_scope
from frontdoor.kit.runtime import JOB_RUNTIME

EXPECTED = 'expected {"target": "<referent id or ligne:+33…>", "mode": "cold" or "warm"}'


async def transfer_call(request: web.Request) -> web.Response:
    caller = caller_of(request)
    require_scope(caller, "requests:write")
    try:
        payload = await read_json(request)
        target, mode = str(payload["target"]), Mode(payload.get("mode", Mode.COLD.value))
    except (web.HTTPBadRequest, TypeError, KeyError, ValueError, AttributeError):
        raise web.HTTPUnprocessableEntity(text=EXPECTED) from None
    async with request.app[SESSIONS]() as session:
        try:
            found = await transfer.transfer_call(
                session=session, actor=actor_of(caller), request_id=path_id(request, "request_id"),
                target=target, mode=mode, runtime=request.app[JOB_RUNTIME], purpose="api_write",
            )  # fmt: skip
        except NotFound:
            raise web.HTTPNotFound(text="no such request") from None
        except Refused as refused:
            if refused.code == "transfer-failed":
                raise web.HTTPBadGateway(text=f"Twilio refused: {refused.detail}") from None
            raise web.HTTPConflict(text=refused.reason) from None
    return web.json_response(
        {"request_id": found.id, "target": target, "mode": mode.value}, status=202
    )


def add_routes(app: web.Application) -> None:
    app.router.add_post("/api/requests/{request_id}/transfer", transfer_call)
