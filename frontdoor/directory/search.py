"""Directory search, the store's side: the database selects candidates, the core ranks them.

SQLite and PostgreSQL give the same hits in the same order because neither orders them:
they only answer set questions (this category, these words, in this box, serving that
commune) with the same semantics — FTS5 prefix queries on SQLite, 'simple' tsqueries on
PostgreSQL, both over the already normalised `search_text` — and
`frontdoor.core.directory_search.rank` does the rest. The nearest are found by boxes of
growing size around the commune's point, stopping as soon as enough candidates lie within
the circle the box encloses.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, column, select, table, text
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.core.directory_search import (
    MAX_DISTANCE_KM,
    Candidate,
    CommuneRef,
    DirectoryQuery,
    Hit,
    distance_km,
    parse_query,
    rank,
    relevance,
)
from frontdoor.core.taxonomy import Category
from frontdoor.directory.communes import (
    CommuneIndex,
    commune_ref,
    default_communes,
    vocabulary_for,
)
from frontdoor.store.models import Resource

# Widening stops at the farthest a resource may be offered from (core MAX_DISTANCE_KM).
RADII_KM = (10.0, 25.0, 60.0, MAX_DISTANCE_KM)
# At most this many rows per selection; beyond, ranking works on a deterministic subset.
MAX_CANDIDATES = 2000
_KM_PER_DEGREE = 111.195
# Written by migration 0004's triggers, outside the models.
_SERVES = table("resource_serves", column("insee"), column("resource_id"))
_R = Resource.__table__.c  # type: ignore[attr-defined]
_COLUMNS = (
    _R.id, _R.name, _R.category, _R.search_text, _R.commune_insee, _R.commune_name,
    _R.postal_code, _R.address, _R.latitude, _R.longitude, _R.phones, _R.serves_communes,
    _R.finess,
)  # fmt: skip


async def search_typed(session: AsyncSession, typed: str, *, limit: int) -> list[Hit]:
    """The resources for what a person typed ("ssiad figeac"): none for nothing typed."""
    if not typed.strip():
        return []
    communes = default_communes()
    query = parse_query(typed[:200], vocabulary_for(communes))
    return await search(session, query, limit=limit, communes=communes)


async def search(
    session: AsyncSession,
    query: DirectoryQuery,
    *,
    limit: int = 3,
    communes: CommuneIndex | None = None,
) -> list[Hit]:
    """The best `limit` resources for the query, best first (see the module's docstring)."""
    communes = communes or default_communes()
    commune = await commune_ref(session, query, communes)
    dialect = _dialect(session)
    base: list[ColumnElement[bool]] = []
    if query.category is not None:
        base.append(_R.category == query.category.value)
    if commune is not None:
        # Near a place, the box queries select and the terms are read in Python: a common
        # word ("résidence") would otherwise make the database match thousands of rows first.
        candidates = await _near(session, query, base, commune, limit)
    elif query.terms:
        # Every candidate has every word: the core's order is the search text's, so the
        # database's first `limit` rows are the answer.
        words = _matching(query.terms, dialect, every=True)
        candidates = await _anywhere(session, [*base, words], dialect, limit)
        if not candidates:  # no resource has every word: any of them, ranked by how many
            words = _matching(query.terms, dialect, every=False)
            candidates = await _anywhere(session, [*base, words], dialect, MAX_CANDIDATES)
    else:
        candidates = await _anywhere(session, base, dialect, limit)
    return rank(candidates, query, commune=commune, limit=limit)


async def resolve_commune(
    session: AsyncSession, query: DirectoryQuery, communes: CommuneIndex | None = None
) -> CommuneRef | None:
    """The commune a query is about, with its reference point (None: no place asked)."""
    return await commune_ref(session, query, communes or default_communes())


def _dialect(session: AsyncSession) -> str:
    bind = session.get_bind()
    return bind.dialect.name


def _matching(terms: Sequence[str], dialect: str, *, every: bool) -> ColumnElement[bool]:
    """Resources whose words start with the terms (all of them, or any)."""
    # Terms are normalised words of [a-z0-9]: nothing in them is query syntax.
    if dialect == "postgresql":
        tsquery = (" & " if every else " | ").join(f"{t}:*" for t in terms)
        return text(
            "to_tsvector('simple', resources.search_text) @@ to_tsquery('simple', :q)"
        ).bindparams(q=tsquery)  # type: ignore[return-value]  # noqa: E501
    match = (" AND " if every else " OR ").join(f"{t}*" for t in terms)
    return text(
        "resources.id IN (SELECT rowid FROM resources_fts WHERE resources_fts MATCH :q)"
    ).bindparams(q=match)  # type: ignore[return-value]


def _covering(where: list[ColumnElement[bool]], insee: str) -> Any:
    """Resources in the commune, and those serving it: two index lookups, not an OR."""
    located = select(*_COLUMNS).where(*where, _R.commune_insee == insee)
    serving = (
        select(*_COLUMNS)
        .join(_SERVES, _SERVES.c.resource_id == _R.id)
        .where(*where, _SERVES.c.insee == insee)
    )
    return located.union_all(serving)  # UNION would compare the JSON columns: duplicates stay


def _box(commune: CommuneRef, radius_km: float) -> ColumnElement[bool]:
    dlat = radius_km / _KM_PER_DEGREE
    cos_lat = max(math.cos(math.radians(commune.latitude)), 0.01)
    dlon = dlat / cos_lat
    return and_(
        _R.latitude.between(commune.latitude - dlat, commune.latitude + dlat),
        _R.longitude.between(commune.longitude - dlon, commune.longitude + dlon),
    )


async def _anywhere(
    session: AsyncSession, where: list[ColumnElement[bool]], dialect: str, limit: int
) -> list[Candidate]:
    # No place: the core orders by relevance, then by search text, then id; the database
    # keeps the first rows in that same byte order (C collation on PostgreSQL).
    order = _R.search_text.collate("C") if dialect == "postgresql" else _R.search_text
    statement = select(*_COLUMNS).where(*where).order_by(order, _R.id)
    return await _fetch(session, statement.limit(limit))


async def _near(
    session: AsyncSession,
    query: DirectoryQuery,
    where: list[ColumnElement[bool]],
    commune: CommuneRef,
    limit: int,
) -> list[Candidate]:
    """Those covering the commune, then boxes growing until `limit` lie within reach."""

    def wanted(c: Candidate) -> bool:  # has every term, as the core prefers
        return not query.terms or relevance(query.terms, c.search_text) >= 1

    found = {c.id: c for c in await _fetch(session, _covering(where, commune.insee))}
    covered = {i for i, c in found.items() if wanted(c)}
    for radius in RADII_KM:
        statement = select(*_COLUMNS).where(*where, _box(commune, radius)).order_by(_R.id)
        for candidate in await _fetch(session, statement.limit(MAX_CANDIDATES)):
            found.setdefault(candidate.id, candidate)
        within = sum(
            1
            for c in found.values()
            if c.id not in covered
            and wanted(c)
            and c.latitude is not None
            and c.longitude is not None
            and distance_km(commune.latitude, commune.longitude, c.latitude, c.longitude) <= radius
        )
        if len(covered) + within >= limit:
            return list(found.values())
    statement = select(*_COLUMNS).where(*where).order_by(_R.id).limit(MAX_CANDIDATES)
    for candidate in await _fetch(session, statement):
        found.setdefault(candidate.id, candidate)
    return list(found.values())


async def _fetch(session: AsyncSession, statement: Any) -> list[Candidate]:
    rows = (await session.exec(statement)).all()
    return [_candidate(row) for row in rows]


def _candidate(row: Any) -> Candidate:
    try:
        category = Category(row.category)
    except ValueError:
        category = Category.OTHER
    return Candidate(
        id=row.id,
        name=row.name,
        category=category,
        search_text=row.search_text,
        commune_insee=row.commune_insee,
        commune_name=row.commune_name,
        postal_code=row.postal_code,
        address=row.address,
        latitude=row.latitude,
        longitude=row.longitude,
        phones=tuple(row.phones or ()),
        serves_communes=tuple(row.serves_communes or ()),
        finess=row.finess,
    )
