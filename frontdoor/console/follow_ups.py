"""The follow-up of an orientation, in the console: asked for with the orientation or
afterwards, closed with what was found ("à relancer" may set a new day). Each change is a
request event with its reason and an audit row, as every change of a request is."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from aiohttp import web

from frontdoor.console.auth import needs, own_request, viewer_of
from frontdoor.console.request_page import back_to, trace
from frontdoor.core.access import Action
from frontdoor.core.department import Department
from frontdoor.core.follow_ups import (
    FollowUpError,
    FollowUpPlan,
    assignable,
    follow_up_closed,
    follow_up_planned,
    parse_closing,
    plan_follow_up,
)
from frontdoor.core.reasons import Reason
from frontdoor.keys import CLOCK, DEPARTMENTS, SESSIONS
from frontdoor.kit.bodies import path_id, read_form
from frontdoor.store.follow_ups import close, follow_up_of, plan, response_of
from frontdoor.store.models import Request


def refused(found: Request, message: str) -> web.HTTPSeeOther:
    return back_to(found, f"?erreur={quote(message)}#reponses")


def department_of(request: web.Request, found: Request) -> Department:
    department = request.config_dict[DEPARTMENTS].for_slug(found.department)
    if department is None:
        raise web.HTTPNotFound(text="demande introuvable")
    return department


def wanted_follow_up(request: web.Request, found: Request, form: Any, *, kind: str) -> FollowUpPlan:
    """The follow-up the form asks for (suivi_le or suivi_jours, suivi_referent); the
    request's page with the French refusal otherwise."""
    department = department_of(request, found)
    try:
        return plan_follow_up(
            kind=kind,
            on=form.get("suivi_le"),
            in_days=form.get("suivi_jours"),
            assignee=form.get("suivi_referent"),
            referents=assignable(department),
            now=request.config_dict[CLOCK](),
            timezone=department.calendar.timezone,
        )
    except FollowUpError as error:
        raise refused(found, str(error)) from None


def planned_reason(request: web.Request, found: Request, wanted: FollowUpPlan) -> Reason:
    names = assignable(department_of(request, found))
    name = names.get(wanted.assigned_to or "")
    return follow_up_planned(wanted, by=viewer_of(request).login, assignee_name=name)


@needs(Action.WORK_REQUEST)
async def ask(request: web.Request) -> web.StreamResponse:
    """A follow-up for an orientation recorded earlier."""
    form = await read_form(request)
    response_id = path_id(request, "response_id")
    async with request.config_dict[SESSIONS]() as session:
        found = await own_request(request, session, "follow_up")
        response = None
        if response_id is not None:
            response = await response_of(session=session, request=found, response_id=response_id)
        if response is None:
            raise web.HTTPNotFound(text="réponse introuvable")
        wanted = wanted_follow_up(request, found, form, kind=response.kind)
        row = await plan(
            session=session, request=found, response=response, wanted=wanted,
            at=request.config_dict[CLOCK](), by=viewer_of(request).login,
        )  # fmt: skip
        if row is None:
            raise refused(found, "cette orientation a déjà un suivi")
        trace(request, session, found, "follow-up-planned", planned_reason(request, found, wanted))
        await session.commit()
    raise back_to(found, "#reponses")


@needs(Action.WORK_REQUEST)
async def close_follow_up(request: web.Request) -> web.StreamResponse:
    form = await read_form(request)
    response_id = path_id(request, "response_id")
    viewer = viewer_of(request)
    async with request.config_dict[SESSIONS]() as session:
        found = await own_request(request, session, "follow_up")
        row = None
        if response_id is not None:
            row = await follow_up_of(session=session, response_id=response_id)
        if row is None or row.request_id != found.id:
            raise refused(found, "pas de suivi pour cette réponse")
        department = department_of(request, found)
        now = request.config_dict[CLOCK]()
        try:
            closing = parse_closing(
                outcome=form.get("outcome"), on=form.get("suivi_le"),
                in_days=form.get("suivi_jours"), now=now, timezone=department.calendar.timezone,
            )  # fmt: skip
        except FollowUpError as error:
            raise refused(found, str(error)) from None
        due_on = row.due_on
        try:
            close(row, closing, at=now, by=viewer.login)
        except ValueError:
            raise refused(found, "ce suivi est déjà clos") from None
        session.add(row)
        reason = follow_up_closed(closing, due_on=due_on, by=viewer.login)
        trace(request, session, found, reason.code, reason)
        await session.commit()
    raise back_to(found, "#reponses")


ROUTES = [
    ("POST", "/demandes/{request_id}/reponses/{response_id}/suivi", ask),
    ("POST", "/demandes/{request_id}/reponses/{response_id}/suivi/cloture", close_follow_up),
]
