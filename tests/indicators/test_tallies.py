"""The monthly tallies count exactly what the requests say, however they were written.

The reference is the plainest count there is: every request read back and counted in Python
with its department's zone. The store's counts (tallies written by triggers, then folded by
the indicator-tallies job) must equal it before a fold, after it, after corrections made
on top of folded months, and with several writers and folds at once.
"""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from alembic import command
from sqlalchemy import String, cast, delete, insert, literal, text, update
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select

from frontdoor.core.department import Department
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.migrate import alembic_config, upgrade
from frontdoor.store.models import (
    CallbackTaskRow,
    Request,
    RequestPerson,
    RequestResponse,
)
from frontdoor.store.tally_models import (
    PersonTally,
    RequestTally,
    RequestTallyChange,
)
from tests.indicators.random_year import fill_with_random_year, insert_as_stored, random_year
from tests.indicators.tally_checks import (
    assert_counts_are_the_requests,
    correct_persons_at_random,
    count_rows,
    exact_beside_two_folds,
    fold,
    fold_with_persons_tables_of_0022,
)


async def correct_at_random(engine: AsyncEngine, seed: int, how_many: int) -> None:
    """What referents, the retention purge and late status callbacks do to stored requests:
    one by one through the ORM, and in bulk statements."""
    rng = random.Random(seed)
    async with session_maker(engine)() as session:
        rows = list((await session.exec(select(Request))).all())
        for request in rng.sample(rows, how_many):
            change = rng.randrange(8)
            if change == 0:
                request.referrer_type = rng.choice(["gp", "nurse", "test", "carer"])
            elif change == 1:  # a response added, or the first one removed
                given = (
                    await session.exec(
                        select(RequestResponse).where(RequestResponse.request_id == request.id)
                    )
                ).first()
                if given is not None and rng.random() < 0.5:
                    await session.delete(given)
                else:
                    kind = rng.choice(["orientation", "information", "planning"])
                    at = request.received_at
                    session.add(RequestResponse(request_id=request.id or 0, kind=kind, at=at))
                request.age_band = rng.choice([None, "75-84"])
            elif change == 2:
                request.problems = rng.sample(["medical", "social", "housing"], rng.randrange(3))
            elif change == 3:
                request.outcome = "taken"
                request.answered_at = request.received_at + timedelta(seconds=rng.randrange(90))
            elif change == 4:
                request.caller_number = "pseudo:" + str(rng.randrange(10**6))
            elif change == 5:  # marked a repeat of another request of its department, or not
                earlier = [
                    r
                    for r in rows
                    if r.department == request.department and r.received_at < request.received_at
                ]
                if request.repeat_of is None and earlier:
                    request.repeat_of = rng.choice(earlier).id
                else:
                    request.repeat_of = None
            elif change == 6:
                request.closed_at = datetime(2026, 12, 1, tzinfo=UTC)  # counted nowhere
            else:  # followed up from now on: accompanied
                at = request.received_at
                session.add(RequestResponse(request_id=request.id or 0, kind="follow_up", at=at))
        await correct_persons_at_random(session, rng, how_many // 3)
        for task in rng.sample(list((await session.exec(select(CallbackTaskRow))).all()), 40):
            if rng.random() < 0.5:  # called back, in time or late
                task.status, task.closed_at = (
                    "done",
                    task.due_at + timedelta(hours=rng.choice([-1, 2])),
                )
            else:  # reopened, its deadline moved
                task.status, task.closed_at = "open", None
                task.due_at += timedelta(days=rng.randrange(40))
        await session.commit()
        # In bulk: every hospital call of March becomes a care home's, in one statement.
        await session.exec(
            update(Request)
            .where(
                col(Request.referrer_type) == "hospital",
                col(Request.received_at) >= datetime(2026, 3, 1, tzinfo=UTC),
                col(Request.received_at) < datetime(2026, 4, 1, tzinfo=UTC),
            )
            .values(referrer_type="care_home")
        )
        await session.commit()


async def test_unfolded_changes_count_every_request(
    engine: AsyncEngine, chosen: list[Department]
) -> None:
    await fill_with_random_year(engine, seed=7)

    assert await count_rows(engine, RequestTally) == 0
    await assert_counts_are_the_requests(engine, chosen)


async def test_the_fold_moves_every_change_into_tallies_and_changes_nothing_counted(
    engine: AsyncEngine, chosen: list[Department]
) -> None:
    await fill_with_random_year(engine, seed=8)
    changes = await count_rows(engine, RequestTallyChange)

    assert await fold(engine, chosen) == changes
    assert await count_rows(engine, RequestTallyChange) == 0
    assert await fold(engine, chosen) == 0
    await assert_counts_are_the_requests(engine, chosen)


async def test_corrections_after_a_fold_count_on_top_of_it_then_fold_in(
    engine: AsyncEngine, chosen: list[Department]
) -> None:
    await fill_with_random_year(engine, seed=9)
    await fold(engine, chosen)

    await correct_at_random(engine, seed=9, how_many=300)
    await assert_counts_are_the_requests(engine, chosen)  # folded + changes since

    await fold(engine, chosen)
    await assert_counts_are_the_requests(engine, chosen)
    async with session_maker(engine)() as session:
        for table in (RequestTally, PersonTally):
            zeros = await session.exec(select(table).where(col(table.n) <= 0))
            assert zeros.all() == []


async def test_a_deleted_request_is_uncounted(
    engine: AsyncEngine, chosen: list[Department]
) -> None:
    await fill_with_random_year(engine, seed=10)
    await fold(engine, chosen)
    async with session_maker(engine)() as session:
        has_task = select(CallbackTaskRow.request_id)
        erased = select(Request.id).where(
            col(Request.channel) == "sms", col(Request.id).not_in(has_task)
        )
        # Their responses, links to persons and repeats go first (they refer to them), as an
        # erasure removes them: each removal is counted (their repeats become sollicitations),
        # then the request.
        for linked in (RequestResponse, RequestPerson):
            await session.exec(delete(linked).where(col(linked.request_id).in_(erased)))
        await session.exec(
            update(Request).where(col(Request.repeat_of).in_(erased)).values(repeat_of=None)
        )
        await session.exec(delete(Request).where(col(Request.id).in_(erased)))
        await session.commit()

    await assert_counts_are_the_requests(engine, chosen)
    await fold(engine, chosen)
    await assert_counts_are_the_requests(engine, chosen)


async def test_a_pseudonymised_gp_number_leaves_no_trace_once_folded(
    engine: AsyncEngine, chosen: list[Department]
) -> None:
    await fill_with_random_year(engine, seed=11)
    await fold(engine, chosen)
    async with session_maker(engine)() as session:
        numbers = set(
            (
                await session.exec(
                    select(Request.caller_number).where(col(Request.caller_number).is_not(None))
                )
            ).all()
        )
        await session.exec(
            update(Request)
            .where(col(Request.caller_number).is_not(None))
            .values(caller_number=literal("pseudo:").concat(cast(col(Request.id), String)))
        )
        await session.commit()
    await fold(engine, chosen)

    async with session_maker(engine)() as session:
        kept = set((await session.exec(select(RequestTally.value))).all())
        kept |= set((await session.exec(select(RequestTallyChange.value))).all())
    assert numbers
    assert kept.isdisjoint(numbers)
    await assert_counts_are_the_requests(engine, chosen)


async def test_writers_and_two_folds_at_once_lose_and_double_nothing(
    engine: AsyncEngine, chosen: list[Department]
) -> None:
    await fill_with_random_year(engine, seed=12)

    async def write(seed: int) -> None:
        rng = random.Random(seed)
        for _ in range(15):
            async with session_maker(engine)() as session:
                session.add(
                    Request(
                        department=rng.choice(["dac46", "dac57"]),
                        channel="voice",
                        referrer_type=rng.choice(["gp", "nurse", "silent"]),
                        caller_number=f"+3365555{rng.randrange(100):04d}",
                        received_at=datetime(2026, 10, 1, tzinfo=UTC)
                        + timedelta(minutes=rng.randrange(40_000)),
                    )
                )
                await session.commit()
            await asyncio.sleep(0)

    await exact_beside_two_folds(engine, chosen, write(1), write(2), folds=5)


async def test_an_upgrade_counts_the_requests_already_stored(
    tmp_path: Path, postgres_database: str | None, chosen: list[Department]
) -> None:
    url = postgres_database or f"sqlite+aiosqlite:///{tmp_path / 'before.sqlite3'}"
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            if postgres_database:
                await connection.execute(text("DROP SCHEMA public CASCADE"))
                await connection.execute(text("CREATE SCHEMA public"))
            await connection.run_sync(lambda sync: command.upgrade(alembic_config(sync), "0008"))
        # A year of requests and callbacks stored before the tallies existed.
        requests, tasks, _responses = random_year(seed=13)  # none stored before 0017
        async with engine.begin() as connection:
            # Columns added after 0008 (the queue's among them) are not in that schema.
            ids = await insert_as_stored(connection, Request, requests)
            for request, request_id in zip(requests, ids, strict=True):
                request.id = request_id
            for index, task in tasks:
                values = task.model_dump(exclude={"id"}) | {"request_id": requests[index].id}
                await connection.execute(insert(CallbackTaskRow).values(**values))

        await upgrade(engine)

        await assert_counts_are_the_requests(engine, chosen)
        await fold(engine, chosen)
        await assert_counts_are_the_requests(engine, chosen)
    finally:
        await engine.dispose()


async def test_an_upgrade_to_person_tallies_counts_the_persons_already_linked(
    tmp_path: Path, postgres_database: str | None, chosen: list[Department]
) -> None:
    """0019: requests, their responses, persons and links stored under 0018 (with the
    per-request age bands and problems of then, folded and not) are counted in persons once
    upgraded."""
    url = postgres_database or f"sqlite+aiosqlite:///{tmp_path / 'before.sqlite3'}"
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            if postgres_database:
                await connection.execute(text("DROP SCHEMA public CASCADE"))
                await connection.execute(text("CREATE SCHEMA public"))
            await connection.run_sync(lambda sync: command.upgrade(alembic_config(sync), "0018"))
        await fill_with_random_year(engine, seed=14)
        # Today's fold writes the persons' tables of 0022 too: nothing in them under 0018
        # (no person tallies yet), so they are made for this fold and go before the upgrade.
        await fold_with_persons_tables_of_0022(engine, chosen)
        await fill_with_random_year(engine, seed=15, gps=False)  # not folded at the upgrade

        await upgrade(engine)

        async with session_maker(engine)() as session:
            measures = set((await session.exec(select(RequestTally.measure))).all())
            measures |= set((await session.exec(select(RequestTallyChange.measure))).all())
        assert measures.isdisjoint({"age_band", "problem", "without_problem"})
        await assert_counts_are_the_requests(engine, chosen)
        await fold(engine, chosen)
        await assert_counts_are_the_requests(engine, chosen)
    finally:
        await engine.dispose()
