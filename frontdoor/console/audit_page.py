"""The audit trail of a department, for its coordinator."""

from __future__ import annotations

from aiohttp import web

from frontdoor.console.auth import chosen_department, needs
from frontdoor.console.formats import full_moment
from frontdoor.console.pages import render
from frontdoor.core.access import Action
from frontdoor.store.audit import audit_of
from frontdoor.web.bodies import as_id
from frontdoor.web.keys import DEPARTMENTS, SESSIONS

ACTIONS = {
    "view": "consultation",
    "play_recording": "écoute du message vocal",
    "qualify": "qualification",
    "non_opposition": "non-opposition",
    "assign": "attribution",
    "note": "note",
    "close": "clôture",
    "reopen": "réouverture",
    "answer": "réponse",
    "person_search": "recherche d'une personne",
    "export": "export",
    "erase": "effacement",
    "api_read": "lecture par l'API",
    "api_list": "liste par l'API",
    "api_write": "modification par l'API",
}


@needs(Action.READ_AUDIT)
async def show(request: web.Request) -> web.StreamResponse:
    department = chosen_department(request)
    timezone = request.config_dict[DEPARTMENTS].for_slug(department).calendar.timezone  # type: ignore[union-attr]
    request_id = request.query.get("demande")
    async with request.config_dict[SESSIONS]() as session:
        rows = await audit_of(
            session=session,
            department=department,
            request_id=as_id(request_id),
        )
    return render(
        "audit.html",
        request,
        {
            "department": department,
            "rows": [
                {
                    "at": full_moment(row.at, timezone=timezone),
                    "account": row.account,
                    "request_id": row.request_id,
                    "action": ACTIONS.get(row.action, row.action),
                    "detail": row.detail or "",
                }
                for row in rows
            ],
        },
    )


ROUTES = [("GET", "/journal", show)]
