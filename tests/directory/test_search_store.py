"""Search on the store: the same hits, in the same order, on SQLite and PostgreSQL.

Every test here runs on the database of the `database_url` fixture: SQLite, or PostgreSQL
when FRONTDOOR_TEST_POSTGRES_URL names one; the expected tables are the same for both.
"""

from __future__ import annotations

import pytest
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.core.directory_search import parse_query
from frontdoor.core.directory_text import search_text
from frontdoor.core.taxonomy import Category
from frontdoor.directory.communes import default_communes, vocabulary_for
from frontdoor.directory.search import search
from frontdoor.store.models import Resource
from tests.directory.search_data import CAPDENAC, add_directory


@pytest.fixture
async def directory(session: AsyncSession) -> AsyncSession:
    await add_directory(session)
    return session


async def names(session: AsyncSession, text: str, limit: int = 3) -> list[str]:
    query = parse_query(text, vocabulary_for(default_communes()))
    return [hit.resource.name for hit in await search(session, query, limit=limit)]


QUERIES = [
    # Coverage beats distance: the Causse (Gramat, 31 km) serves Figeac, the vallée du Lot
    # (Capdenac, 5 km) does not.
    ("ssiad figeac", ["SSIAD du Grand Figeac", "SSIAD du Causse", "SSIAD de la vallée du Lot"]),
    ("SSIAD 46100", ["SSIAD du Grand Figeac", "SSIAD du Causse", "SSIAD de la vallée du Lot"]),
    (
        "soins infirmiers à domicile capdenac",
        ["SSIAD de la vallée du Lot", "SSIAD du Grand Figeac", "SSIAD du Ségala"],
    ),
    ("maison de retraite Cahors", ["EHPAD Les Tilleuls", "Résidence Bégoulès", "EHPAD de Catus"]),
    # The Lot's EHPADs are 600 km from Metz: no answer to "the nearest" (MAX_DISTANCE_KM).
    ("ehpda 57000", ["EHPAD Sainte-Thérèse"]),
    ("clic figeac", ["CLIC du Pays de Figeac", "CLIC du Grand Cahors"]),
    ("clic", ["CLIC du Grand Cahors", "CLIC du Pays de Figeac"]),
    ("Thérèse", ["EHPAD Sainte-Thérèse"]),
    ("tilleul", ["EHPAD Les Tilleuls"]),
    ("addiction thionville", ["Centre d'addictologie Les Wads"]),
    ("ehpad catus tilleuls", ["EHPAD Les Tilleuls"]),
    ("psy metz", []),
    ("ssiad 99999", ["SSIAD de la vallée du Lot", "SSIAD du Causse", "SSIAD du Grand Figeac"]),
]


@pytest.mark.parametrize(("text", "expected"), QUERIES, ids=[q for q, _ in QUERIES])
async def test_the_same_query_gives_the_same_hits_on_every_database(
    directory: AsyncSession, text: str, expected: list[str]
) -> None:
    assert await names(directory, text) == expected


async def test_hits_carry_their_distance_and_reasons(directory: AsyncSession) -> None:
    query = parse_query("ssiad figeac", vocabulary_for(default_communes()))
    hits = await search(directory, query, limit=3)

    assert [h.reason for h in hits] == [
        "dessert Figeac, situé à Figeac",
        "dessert Figeac, à 31 km",
        "à 5 km",
    ]
    assert hits[1].distance_km == pytest.approx(31.0, abs=1.0)


async def test_the_full_text_index_follows_updates_and_deletes(directory: AsyncSession) -> None:
    found = await directory.exec(select(Resource).where(Resource.name == "EHPAD Les Tilleuls"))
    tilleuls = found.one()
    tilleuls.name = "EHPAD Les Acacias"
    tilleuls.search_text = search_text(
        name=tilleuls.name, category=Category.EHPAD, commune_name="Cahors"
    )
    directory.add(tilleuls)
    await directory.commit()

    assert await names(directory, "tilleuls") == []
    assert await names(directory, "acacias") == ["EHPAD Les Acacias"]

    await directory.delete(tilleuls)
    await directory.commit()
    assert await names(directory, "acacias") == []
    assert await names(directory, "maison de retraite cahors", limit=5) == [
        "Résidence Bégoulès",
        "EHPAD de Catus",
    ]


async def test_served_communes_follow_updates(directory: AsyncSession) -> None:
    found = await directory.exec(select(Resource).where(Resource.name == "SSIAD du Ségala"))
    segala = found.one()
    segala.serves_communes = [*segala.serves_communes, CAPDENAC]
    directory.add(segala)
    await directory.commit()

    assert await names(directory, "ssiad capdenac") == [
        "SSIAD de la vallée du Lot",
        "SSIAD du Grand Figeac",
        "SSIAD du Ségala",
    ]
    hits = await search(
        directory, parse_query("ssiad capdenac", vocabulary_for(default_communes())), limit=3
    )
    assert hits[2].serves

    segala.serves_communes = []
    directory.add(segala)
    await directory.commit()
    hits = await search(
        directory, parse_query("ssiad capdenac", vocabulary_for(default_communes())), limit=3
    )
    assert not hits[2].serves


async def test_a_postal_code_missing_from_the_reference_is_placed_from_the_directory(
    directory: AsyncSession,
) -> None:
    directory.add(
        Resource(
            source="local",
            source_id="x",
            name="SSIAD de Nulle Part",
            category="ssiad",
            postal_code="46999",
            commune_insee="46999",
            commune_name="Nulle-Part",
            latitude=44.60,
            longitude=2.00,
            search_text=search_text(
                name="SSIAD de Nulle Part", category=Category.SSIAD, commune_name="Nulle-Part"
            ),
            updated_at=(await directory.exec(select(Resource))).first().updated_at,  # type: ignore[union-attr]
        )
    )
    await directory.commit()

    assert (await names(directory, "ssiad 46999"))[:2] == [
        "SSIAD de Nulle Part",
        "SSIAD du Grand Figeac",
    ]
