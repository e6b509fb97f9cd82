"""The department's outgoing events, for its coordinator: the endpoints subscribed (the
secret shown once, when one is made), each one's delivery log, and the end of one.

Plain http is offered only to this machine and only in the development mode
(core.events.checked_subscription). Making or ending a subscription is journaled: a
subscription with the personal-data scope sends personal data out.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from frontdoor.console.auth import chosen_department, needs, viewer_of
from frontdoor.console.formats import full_moment
from frontdoor.console.pages import render
from frontdoor.core.access import Action
from frontdoor.core.events import (
    EVENT_LABELS,
    SCOPE_LABELS,
    EndpointRefused,
    EventType,
    Scope,
    checked_subscription,
)
from frontdoor.keys import CLOCK, DEPARTMENTS, SESSIONS, SETTINGS
from frontdoor.kit.bodies import path_id, read_form
from frontdoor.store.audit import record_access
from frontdoor.store.event_models import EventSubscription
from frontdoor.store.events import (
    add_subscription,
    deliveries_of,
    event_counts,
    stop_subscription,
    subscription_in,
    subscriptions_of,
)

EVENT_STATUSES = {
    "pending": "en attente",
    "delivered": "livré",
    "dead": "abandonné",
    "cancelled": "annulé",
}
NO_SUBSCRIPTION = "abonnement introuvable"


def _list_url(department: str) -> str:
    return "/console/evenements?" + urlencode({"departement": department})


def _types_of(row: EventSubscription) -> str:
    return ", ".join(EVENT_LABELS.get(EventType(t), t) for t in row.event_types)


async def _page(
    request: web.Request, department: str, *, new_secret: str | None = None,
    refused: str | None = None, form: dict[str, Any] | None = None, status: int = 200,
) -> web.Response:  # fmt: skip
    timezone = _timezone(request, department)
    async with request.config_dict[SESSIONS]() as session:
        rows = await subscriptions_of(session=session, department=department)
        shown = [
            {
                "row": row,
                "scope": SCOPE_LABELS.get(Scope(row.scope), row.scope),
                "types": _types_of(row),
                "created_at": full_moment(row.created_at, timezone=timezone),
                "counts": await event_counts(session=session, subscription_id=row.id or 0),
            }
            for row in rows
        ]
    response = render(
        "events.html",
        request,
        {
            "department": department,
            "subscriptions": shown,
            "scopes": {scope.value: label for scope, label in SCOPE_LABELS.items()},
            "event_types": {kind.value: label for kind, label in EVENT_LABELS.items()},
            "new_secret": new_secret,
            "refused": refused,
            "form": form or {},
        },
    )
    response.set_status(status)
    return response


def _timezone(request: web.Request, department: str) -> Any:
    found = request.config_dict[DEPARTMENTS].for_slug(department)
    if found is None:
        raise web.HTTPNotFound(text="département introuvable")
    return found.calendar.timezone


@needs(Action.MANAGE_EVENTS)
async def show(request: web.Request) -> web.StreamResponse:
    return await _page(request, chosen_department(request))


@needs(Action.MANAGE_EVENTS)
async def create(request: web.Request) -> web.StreamResponse:
    department = chosen_department(request)
    form = await read_form(request)
    url, scope = str(form.get("url", "")), str(form.get("scope", ""))
    types = [str(t) for t in form.getall("types", [])]
    settings = request.config_dict[SETTINGS]
    try:
        checked = checked_subscription(
            url=url, scope=scope, event_types=types,
            development=settings.dev_mode, private_networks=settings.event_private_networks,
        )  # fmt: skip
    except EndpointRefused as error:
        typed = {"url": url, "scope": scope, "types": types}
        return await _page(request, department, refused=str(error), form=typed, status=400)
    viewer, now = viewer_of(request), request.config_dict[CLOCK]()
    async with request.config_dict[SESSIONS]() as session:
        secret, row = await add_subscription(
            session=session, department=department, subscription=checked, by=viewer.login,
            now=now,
        )  # fmt: skip
        record_access(session=session, at=now, account=viewer.login, department=department,
                      action="event_subscription", detail=f"abonnement n° {row.id}")  # fmt: skip
        await session.commit()
    # Shown once, in the answer to the form: the receiver keeps it to check signatures.
    return await _page(request, department, new_secret=secret)


@needs(Action.MANAGE_EVENTS)
async def log(request: web.Request) -> web.StreamResponse:
    viewer = viewer_of(request)
    async with request.config_dict[SESSIONS]() as session:
        row = await _subscription(request, session, viewer.departments)
        attempts = await deliveries_of(session=session, subscription_id=row.id or 0)
        counts = await event_counts(session=session, subscription_id=row.id or 0)
    timezone = _timezone(request, row.department)
    return render(
        "event_log.html",
        request,
        {
            "subscription": row,
            "types": _types_of(row),
            "scope": SCOPE_LABELS.get(Scope(row.scope), row.scope),
            "counts": counts,
            "list_url": _list_url(row.department),
            "attempts": [
                {
                    "at": full_moment(logged.delivery.at, timezone=timezone),
                    "event_id": logged.delivery.event_id,
                    "type": EVENT_LABELS.get(EventType(logged.event_type), logged.event_type),
                    "attempt": logged.delivery.attempt,
                    "status_code": logged.delivery.status_code,
                    "duration_ms": logged.delivery.duration_ms,
                    "error": logged.delivery.error or "",
                    "event_status": EVENT_STATUSES.get(logged.event_status, logged.event_status),
                }
                for logged in attempts
            ],
        },
    )


@needs(Action.MANAGE_EVENTS)
async def disable(request: web.Request) -> web.StreamResponse:
    viewer = viewer_of(request)
    now = request.config_dict[CLOCK]()
    async with request.config_dict[SESSIONS]() as session:
        row = await _subscription(request, session, viewer.departments)
        await stop_subscription(session=session, subscription=row, at=now, account=viewer.login)
        await session.commit()
    raise web.HTTPSeeOther(_list_url(row.department))


async def _subscription(
    request: web.Request, session: Any, departments: tuple[str, ...]
) -> EventSubscription:
    """The subscription in the path, if it is of one of the viewer's departments (404)."""
    row = await subscription_in(
        session=session, departments=departments,
        subscription_id=path_id(request, "subscription_id"),
    )  # fmt: skip
    if row is None:
        raise web.HTTPNotFound(text=NO_SUBSCRIPTION)
    return row


ROUTES = [
    ("GET", "/evenements", show),
    ("POST", "/evenements", create),
    ("GET", "/evenements/{subscription_id}", log),
    ("POST", "/evenements/{subscription_id}/desactivation", disable),
]
