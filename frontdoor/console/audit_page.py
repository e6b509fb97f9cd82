"""The audit trail of a department, for its coordinator: every look at or change of a
request's personal data, and every correction of a resource of its territory's directory."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from frontdoor.console.auth import chosen_department, needs
from frontdoor.console.formats import full_moment
from frontdoor.console.labels import RESOURCE_FIELDS
from frontdoor.console.pages import render
from frontdoor.core.access import Action
from frontdoor.keys import DEPARTMENTS, SESSIONS
from frontdoor.kit.bodies import as_id
from frontdoor.store.audit import audit_of, resource_edits_in
from frontdoor.store.models import ResourceEdit

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
    "sent_view": "consultation des envois (démonstration)",
    "event_delivery": "envoi à un abonnement aux événements",
    "event_subscription": "abonnement aux événements",
    "event_unsubscription": "fin d'un abonnement aux événements",
}


def _shown(value: Any) -> str:
    if value is None or value == [] or value == "":
        return "—"
    return ", ".join(value) if isinstance(value, list) else str(value)


def _changes(edit: ResourceEdit) -> list[str]:
    return [
        f"{RESOURCE_FIELDS.get(name, name)} : {_shown(edit.before.get(name))} → {_shown(value)}"
        for name, value in edit.after.items()
    ] or ["enregistrée sans changement"]


@needs(Action.READ_AUDIT)
async def show(request: web.Request) -> web.StreamResponse:
    department = chosen_department(request)
    found = request.config_dict[DEPARTMENTS].for_slug(department)
    if found is None:
        raise web.HTTPNotFound(text="département introuvable")
    timezone = found.calendar.timezone
    request_id = request.query.get("demande")
    async with request.config_dict[SESSIONS]() as session:
        rows = await audit_of(
            session=session,
            department=department,
            request_id=as_id(request_id),
        )
        edits = await resource_edits_in(session=session, departements=found.territory)
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
            "edits": [
                {
                    "at": full_moment(edit.at, timezone=timezone),
                    "account": edit.account,
                    "resource_id": resource.id,
                    "resource": resource.name,
                    "changes": _changes(edit),
                }
                for edit, resource in edits
            ],
        },
    )


ROUTES = [("GET", "/journal", show)]
