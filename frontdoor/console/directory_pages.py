"""The resource directory in the console: search it as callers ask, correct a resource, say
when it was last checked. A resource edited here is marked so that imports do not overwrite it.
"""

from __future__ import annotations

from datetime import date

from aiohttp import web
from sqlmodel import col, select

from frontdoor.console.auth import needs
from frontdoor.console.pages import render
from frontdoor.core.access import Action
from frontdoor.core.taxonomy import CATEGORIES, Category
from frontdoor.directory.api import query_of
from frontdoor.directory.imported import e164
from frontdoor.directory.search import resolve_commune, search
from frontdoor.directory.text import search_text
from frontdoor.store.models import Resource
from frontdoor.web.bodies import path_id, read_form
from frontdoor.web.keys import CLOCK, SESSIONS

LIMIT = 20
EDITABLE = ("name", "address", "email", "website", "hours_text")


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
                        select(Resource.id, Resource.checked_at).where(
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


@needs(Action.SEARCH_DIRECTORY)
async def show_resource(request: web.Request) -> web.StreamResponse:
    async with request.config_dict[SESSIONS]() as session:
        resource = await _resource(request, session)
    return render(
        "resource.html",
        request,
        {
            "resource": resource,
            "category": CATEGORIES[Category(resource.category)].label,
            "today": request.config_dict[CLOCK]().date().isoformat(),
            "error": request.query.get("erreur"),
        },
    )


@needs(Action.EDIT_DIRECTORY)
async def edit_resource(request: web.Request) -> web.StreamResponse:
    form = await read_form(request)
    phones_typed = [line.strip() for line in str(form.get("phones", "")).splitlines()]
    phones = [e164(phone) for phone in phones_typed if phone]
    if any(phone is None for phone in phones):
        raise web.HTTPBadRequest(text="un numéro de téléphone n'est pas reconnu (format 05 65 …)")
    name = str(form.get("name", "")).strip()
    if not name:
        raise web.HTTPBadRequest(text="le nom est obligatoire")
    checked = str(form.get("checked_at", "")).strip()
    try:
        checked_at = date.fromisoformat(checked) if checked else None
    except ValueError:
        raise web.HTTPBadRequest(text="date de vérification invalide") from None
    async with request.config_dict[SESSIONS]() as session:
        resource = await _resource(request, session)
        for field in EDITABLE:
            value = str(form.get(field, "")).strip()
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
        await session.commit()
    raise web.HTTPSeeOther(f"/console/annuaire/{resource.id}")


ROUTES = [
    ("GET", "/annuaire", show),
    ("GET", "/annuaire/{resource_id}", show_resource),
    ("POST", "/annuaire/{resource_id}", edit_resource),
]
