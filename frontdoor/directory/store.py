"""Imported resources into the store: created, updated, left alone, or kept as edited locally.

Idempotent on (source, source_id). The existing rows of the sources being imported are read
in one query (their compared columns only), then new and changed rows are written in batches
of `BATCH` with bulk INSERT and bulk UPDATE by primary key: a national FINESS extract is a few
round trips per thousand rows, not one per row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.core.directory_text import search_text
from frontdoor.directory.communes import default_communes
from frontdoor.directory.imported import ImportedResource, ImportProblem
from frontdoor.store.models import Resource

BATCH = 1_000
LOCALLY_EDITED = "modifiée localement : non écrasée"
# The columns an import writes, compared to decide whether a row changed.
COMPARED = (
    "name", "category", "finess_category", "finess", "address", "postal_code", "commune_insee",
    "commune_name", "departement", "latitude", "longitude", "phones", "email", "website",
    "hours_text", "serves_communes", "audience", "checked_at", "search_text",
)  # fmt: skip


@dataclass(kw_only=True)
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[ImportProblem] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"{self.created} créées, {self.updated} mises à jour, "
            f"{self.unchanged} inchangées, {len(self.skipped)} ignorées"
        )


def row_values(resource: ImportedResource) -> dict[str, Any]:
    """The columns of a resource as the store keeps them.

    A resource given without coordinates is placed at its commune's reference point, so that
    "the nearest" can still rank it (a spreadsheet rarely has coordinates).
    """
    latitude, longitude = resource.latitude, resource.longitude
    if latitude is None or longitude is None:
        commune = default_communes().by_insee.get(resource.commune_insee or "")
        if commune is not None:
            latitude, longitude = commune.latitude, commune.longitude
    return {
        "name": resource.name,
        "category": resource.category.value,
        "finess_category": resource.finess_category,
        "finess": resource.finess,
        "address": resource.address,
        "postal_code": resource.postal_code,
        "commune_insee": resource.commune_insee,
        "commune_name": resource.commune_name,
        "departement": resource.departement,
        "latitude": latitude,
        "longitude": longitude,
        "phones": list(resource.phones),
        "email": resource.email,
        "website": resource.website,
        "hours_text": resource.hours_text,
        "serves_communes": list(resource.serves_communes),
        "audience": resource.audience,
        "checked_at": resource.checked_at,
        "search_text": search_text(
            name=resource.name, category=resource.category, commune_name=resource.commune_name
        )[:2000],
    }


async def upsert_resources(
    *,
    session: AsyncSession,
    resources: Iterable[ImportedResource],
    now: datetime,
    progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Write `resources`; the caller commits. `progress` is told how many were handled."""
    incoming = list(resources)
    summary = ImportSummary()
    existing = await _existing(session, {r.source for r in incoming})
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for done, resource in enumerate(incoming, start=1):
        key = (resource.source, resource.source_id)
        record = f"{resource.name} ({resource.source} {resource.source_id})"
        values = row_values(resource)
        current = existing.get(key)
        if key in seen:
            summary.skipped.append(ImportProblem(None, record, "en double dans l'import"))
        elif current is None:
            inserts.append({"source": key[0], "source_id": key[1], "updated_at": now, **values})
            summary.created += 1
        elif current["edited_locally"]:
            summary.skipped.append(ImportProblem(None, record, LOCALLY_EDITED))
        elif all(current[c] == values[c] for c in COMPARED):
            summary.unchanged += 1
        else:
            updates.append({"id": current["id"], "updated_at": now, **values})
            summary.updated += 1
        seen.add(key)
        if len(inserts) + len(updates) >= BATCH:
            await _write(session, inserts, updates)
            inserts, updates = [], []
        if progress is not None and (done % BATCH == 0 or done == len(incoming)):
            progress(done)
    await _write(session, inserts, updates)
    return summary


async def _existing(session: AsyncSession, sources: set[str]) -> dict[tuple[str, str], Any]:
    if not sources:
        return {}
    names = ("id", "source", "source_id", "edited_locally", *COMPARED)
    query = select(*(getattr(Resource, n) for n in names)).where(col(Resource.source).in_(sources))
    found: dict[tuple[str, str], Any] = {}
    for values in await session.exec(query):
        row = dict(zip(names, values, strict=True))
        row["phones"] = list(row["phones"] or [])
        row["serves_communes"] = list(row["serves_communes"] or [])
        found[(row["source"], row["source_id"])] = row
    return found


async def _write(
    session: AsyncSession, inserts: list[dict[str, Any]], updates: list[dict[str, Any]]
) -> None:
    if inserts:
        await session.exec(insert(Resource), params=inserts)
    if updates:
        await session.exec(update(Resource), params=updates)
