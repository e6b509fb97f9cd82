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
from typing import Any

from aiohttp import web
from sqlmodel import col, select

from frontdoor.console.auth import needs, viewer_of
from frontdoor.console.labels import RESOURCE_FIELDS
from frontdoor.console.pages import render
from frontdoor.core.access import Action, may_edit_resource, resource_owners
from frontdoor.core.department import Department
from frontdoor.core.directory_text import search_text
from frontdoor.core.taxonomy import CATEGORIES, Category
from frontdoor.directory.api import query_of
from frontdoor.directory.imported import e164
from frontdoor.directory.search import resolve_commune, search
from frontdoor.keys import CLOCK, DEPARTMENTS, SESSIONS
from frontdoor.kit.bodies import path_id, read_form
from frontdoor.kit.date_parameters import DateKind, DateParameter, day_of, takes_dates
from frontdoor.store.audit import record_resource_edit
from frontdoor.store.models import Resource

LIMIT = 20
EDITABLE = ("name", "address", "email", "website", "hours_text")
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
            checked = dict(
                (
                    await session.exec(
                        select(col(Resource.id), col(Resource.checked_at)).where(
                            col(Resource.id).in_([hit.resource.id for hit in hits])
                        )
                    )
                ).all()
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


async def _resource(request: web.Request, session: object) -> Resource:
    resource_id = path_id(request, "resource_id")
    if resource_id is None:
        raise web.HTTPNotFound(text="ressource introuvable")
    found = await session.get(Resource, resource_id)  # type: ignore[attr-defined]
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


def _journaled(resource: Resource) -> dict[str, Any]:
    """What an edit may change, as the journal keeps it."""
    values: dict[str, Any] = {field: getattr(resource, field) for field in EDITABLE}
    values["phones"] = list(resource.phones)
    values["checked_at"] = resource.checked_at.isoformat() if resource.checked_at else None
    return values


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
            owners = ", ".join(d.name for d in _owners(request, resource))
            raise web.HTTPForbidden(
                text="vous ne pouvez pas corriger cette ressource : elle relève "
                + (f"de : {owners}" if owners else "de l'exploitant (hors du territoire des DAC)")
            )
        phones_typed = [line.strip() for line in str(form.get("phones", "")).splitlines()]
        phones = [e164(phone) for phone in phones_typed if phone]
        if any(phone is None for phone in phones):
            raise web.HTTPBadRequest(
                text="un numéro de téléphone n'est pas reconnu (format 05 65 …)"
            )
        name = str(form.get("name", "")).strip()
        if not name:
            raise web.HTTPBadRequest(text="le nom est obligatoire")
        checked_at = day_of(request, form, CHECKED_AT.name)
        before = _journaled(resource)
        for field in EDITABLE:
            value = str(form.get(field, "")).strip()
            longest = Resource.__table__.c[field].type.length  # type: ignore[attr-defined]
            if len(value) > longest:
                raise web.HTTPBadRequest(
                    text=f"{RESOURCE_FIELDS[field]} : {longest} caractères au plus"
                )
            setattr(resource, field, value or (None if field != "name" else resource.name))
        resource.phones = [phone for phone in phones if phone]
        resource.checked_at = checked_at or resource.checked_at
        resource.edited_locally = True
        resource.search_text = search_text(
            name=resource.name,
            category=Category(resource.category),
            commune_name=resource.commune_name,
        )[:2000]
        resource.updated_at = request.config_dict[CLOCK]()
        session.add(resource)
        record_resource_edit(
            session=session,
            at=resource.updated_at,
            account=viewer_of(request).login,
            resource_id=resource.id or 0,
            before=before,
            after=_journaled(resource),
        )
        await session.commit()
    raise web.HTTPSeeOther(f"/console/annuaire/{resource.id}")


ROUTES = [
    ("GET", "/annuaire", show),
    ("GET", "/annuaire/{resource_id}", show_resource),
    ("POST", "/annuaire/{resource_id}", edit_resource),
]
