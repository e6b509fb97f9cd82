"""Entering a request by hand in the console: a visit, a letter, a call on one's own line, a
partner meeting, an outgoing call (frontdoor.actions.manual)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from aiohttp import web

from frontdoor.actions.manual import enter_request
from frontdoor.console.auth import actor_of, chosen_department, needs, translated
from frontdoor.console.pages import render
from frontdoor.console.request_page import referrer_choices
from frontdoor.core.access import Action
from frontdoor.core.channels import CHANNEL_LABELS, MANUAL_CHANNELS
from frontdoor.core.manual_requests import ManualRequestError, parse_manual_request
from frontdoor.keys import CLOCK, DEPARTMENTS, SESSIONS
from frontdoor.kit.bodies import read_form

PATH = "/console/nouvelle-demande"


def _form_context(request: web.Request, department: str, error: str | None) -> dict[str, Any]:
    return {
        "department": department,
        "channels": {channel.value: CHANNEL_LABELS[channel] for channel in MANUAL_CHANNELS},
        "referrers": referrer_choices(),
        "error": error,
    }


@needs(Action.WORK_REQUEST)
async def form(request: web.Request) -> web.StreamResponse:
    department = chosen_department(request)
    context = _form_context(request, department, request.query.get("erreur"))
    return render("manual_request.html", request, context)


@needs(Action.WORK_REQUEST)
async def enter(request: web.Request) -> web.StreamResponse:
    slug = chosen_department(request)
    department = request.config_dict[DEPARTMENTS].for_slug(slug)
    if department is None:
        raise web.HTTPNotFound(text="département introuvable")
    posted = await read_form(request)
    now = request.config_dict[CLOCK]()

    def field(name: str) -> str:
        value = posted.get(name, "")
        return value if isinstance(value, str) else ""

    try:
        entered = parse_manual_request(
            channel=field("canal"), day=field("jour"), wall=field("heure"), name=field("nom"),
            contact=field("contact"), referrer_type=field("referrer_type"), note=field("note"),
            now=now, timezone=department.calendar.timezone,
            region=department.phone_region,
        )  # fmt: skip
    except ManualRequestError as error:
        raise web.HTTPSeeOther(f"{PATH}?departement={slug}&erreur={quote(str(error))}") from None
    async with request.config_dict[SESSIONS]() as session, translated(request):
        found = await enter_request(
            session=session, actor=actor_of(request), department=slug, entered=entered, at=now
        )
    raise web.HTTPSeeOther(f"/console/demandes/{found.id}")


ROUTES = [
    ("GET", "/nouvelle-demande", form),
    ("POST", "/nouvelle-demande", enter),
]
