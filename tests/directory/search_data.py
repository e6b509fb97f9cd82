"""A small directory of the Lot and the Moselle, written straight into the store."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.core.directory_text import search_text
from frontdoor.core.taxonomy import Category
from frontdoor.store.models import Resource

FIGEAC, CAPDENAC, GRAMAT, LACAPELLE, ASSIER = "46102", "46055", "46128", "46143", "46011"
# name, category, commune INSEE, commune, postal code, lat, lon, phone, served communes
ROWS = [
    ("SSIAD du Grand Figeac", Category.SSIAD, FIGEAC, "Figeac", "46100", 44.6090, 2.0320,
     "+33565341200", [FIGEAC, CAPDENAC]),
    ("SSIAD du Causse", Category.SSIAD, GRAMAT, "Gramat", "46500", 44.7808, 1.7264,
     "+33565387000", [GRAMAT, FIGEAC]),
    ("SSIAD de la vallée du Lot", Category.SSIAD, CAPDENAC, "Capdenac", "46100", 44.5786, 2.0767,
     "+33565641010", [CAPDENAC]),
    ("SSIAD du Ségala", Category.SSIAD, LACAPELLE, "Lacapelle-Marival", "46120", 44.7283,
     1.9264, "+33565409090", [LACAPELLE, ASSIER]),
    ("EHPAD Les Tilleuls", Category.EHPAD, "46042", "Cahors", "46000", 44.4480, 1.4420,
     "+33565200000", []),
    ("Résidence Bégoulès", Category.EHPAD, "46224", "Pradines", "46090", 44.4836, 1.4006,
     "+33565222222", []),
    ("EHPAD de Catus", Category.EHPAD, "46064", "Catus", "46150", 44.5589, 1.3342,
     "+33565233333", []),
    ("CLIC du Pays de Figeac", Category.CLIC, FIGEAC, "Figeac", "46100", 44.6080, 2.0310,
     "+33565505050", []),
    ("CLIC du Grand Cahors", Category.CLIC, "46042", "Cahors", "46000", 44.4470, 1.4400,
     "+33565515151", []),
    ("EHPAD Sainte-Thérèse", Category.EHPAD, "57463", "Metz", "57000", 49.1190, 6.1750,
     "+33387000000", []),
    ("Centre d'addictologie Les Wads", Category.CSAPA, "57672", "Thionville", "57100", 49.3580,
     6.1680, "+33382000000", []),
]  # fmt: skip


def resource(
    name: str,
    category: Category,
    insee: str | None,
    commune: str | None,
    postal_code: str | None,
    latitude: float | None,
    longitude: float | None,
    phone: str | None,
    serves: list[str],
) -> Resource:
    return Resource(
        source="local",
        source_id=name,
        name=name,
        category=category.value,
        commune_insee=insee,
        commune_name=commune,
        postal_code=postal_code,
        departement=postal_code[:2] if postal_code else None,
        latitude=latitude,
        longitude=longitude,
        phones=[phone] if phone else [],
        serves_communes=serves,
        search_text=search_text(name=name, category=category, commune_name=commune),
        updated_at=datetime(2026, 11, 23, tzinfo=UTC),
    )


async def add_directory(session: AsyncSession) -> None:
    session.add_all(resource(*row) for row in ROWS)
    await session.commit()
