"""The responses a referent records on a request, in the console: add one (an orientation
names a resource found with the directory's search, and may ask for its follow-up: see
console.follow_ups), remove one (its follow-up with it). Each change is a request
event with its reason and an audit row, as every change of a request is."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from aiohttp import web

from frontdoor.console.auth import needs, own_request, viewer_of
from frontdoor.console.follow_ups import planned_reason, wanted_follow_up
from frontdoor.console.request_page import back_to, trace
from frontdoor.core.access import Action
from frontdoor.core.follow_ups import due_asked
from frontdoor.core.responses import (
    ResponseError,
    parse_response,
    response_added,
    response_removed,
)
from frontdoor.keys import CLOCK, SESSIONS
from frontdoor.kit.bodies import path_id, read_form
from frontdoor.store.follow_ups import plan
from frontdoor.store.responses import add_response, remove_response


def _refused(found: Any, message: str) -> web.HTTPSeeOther:
    return back_to(found, f"?erreur={quote(message)}#reponses")


@needs(Action.WORK_REQUEST)
async def add(request: web.Request) -> web.StreamResponse:
    form = await read_form(request)
    viewer = viewer_of(request)
    async with request.config_dict[SESSIONS]() as session:
        found = await own_request(request, session, "response")
        try:
            choice = parse_response(kind=form.get("kind"), resource_id=form.get("resource_id"))
        except ResponseError as error:
            raise _refused(found, str(error)) from None
        # A follow-up asked for with the orientation: refused before anything is written.
        wanted = None
        if due_asked(on=form.get("suivi_le"), in_days=form.get("suivi_jours")):
            wanted = wanted_follow_up(request, found, form, kind=choice.kind.value)
        at = request.config_dict[CLOCK]()
        row = await add_response(
            session=session, request=found, choice=choice, at=at, by=viewer.login
        )
        if row is None:
            raise _refused(found, "ressource introuvable dans l'annuaire")
        reasons = [response_added(choice, by=viewer.login, resource_name=row.resource_name)]
        if wanted is not None:
            await plan(
                session=session, request=found, response=row, wanted=wanted, at=at,
                by=viewer.login,
            )  # fmt: skip
            reasons.append(planned_reason(request, found, wanted))
        trace(request, session, found, "response-added", *reasons)
        await session.commit()
    raise back_to(found, "#reponses")


@needs(Action.WORK_REQUEST)
async def remove(request: web.Request) -> web.StreamResponse:
    viewer = viewer_of(request)
    response_id = path_id(request, "response_id")
    async with request.config_dict[SESSIONS]() as session:
        found = await own_request(request, session, "response")
        row = None
        if response_id is not None:
            row = await remove_response(session=session, request=found, response_id=response_id)
        if row is None:
            raise web.HTTPNotFound(text="réponse introuvable")
        trace(
            request, session, found, "response-removed", response_removed(row.kind, by=viewer.login)
        )
        await session.commit()
    raise back_to(found, "#reponses")


ROUTES = [
    ("POST", "/demandes/{request_id}/reponses", add),
    ("POST", "/demandes/{request_id}/reponses/{response_id}/retrait", remove),
]
