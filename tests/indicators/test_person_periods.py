"""The persons' counts of each month, quarter and year, kept by the fold, are the persons.

A person counts once in a period, in her highest band, with every problem of her requests
(frontdoor.indicators.person_periods). The fold keeps those counts per standard period and
a read corrects them for the persons whose changes are not folded yet: both checked against
the plainest count (tests/indicators/test_tallies.py's reference, every request read back)
after each thing a referent does to a person, before the fold and after it, on requests that
straddle the local month, quarter and year boundaries, and with two folds at once.
"""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, date, datetime
from pathlib import Path

from alembic import command
from sqlalchemy import delete, text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select

from frontdoor.core.department import Department
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.migrate import alembic_config, upgrade
from frontdoor.store.models import Person, Request, RequestPerson, RequestResponse
from frontdoor.store.tally_models import PersonPeriodCount, PersonTally, RequestTally
from tests.indicators.random_year import fill_with_random_year
from tests.indicators.tally_checks import (
    assert_counts_are_the_requests,
    correct_persons_at_random,
    count_rows,
    exact_beside_two_folds,
    fold,
    fold_with_persons_tables_of_0022,
)

# Each request's local month, quarter and year, and the UTC ones around them.
BOUNDARIES = [
    "2025", "2025-12", "2025-Q4", "2026", "2026-01", "2026-Q1",
    "2026-03", "2026-04", "2026-Q2", "2026-09", "2026-Q3", "2026-10",
]  # fmt: skip


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


async def accompanied(engine: AsyncEngine, *arrivals: tuple[datetime, list[str]]) -> list[int]:
    """Requests of the Lot, each given an orientation (which accompanies): their ids."""
    async with session_maker(engine)() as session:
        requests = [
            Request(department="dac46", channel="voice", referrer_type="carer",
                    received_at=at, problems=problems)
            for at, problems in arrivals
        ]  # fmt: skip
        session.add_all(requests)
        await session.flush()
        for request in requests:
            session.add(
                RequestResponse(
                    request_id=request.id or 0, kind="orientation", at=request.received_at
                )
            )
        await session.commit()
        return [request.id or 0 for request in requests]


async def linked(engine: AsyncEngine, person: int, *requests: int) -> None:
    async with session_maker(engine)() as session:
        session.add_all(
            RequestPerson(request_id=request, person_id=person, linked_at=utc(2026, 10, 1),
                          linked_by="test")
            for request in requests
        )  # fmt: skip
        await session.commit()


async def person(engine: AsyncEngine, **traits: object) -> int:
    async with session_maker(engine)() as session:
        row = Person(department="dac46", created_at=utc(2025, 12, 1), created_by="test")
        for name, value in traits.items():
            setattr(row, name, value)
        session.add(row)
        await session.commit()
        return row.id or 0


async def changed(engine: AsyncEngine, table: type, key: int, **values: object) -> None:
    async with session_maker(engine)() as session:
        row = await session.get(table, key)
        assert row is not None
        for name, value in values.items():
            setattr(row, name, value)
        await session.commit()


