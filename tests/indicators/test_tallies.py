"""The monthly tallies count exactly what the requests say, however they were written.

The reference is the plainest count there is: every request read back and counted in Python
with its department's zone. The store's counts (tallies written by triggers, then folded by
the indicator-tallies job) must equal it before a fold, after it, after corrections made
on top of folded months, and with several writers and folds at once.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import String, cast, delete, func, insert, literal, text, update
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select

from frontdoor.core.department import Department
from frontdoor.core.indicators import NOT_A_REQUEST, DepartmentCounts
from frontdoor.departments import Departments
from frontdoor.indicators.periods import Period
from frontdoor.indicators.queries import department_counts
from frontdoor.indicators.tallies import fold_changes
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.migrate import alembic_config, upgrade
from frontdoor.store.models import CallbackTaskRow, Request, RequestResponse
from frontdoor.store.tally_models import RequestTally, RequestTallyChange
from tests.indicators.test_queries import fill_with_random_year, lot, moselle, random_year

PERIODS = ["2026", "2026-03", "2026-10", "2026-Q4", "2025-12"]


def reference(
    rows: list[Request],
    tasks: list[CallbackTaskRow],
    responses: list[RequestResponse],
    department: Department,
    period: Period,
) -> DepartmentCounts:
    """The counts of the department's requests received in the period, and of its callbacks
    due in it, one by one; a request counts once in each kind of response it got; a repeat
    counts in the load (channels, calls, hours) but not as a sollicitation."""
    zone = department.calendar.timezone
    starts, ends = period.utc_bounds(zone)
    due = [t for t in tasks if t.department == department.slug and starts <= t.due_at < ends]
    mine = [r for r in rows if r.department == department.slug and starts <= r.received_at < ends]
    requests = [r for r in mine if r.referrer_type not in NOT_A_REQUEST]
    sollicitations = [r for r in requests if r.repeat_of is None]
    voice = [r for r in requests if r.channel == "voice"]
    local = [r.received_at.astimezone(zone) for r in requests]
    problems: Counter[str] = Counter()
    for r in sollicitations:
        problems.update(set(r.problems or ()))
    kinds: dict[int | None, set[str | None]] = {}
    for response in responses:
        kinds.setdefault(response.request_id, set()).add(response.kind)
    answered: Counter[str | None] = Counter()
    for r in sollicitations:
        answered.update(kinds.get(r.id) or {None})
    gps = {
        r.caller_number or r.contact_address
        for r in mine
        if r.referrer_type == "gp" and (r.caller_number or r.contact_address)
    }
    return DepartmentCounts(
        department=department.slug,
        name=department.name,
        referrers=dict(
            Counter(
                r.referrer_type
                for r in mine
                if r.repeat_of is None or r.referrer_type in NOT_A_REQUEST
            )
        ),
        repeats=len(requests) - len(sollicitations),
        responses=dict(answered),
        age_bands=dict(Counter(r.age_band for r in sollicitations)),
        problems=dict(problems),
        without_problem=sum(1 for r in sollicitations if not r.problems),
        gp_contacts=len(gps),
        channels=dict(Counter(r.channel for r in requests)),
        voice_outcomes=dict(Counter(r.outcome for r in voice)),
        out_of_hours=sum(1 for r in requests if r.out_of_hours),
        waits=dict(
            Counter(
                max(int(r.answered_at.timestamp()) - int(r.received_at.timestamp()), 0)
                for r in voice
                if r.answered_at is not None
            )
        ),
        by_hour=dict(Counter(at.hour for at in local)),
        by_weekday=dict(Counter(at.weekday() for at in local)),
        callbacks_due=len(due),
        callbacks_in_time=sum(
            1 for t in due if t.status == "done" and t.closed_at and t.closed_at <= t.due_at
        ),
    )


async def assert_counts_are_the_requests(
    engine: AsyncEngine, departments: list[Department]
) -> None:
    async with session_maker(engine)() as session:
        rows = list((await session.exec(select(Request))).all())
        tasks = list((await session.exec(select(CallbackTaskRow))).all())
        responses = list((await session.exec(select(RequestResponse))).all())
        for code in PERIODS:
            period = Period.parse(code)
            counted = await department_counts(session, departments=departments, period=period)
            for department, found in zip(departments, counted, strict=True):
                # The figures entered by the coordinator are not counted: read as they are.
                expected = reference(rows, tasks, responses, department, period)
                assert replace(found, figures=None) == expected, (department.slug, code)


async def fold(engine: AsyncEngine, departments: list[Department]) -> int:
    folded = 0
    for department in departments:
        async with engine.begin() as connection:
            folded += await fold_changes(connection, department)
    return folded


async def count_rows(engine: AsyncEngine, table: type) -> int:
    async with session_maker(engine)() as session:
        return (await session.exec(select(func.count()).select_from(table))).one()


async def correct_at_random(engine: AsyncEngine, seed: int, how_many: int) -> None:
    """What referents, the retention purge and late status callbacks do to stored requests:
    one by one through the ORM, and in bulk statements."""
    rng = random.Random(seed)
    async with session_maker(engine)() as session:
        rows = list((await session.exec(select(Request))).all())
        for request in rng.sample(rows, how_many):
            change = rng.randrange(7)
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
            else:
                request.closed_at = datetime(2026, 12, 1, tzinfo=UTC)  # counted nowhere
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


@pytest.fixture
def chosen(departments: Departments) -> list[Department]:
    return [lot(departments), moselle(departments)]


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
        zeros = await session.exec(select(RequestTally).where(col(RequestTally.n) <= 0))
        assert zeros.all() == []


async def test_a_deleted_request_is_uncounted(
    engine: AsyncEngine, chosen: list[Department]
) -> None:
    await fill_with_random_year(engine, seed=10)
    await fold(engine, chosen)
    async with session_maker(engine)() as session:
        has_task = select(CallbackTaskRow.request_id)
        gone = select(Request.id).where(
            col(Request.channel) == "sms", col(Request.id).not_in(has_task)
        )
        # Its responses and repeats first (they refer to it): each removal is counted (its
        # repeats become sollicitations), then the request.
        await session.exec(delete(RequestResponse).where(col(RequestResponse.request_id).in_(gone)))
        await session.exec(
            update(Request).where(col(Request.repeat_of).in_(gone)).values(repeat_of=None)
        )
        await session.exec(delete(Request).where(col(Request.id).in_(gone)))
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

    async def folds() -> None:
        for _ in range(5):
            await fold(engine, chosen)
            await asyncio.sleep(0)

    await asyncio.gather(write(1), write(2), folds(), folds())

    await assert_counts_are_the_requests(engine, chosen)
    await fold(engine, chosen)
    await assert_counts_are_the_requests(engine, chosen)


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
        requests, tasks, _responses = random_year(seed=13)  # none stored before 0016
        async with engine.begin() as connection:
            for request in requests:
                # Columns added after 0008 (empty here) are not in that schema.
                values = request.model_dump(
                    exclude={"id", "response_kinds", "repeat_of"}, exclude_none=True
                )
                row = await connection.execute(insert(Request).values(**values))
                request.id = row.inserted_primary_key[0]
            for index, task in tasks:
                values = task.model_dump(exclude={"id"}) | {"request_id": requests[index].id}
                await connection.execute(insert(CallbackTaskRow).values(**values))

        await upgrade(engine)

        await assert_counts_are_the_requests(engine, chosen)
        await fold(engine, chosen)
        await assert_counts_are_the_requests(engine, chosen)
    finally:
        await engine.dispose()
