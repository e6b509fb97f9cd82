"""Transferring a live call from the request's page (core.transfer): the referent who has
the caller, or a colleague at the console, chooses the target and warm or cold."""

from __future__ import annotations

from aiohttp import web

from frontdoor.actions import transfer
from frontdoor.console.auth import actor_of, needs, translated
from frontdoor.core.access import Action
from frontdoor.core.transfer import Mode
from frontdoor.keys import SESSIONS
from frontdoor.kit.bodies import path_id, read_form
from frontdoor.kit.runtime import JOB_RUNTIME


@needs(Action.WORK_REQUEST)
async def transfer_call(request: web.Request) -> web.StreamResponse:
    form = await read_form(request)
    try:
        mode = Mode(str(form.get("mode", Mode.COLD.value)))
    except ValueError:
        raise web.HTTPBadRequest(text="mode de transfert inconnu") from None
    request_id = path_id(request, "request_id")
    async with request.config_dict[SESSIONS]() as session, translated(request):
        found = await transfer.transfer_call(
            session=session, actor=actor_of(request), request_id=request_id,
            target=str(form.get("target", "")), mode=mode,
            runtime=request.config_dict[JOB_RUNTIME],
        )  # fmt: skip
    raise web.HTTPSeeOther(f"/console/demandes/{found.id}?transfert={mode.value}#chronologie")


ROUTES = [("POST", "/demandes/{request_id}/transfert", transfer_call)]