async def test_a_persons_counts_follow_her_across_boundaries_folded_or_not(
    engine: AsyncEngine, chosen: list[Department]
) -> None:
    # 31 December 23:30 UTC is 1 January in Paris: a request of local January and 2026,
    # on which she is still 74 (her age is of the request's UTC date); 31 March 22:30 UTC
    # is April in Paris (the second quarter), 30 September 21:59 UTC still September.
    new_year, april, september, october = await accompanied(
        engine,
        (utc(2025, 12, 31, 23, 30), ["social"]),
        (utc(2026, 3, 31, 22, 30), ["housing"]),
        (utc(2026, 9, 30, 21, 59), []),
        (utc(2026, 10, 2, 9), ["medical", "medical"]),
    )
    december = (await accompanied(engine, (utc(2025, 12, 31, 22, 59), ["carers"])))[0]
    her = await person(engine, birth_date=date(1951, 1, 1), birth_year=1951)
    other = await person(engine, birth_year=1940)
    await linked(engine, her, new_year, april, september)
    await linked(engine, other, october, december)

    async def each_step_counts_exactly() -> None:
        await assert_counts_are_the_requests(engine, chosen, BOUNDARIES)
        await fold(engine, chosen)
        await assert_counts_are_the_requests(engine, chosen, BOUNDARIES)

    await each_step_counts_exactly()
    assert await count_rows(engine, PersonPeriodCount) > 0
    # Her birth date corrected (younger: another band), then only her birth year known.
    await changed(engine, Person, her, birth_date=date(1962, 6, 30), birth_year=1962)
    await each_step_counts_exactly()
    await changed(engine, Person, her, birth_date=None, birth_year=1930)
    await each_step_counts_exactly()
    # Unlinked from her April request: the second quarter loses her, the year keeps her.
    async with session_maker(engine)() as session:
        await session.exec(
            delete(RequestPerson).where(
                col(RequestPerson.person_id) == her, col(RequestPerson.request_id) == april
            )
        )
        await session.commit()
    await each_step_counts_exactly()
    # The other merged into her: one person where there were two, in 2025 and in 2026.
    await changed(engine, Person, other, merged_into=her)
    await each_step_counts_exactly()
    # A request's arrival corrected across the year boundary, and its problems changed.
    await changed(engine, Request, december, received_at=utc(2026, 1, 1, 8), problems=[])
    await changed(engine, Request, new_year, received_at=utc(2025, 12, 1, 8))
    await each_step_counts_exactly()
    # Unmerged, and the merge's links gone: nobody left in October but one not identified.
    await changed(engine, Person, other, merged_into=None)
    async with session_maker(engine)() as session:
        await session.exec(delete(RequestPerson).where(col(RequestPerson.person_id) == other))
        await session.commit()
    await each_step_counts_exactly()


async def test_persons_corrected_beside_two_folds_at_once_are_counted_once(
    engine: AsyncEngine, chosen: list[Department]
) -> None:
    await fill_with_random_year(engine, seed=21)
    await fold(engine, chosen)

    async def correct(seed: int) -> None:
        rng = random.Random(seed)
        for _ in range(3):
            async with session_maker(engine)() as session:
                await correct_persons_at_random(session, rng, 4)
            await asyncio.sleep(0)

    await exact_beside_two_folds(engine, chosen, correct(1), correct(2), folds=4)


async def test_an_upgrade_to_period_counts_folds_the_persons_already_folded_again(
    tmp_path: Path, postgres_database: str | None, chosen: list[Department]
) -> None:
    """0022: persons' tallies folded before it go back to changes, exactly counted until the
    job folds them into the periods' counts."""
    url = postgres_database or f"sqlite+aiosqlite:///{tmp_path / 'before.sqlite3'}"
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            if postgres_database:
                await connection.execute(text("DROP SCHEMA public CASCADE"))
                await connection.execute(text("CREATE SCHEMA public"))
            await connection.run_sync(lambda sync: command.upgrade(alembic_config(sync), "0020"))
        await fill_with_random_year(engine, seed=22)
        await fold_with_persons_tables_of_0022(engine, chosen)
        async with session_maker(engine)() as session:
            measures = (await session.exec(select(RequestTally.measure))).all()
        assert any(measure.startswith("person.") for measure in measures)

        await upgrade(engine)

        assert await count_rows(engine, PersonPeriodCount) == 0
        async with session_maker(engine)() as session:
            measures = (await session.exec(select(RequestTally.measure))).all()
        assert not any(measure.startswith("person.") for measure in measures)
        await assert_counts_are_the_requests(engine, chosen)
        await fold(engine, chosen)
        assert await count_rows(engine, PersonPeriodCount) > 0
        assert await count_rows(engine, PersonTally) > 0
        await assert_counts_are_the_requests(engine, chosen)
    finally:
        await engine.dispose()
