"""The lease on a job's slot, on SQLite and (with FRONTDOOR_TEST_POSTGRES_URL) PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from frontdoor.jobs import lease
from frontdoor.jobs.base import Job, JobContext
from frontdoor.keys import CLOCK, ENGINE
from frontdoor.kit.runtime import JOB_RUNTIME, JobRuntime
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.models import Request
from frontdoor.web.scheduler import run_once
from tests.jobs.runs import job_runs

SLOT = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
NOW = SLOT + timedelta(milliseconds=20)
LATER = NOW + timedelta(seconds=2)


async def test_a_slot_is_claimed_once(engine: AsyncEngine) -> None:
    first = await lease.claim(engine, job="demo", slot=SLOT, instance="a", now=NOW)
    second = await lease.claim(engine, job="demo", slot=SLOT, instance="b", now=NOW)

    assert (first, second) == (True, False)
    [run] = await job_runs(engine)
    assert (run.job, run.slot, run.instance) == ("demo", "2026-11-23T06:00:00Z", "a")
    assert (run.started_at, run.finished_at, run.ok) == (NOW, None, None)


async def test_other_slots_and_other_jobs_are_claimed_apart(engine: AsyncEngine) -> None:
    claims = []
    for job in ("demo", "other"):
        for slot in (SLOT, SLOT + timedelta(minutes=1)):
            claims.append(await lease.claim(engine, job=job, slot=slot, instance="a", now=NOW))
            await lease.finish(engine, job=job, slot=slot, instance="a", ok=True, detail=None,
                               now=NOW)  # fmt: skip

    assert claims == [True] * 4


async def test_a_slot_is_not_claimed_while_the_jobs_run_of_an_earlier_one_goes_on(
    engine: AsyncEngine,
) -> None:
    later = SLOT + timedelta(seconds=1)
    assert await lease.claim(engine, job="demo", slot=SLOT, instance="a", now=NOW)

    # Instance a still runs the slot: b does not run the job beside it, another job runs.
    assert not await lease.claim(engine, job="demo", slot=later, instance="b", now=LATER)
    assert await lease.claim(engine, job="other", slot=later, instance="b", now=LATER)
    # Once a's run has ended, the next slot is b's to take.
    await lease.finish(engine, job="demo", slot=SLOT, instance="a", ok=True, detail=None,
                       now=LATER)  # fmt: skip
    assert await lease.claim(engine, job="demo", slot=later + timedelta(seconds=1),
                             instance="b", now=LATER)  # fmt: skip


async def test_a_run_unfinished_for_long_is_taken_for_dead(engine: AsyncEngine) -> None:
    assert await lease.claim(engine, job="demo", slot=SLOT, instance="crashed", now=NOW)
    much_later = NOW + lease.PRESUMED_DEAD_AFTER + timedelta(seconds=1)

    assert await lease.claim(
        engine, job="demo", slot=SLOT + timedelta(minutes=11), instance="b", now=much_later
    )


async def test_concurrent_claims_of_successive_slots_have_one_winner(database_url: str) -> None:
    engines = [create_engine(database_url) for _ in range(4)]  # four "instances"
    try:
        claims = await asyncio.gather(
            *(
                lease.claim(
                    engines[n % 4],
                    job="demo",
                    slot=SLOT + timedelta(seconds=n),
                    instance=f"instance-{n}",
                    now=NOW,
                )  # fmt: skip
                for n in range(8)
            )
        )
    finally:
        for engine in engines:
            await engine.dispose()

    assert claims.count(True) == 1


async def test_the_slot_is_keyed_to_the_second_in_utc(engine: AsyncEngine) -> None:
    paris = SLOT.astimezone(ZoneInfo("Europe/Paris"))
    assert await lease.claim(engine, job="demo", slot=SLOT, instance="a", now=NOW)
    assert not await lease.claim(engine, job="demo", slot=paris, instance="b", now=NOW)
    with pytest.raises(ValueError, match="naive"):
        lease.slot_key(SLOT.replace(tzinfo=None))


async def test_concurrent_claims_have_one_winner(database_url: str) -> None:
    engines = [create_engine(database_url) for _ in range(4)]  # four "instances"
    try:
        claims = await asyncio.gather(
            *(
                lease.claim(
                    engines[n % 4], job="demo", slot=SLOT, instance=f"instance-{n}", now=NOW
                )
                for n in range(20)
            )
        )
        runs = await job_runs(engines[0])
    finally:
        for engine in engines:
            await engine.dispose()

    assert claims.count(True) == 1
    [run] = runs
    assert run.instance == f"instance-{claims.index(True)}"


async def test_finish_records_the_outcome(engine: AsyncEngine) -> None:
    await lease.claim(engine, job="demo", slot=SLOT, instance="a", now=NOW)
    await lease.finish(
        engine, job="demo", slot=SLOT, instance="a", ok=True, detail="3 done", now=LATER
    )

    [run] = await job_runs(engine)
    assert (run.finished_at, run.ok, run.detail) == (LATER, True, "3 done")


async def test_finish_keeps_a_long_detail_to_the_column(engine: AsyncEngine) -> None:
    await lease.claim(engine, job="demo", slot=SLOT, instance="a", now=NOW)
    await lease.finish(
        engine, job="demo", slot=SLOT, instance="a", ok=True, detail="x" * 900, now=LATER
    )

    [run] = await job_runs(engine)
    assert run.detail == "x" * lease.DETAIL_MAX


def bare_app(runtime: JobRuntime) -> web.Application:
    """Just what run_once needs: the engine, a clock and what the job is given."""
    app = web.Application()
    app[ENGINE] = runtime.engine
    app[CLOCK] = lambda: NOW
    app[JOB_RUNTIME] = runtime
    return app


async def test_run_once_runs_a_claimed_slot_and_records_its_detail(
    engine: AsyncEngine, runtime: JobRuntime
) -> None:
    seen: list[datetime] = []

    async def count(ctx: JobContext) -> str:
        seen.append(ctx.slot)
        return "1 counted"

    job = Job(name="count", description="Counts.", crontab="* * * * *", run=count)
    app = bare_app(runtime)

    ran_here = await run_once(app, job, slot=SLOT, instance="a")
    ran_again = await run_once(app, job, slot=SLOT, instance="b")

    assert (ran_here, ran_again, seen) == (True, False, [SLOT])
    [run] = await job_runs(engine)
    assert (run.instance, run.ok, run.detail, run.finished_at) == ("a", True, "1 counted", NOW)


async def test_a_failing_job_records_the_error_type_never_its_message(
    engine: AsyncEngine, runtime: JobRuntime
) -> None:
    """An exception's message is its raiser's words, which may quote anything it was given
    (frontdoor.core.failures): the run's detail names the error by its type alone."""

    async def fail(_ctx: JobContext) -> str:
        raise RuntimeError("mailbox unreachable\nsecond line with more")

    job = Job(name="fail", description="Fails.", crontab="* * * * *", run=fail)

    assert await run_once(bare_app(runtime), job, slot=SLOT, instance="a")

    [run] = await job_runs(engine)
    assert (run.ok, run.detail) == (False, "RuntimeError")
    assert run.finished_at == NOW


async def test_a_database_error_is_recorded_without_the_statement_values(
    engine: AsyncEngine,
    runtime: JobRuntime,
) -> None:
    """SQLAlchemy's message lists the statement's parameters: callers' numbers stay out."""

    async def insert_twice(_ctx: JobContext) -> str:
        async with session_maker(engine)() as session:
            for _ in range(2):
                session.add(
                    Request(
                        department="dac46",
                        channel="voice",
                        call_sid="CA-duplicate",
                        caller_number="+33612345678",
                        received_at=NOW,
                    )
                )
                await session.flush()
        return "unreachable"

    job = Job(name="broken", description="Breaks.", crontab="* * * * *", run=insert_twice)

    await run_once(bare_app(runtime), job, slot=SLOT, instance="a")

    [run] = await job_runs(engine)
    assert run.ok is False
    assert run.detail is not None
    assert run.detail.startswith("IntegrityError")
    assert "SQLITE_CONSTRAINT_UNIQUE" in run.detail or "SQLSTATE 23505" in run.detail
    assert "+336" not in run.detail
    assert "INSERT" not in run.detail
