"""The resource directory in the console: search it as callers ask, correct a resource, say
when it was last checked. A resource edited here is marked so that imports do not overwrite it.

Everyone may read the directory (it is the territory's, and holds no personal data); a
resource is corrected only by the staff of the departments whose territory holds it, or, for
one that no department holds, at the territory level (frontdoor.core.access). Each correction
is journaled with who, when, and each changed field before and after; its numbers go out by
SMS to callers, so a correction refused changes nothing.
"""

from __future__ import annotations

from datetime import date

from aiohttp import web
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.console.auth import needs, viewer_of
from frontdoor.console.labels import RESOURCE_FIELDS
from frontdoor.console.pages import render
from frontdoor.core.access import Action, may_edit_resource, resource_owners
from frontdoor.core.department import Department
from frontdoor.core.resource_corrections import CorrectionRefused, correction, edit_refusal
from frontdoor.core.taxonomy import CATEGORIES, Category
from frontdoor.directory.api import query_of
from frontdoor.directory.imported import e164
from frontdoor.directory.search import resolve_commune, search
from frontdoor.keys import CLOCK, DEPARTMENTS, SESSIONS
from frontdoor.kit.bodies import path_id, read_form
from frontdoor.kit.date_parameters import DateKind, DateParameter, day_of, takes_dates
from frontdoor.store.models import Resource
from frontdoor.store.resources import (
    checked_dates,
    correct_resource,
    editable_lengths,
    resource_by_id,
)

LIMIT = 20
CHECKED_AT = DateParameter(
    name="checked_at", kind=DateKind.DAY, source="form", label="date de vérification"
)


@needs(Action.SEARCH_DIRECTORY)
async def show(request: web.Request) -> web.StreamResponse:
    hits = []
    commune = None
    checked: dict[int | None, date | None] = {}
    text = request.query.get("q", "").strip()
    if text:
        query, _limit = query_of({"q": text, "limit": str(LIMIT)})
        async with request.config_dict[SESSIONS]() as session:
            commune = await resolve_commune(session, query)
            hits = await search(session, query, limit=LIMIT)
            checked = await checked_dates(
                session=session, resource_ids=[hit.resource.id for hit in hits]
            )
    return render(
        "directory.html",
        request,
        {
            "q": text,
            "hits": hits,
            "commune": commune,
            "categories": CATEGORIES,
            "checked": checked,
        },
    )


async def _resource(request: web.Request, session: AsyncSession) -> Resource:
    found = await resource_by_id(session=session, resource_id=path_id(request, "resource_id"))
    if found is None:
        raise web.HTTPNotFound(text="ressource introuvable")
    return found


def _owners(request: web.Request, resource: Resource) -> list[Department]:
    """The departments whose territory holds the resource."""
    departments = request.config_dict[DEPARTMENTS]
    slugs = resource_owners(resource.departement, {d.slug: d.territory for d in departments})
    return [d for d in departments if d.slug in slugs]


def _may_edit(request: web.Request, resource: Resource) -> bool:
    viewer = viewer_of(request)
    owners = [department.slug for department in _owners(request, resource)]
    return may_edit_resource(viewer.role, viewer.departments, owners)


@needs(Action.SEARCH_DIRECTORY)
async def show_resource(request: web.Request) -> web.StreamResponse:
    async with request.config_dict[SESSIONS]() as session:
        resource = await _resource(request, session)
    owners = _owners(request, resource)
    return render(
        "resource.html",
        request,
        {
            "resource": resource,
            "category": CATEGORIES[Category(resource.category)].label,
            "today": request.config_dict[CLOCK]().date().isoformat(),
            "error": request.query.get("erreur"),
            "may_edit": _may_edit(request, resource),
            "owners": ", ".join(department.name for department in owners),
        },
    )


@needs(Action.EDIT_DIRECTORY)
@takes_dates(CHECKED_AT)
async def edit_resource(request: web.Request) -> web.StreamResponse:
    form = await read_form(request)
    async with request.config_dict[SESSIONS]() as session:
        resource = await _resource(request, session)
        if not _may_edit(request, resource):
            raise web.HTTPForbidden(text=edit_refusal([d.name for d in _owners(request, resource)]))
        typed = [line.strip() for line in str(form.get("phones", "")).splitlines()]
        try:
            corrected = correction(
                typed={key: str(value) for key, value in form.items()},
                phones=[e164(phone) for phone in typed if phone],
                checked_at=day_of(request, form, CHECKED_AT.name),
                longest=editable_lengths(),
                labels=RESOURCE_FIELDS,
            )
        except CorrectionRefused as refused:
            raise web.HTTPBadRequest(text=str(refused)) from None
        await correct_resource(
            session=session, resource=resource, correction=corrected,
            account=viewer_of(request).login, at=request.config_dict[CLOCK](),
        )  # fmt: skip
    raise web.HTTPSeeOther(f"/console/annuaire/{resource.id}")


ROUTES = [
    ("GET", "/annuaire", show),
    ("GET", "/annuaire/{resource_id}", show_resource),
    ("POST", "/annuaire/{resource_id}", edit_resource),
]
