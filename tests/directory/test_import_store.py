"""Upserting imported resources: idempotent, updates what changed, respects local edits."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.core.directory_text import search_text
from frontdoor.core.taxonomy import Category
from frontdoor.directory.imported import ImportedResource
from frontdoor.directory.store import LOCALLY_EDITED, ImportSummary, upsert_resources
from frontdoor.store.models import Resource

FIRST = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
LATER = datetime(2026, 3, 8, 9, 0, tzinfo=UTC)
SSIAD = ImportedResource(
    source="csv",
    source_id="dac46-ssiad-figeac",
    name="SSIAD du Pays de Figeac",
    category=Category.SSIAD,
    postal_code="46100",
    commune_insee="46102",
    commune_name="Figeac",
    departement="46",
    latitude=44.609,
    longitude=2.033,
    phones=("+33536491010",),
    serves_communes=("46102", "46128"),
    checked_at=date(2026, 2, 2),
)
EHPAD = ImportedResource(
    source="csv", source_id="dac46-ehpad-gourdon", name="EHPAD Les Tilleuls",
    category=Category.EHPAD, commune_name="Gourdon",
)  # fmt: skip


async def rows(session: AsyncSession) -> dict[str, Resource]:
    session.expire_all()
    return {r.source_id: r for r in (await session.exec(select(Resource))).all()}


async def test_new_resources_are_created_with_their_search_text(session: AsyncSession) -> None:
    summary = await upsert_resources(session=session, resources=[SSIAD, EHPAD], now=FIRST)
    await session.commit()
    assert (summary.created, summary.updated, summary.unchanged, summary.skipped) == (2, 0, 0, [])
    stored = (await rows(session))["dac46-ssiad-figeac"]
    assert stored.category == "ssiad"
    assert stored.phones == ["+33536491010"]
    assert stored.serves_communes == ["46102", "46128"]
    assert stored.checked_at == date(2026, 2, 2)
    assert stored.updated_at == FIRST
    assert stored.search_text == search_text(
        name="SSIAD du Pays de Figeac", category=Category.SSIAD, commune_name="Figeac"
    )


async def test_a_second_import_changes_nothing(session: AsyncSession) -> None:
    await upsert_resources(session=session, resources=[SSIAD, EHPAD], now=FIRST)
    await session.commit()
    summary = await upsert_resources(session=session, resources=[SSIAD, EHPAD], now=LATER)
    await session.commit()
    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 2)
    assert {r.updated_at for r in (await rows(session)).values()} == {FIRST}


async def test_a_changed_field_updates_the_row(session: AsyncSession) -> None:
    await upsert_resources(session=session, resources=[SSIAD, EHPAD], now=FIRST)
    await session.commit()
    moved = dataclasses.replace(SSIAD, phones=("+33536491099",), serves_communes=("46102",))
    summary = await upsert_resources(session=session, resources=[moved, EHPAD], now=LATER)
    await session.commit()
    assert (summary.created, summary.updated, summary.unchanged) == (0, 1, 1)
    stored = await rows(session)
    assert stored["dac46-ssiad-figeac"].phones == ["+33536491099"]
    assert stored["dac46-ssiad-figeac"].serves_communes == ["46102"]
    assert stored["dac46-ssiad-figeac"].updated_at == LATER
    assert stored["dac46-ehpad-gourdon"].updated_at == FIRST


async def test_a_row_edited_locally_is_not_overwritten(session: AsyncSession) -> None:
    await upsert_resources(session=session, resources=[SSIAD], now=FIRST)
    row = (await rows(session))["dac46-ssiad-figeac"]
    row.name, row.edited_locally = "SSIAD de Figeac (nouveau nom)", True
    session.add(row)
    await session.commit()
    renamed = dataclasses.replace(SSIAD, name="SSIAD Figeac-Capdenac")
    summary = await upsert_resources(session=session, resources=[renamed], now=LATER)
    await session.commit()
    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 0)
    assert [p.message for p in summary.skipped] == [LOCALLY_EDITED]
    assert str(summary.skipped[0]) == (
        "SSIAD Figeac-Capdenac (csv dac46-ssiad-figeac) : modifiée localement : non écrasée"
    )
    assert (await rows(session))["dac46-ssiad-figeac"].name == "SSIAD de Figeac (nouveau nom)"


async def test_the_same_id_twice_in_one_import_is_skipped(session: AsyncSession) -> None:
    summary = await upsert_resources(session=session, resources=[SSIAD, SSIAD], now=FIRST)
    assert (summary.created, len(summary.skipped)) == (1, 1)


async def test_sources_do_not_collide(session: AsyncSession) -> None:
    from_finess = dataclasses.replace(SSIAD, source="finess", source_id="dac46-ssiad-figeac")
    summary = await upsert_resources(session=session, resources=[SSIAD, from_finess], now=FIRST)
    assert summary.created == 2


async def test_progress_is_reported_by_batch_and_at_the_end(session: AsyncSession) -> None:
    many = [dataclasses.replace(EHPAD, source_id=f"ehpad-{n}") for n in range(2_500)]
    seen: list[int] = []
    summary = await upsert_resources(
        session=session, resources=many, now=FIRST, progress=seen.append
    )
    await session.commit()
    assert seen == [1_000, 2_000, 2_500]
    assert summary.created == 2_500
    assert len(await rows(session)) == 2_500


def test_the_summary_reads_in_french() -> None:
    summary = ImportSummary(created=12, updated=3, unchanged=40)
    summary.skipped += [object(), object()]  # type: ignore[list-item]
    assert str(summary) == "12 créées, 3 mises à jour, 40 inchangées, 2 ignorées"
