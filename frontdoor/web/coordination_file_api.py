"""Handing a request to the region's coordination file through the API:
POST /api/requests/{id}/coordination-file (scope requests:write), the console's
*Transmettre au dossier de coordination* (frontdoor.actions.coordination_file: the same
journal, the same refusals, the same events). 200 with the request and its
`coordination_file_id`; 409 when it cannot go (her opposition to sharing, no person…), 502
when the file could not take it, each with {"error": "<why, in French>", "code": "…"}.
"""

from __future__ import annotations

from aiohttp import web

from frontdoor.actions import coordination_file
from frontdoor.actions.actor import NotFound, Refused
from frontdoor.actions.api_opening import actor_of
from frontdoor.keys import SESSIONS
from frontdoor.kit.bodies import path_id
from frontdoor.kit.callers import caller_of
from frontdoor.kit.runtime import JOB_RUNTIME
from frontdoor.web.api import as_json


def _refusal(refused: Refused) -> web.Response:
    return web.json_response(
        {"error": refused.reason, "code": refused.code},
        status=502 if refused.code == coordination_file.NOT_RECEIVED else 409,
    )


async def post_hand_off(request: web.Request) -> web.Response:
    caller = caller_of(request)
    async with request.app[SESSIONS]() as session:
        try:
            found = await coordination_file.hand_over(
                session=session, actor=actor_of(caller), request_id=path_id(request, "request_id"),
                runtime=request.app[JOB_RUNTIME],
            )  # fmt: skip
        except NotFound:
            raise web.HTTPNotFound(text="no such request") from None
        except Refused as refused:
            return _refusal(refused)
        return web.json_response(await as_json(session, found))


def add_routes(app: web.Application) -> None:
    app.router.add_post("/api/requests/{request_id}/coordination-file", post_hand_off)
