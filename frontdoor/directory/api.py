"""GET /api/directory/search: the directory as JSON, for any holder of an API key."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from aiohttp import web

from frontdoor.core.directory_search import CommuneRef, DirectoryQuery, Hit, parse_query
from frontdoor.core.directory_text import normalized
from frontdoor.core.taxonomy import CATEGORIES, Category
from frontdoor.directory.communes import default_communes, vocabulary_for
from frontdoor.directory.search import resolve_commune, search
from frontdoor.keys import SESSIONS
from frontdoor.kit.callers import caller_of

MAX_LIMIT = 20


def add_routes(app: web.Application) -> None:
    app.router.add_get("/api/directory/search", search_directory)


def query_of(params: Any) -> tuple[DirectoryQuery, int]:
    """`q` read as a person writes it; `category`, `postal_code`, `commune` override it."""
    communes = default_communes()
    query = parse_query(params.get("q", ""), vocabulary_for(communes))
    if category := params.get("category"):
        try:
            query = replace(query, category=Category(category.strip().lower()))
        except ValueError:
            raise web.HTTPBadRequest(text=f"unknown category {category!r}") from None
    if postal_code := params.get("postal_code"):
        query = replace(query, postal_code=postal_code.strip())
    if commune := params.get("commune"):
        found = communes.find(commune)
        query = replace(query, commune=normalized(found.name if found else commune))
    try:
        limit = int(params.get("limit", "3"))
    except ValueError:
        raise web.HTTPBadRequest(text="limit must be a number") from None
    if not 1 <= limit <= MAX_LIMIT:
        raise web.HTTPBadRequest(text=f"limit must be 1..{MAX_LIMIT}")
    return query, limit


async def search_directory(request: web.Request) -> web.Response:
    caller_of(request)  # any department's key: the directory is the territory's, not a case
    query, limit = query_of(request.query)
    async with request.app[SESSIONS]() as session:
        commune = await resolve_commune(session, query)
        hits = await search(session, query, limit=limit)
    return web.json_response(
        {
            "query": query_json(query),
            "commune": commune_json(commune),
            "hits": [hit_json(hit) for hit in hits],
            "count": len(hits),
        }
    )


def query_json(query: DirectoryQuery) -> dict[str, Any]:
    return {
        "text": query.text,
        "category": query.category.value if query.category else None,
        "postal_code": query.postal_code,
        "commune": query.commune,
        "terms": list(query.terms),
        "corrections": [list(pair) for pair in query.corrections],
    }


def commune_json(commune: CommuneRef | None) -> dict[str, Any] | None:
    if commune is None:
        return None
    return {
        "insee": commune.insee,
        "name": commune.name,
        "latitude": commune.latitude,
        "longitude": commune.longitude,
    }


def hit_json(hit: Hit) -> dict[str, Any]:
    resource = hit.resource
    return {
        "id": resource.id,
        "name": resource.name,
        "category": resource.category.value,
        "category_label": CATEGORIES[resource.category].label,
        "finess": resource.finess,
        "address": resource.address,
        "postal_code": resource.postal_code,
        "commune_insee": resource.commune_insee,
        "commune_name": resource.commune_name,
        "phones": list(resource.phones),
        "serves": hit.serves,
        "located": hit.located,
        "distance_km": round(hit.distance_km, 1) if hit.distance_km is not None else None,
        "reason": hit.reason,
    }
