"""Leases on job slots: the unique (job, slot) key of job_runs decides who runs a slot.

Every instance's scheduler fires the same slots. Each tries to insert the slot's row; the
insert that lands runs the job, the others find the row there and do nothing. No lock is held
while the job runs, so a crashed instance leaves an unfinished row, never a stuck lock.

A slot is not claimed while a run of the same job is unfinished elsewhere: on a busy machine a
run can outlast its slot, and two runs of one job at once would both act on the same thing (two
instances escalated one overdue callback twice). An unfinished run older than
PRESUMED_DEAD_AFTER is taken for one whose instance died.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Table, delete, exists, func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from frontdoor.store.db import dialect_insert
from frontdoor.store.models import JobRun

_JOB_RUNS: Table = JobRun.__table__  # type: ignore[attr-defined]
DETAIL_MAX = 500  # job_runs.detail's length
# Longer than any job's run (the longest, the retention purge, takes seconds).
PRESUMED_DEAD_AFTER = timedelta(minutes=10)


def slot_key(slot: datetime) -> str:
    """The slot as stored: ISO 8601 UTC to the second, e.g. "2026-11-23T06:00:00Z"."""
    if slot.tzinfo is None:
        raise ValueError("naive slot; pass an aware datetime")
    return slot.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_slot_key(key: str) -> datetime:
    return datetime.strptime(key, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


async def claim(
    engine: AsyncEngine, *, job: str, slot: datetime, instance: str, now: datetime
) -> bool:
    """Take the slot for this instance; True when this caller got it (its row went in), False
    when another has it or a run of the job is still going."""
    row = {
        "job": job,
        "slot": slot_key(slot),
        "instance": instance[:120],
        "started_at": now,
    }
    async with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # One claim of the job at a time, so that each sees the run the previous started.
            await connection.execute(
                select(func.pg_advisory_xact_lock(func.hashtext(f"frontdoor job {job}")))
            )
        # One statement: the check and the insert are one write, which SQLite serialises.
        running = exists().where(
            _JOB_RUNS.c.job == job,
            _JOB_RUNS.c.finished_at.is_(None),
            _JOB_RUNS.c.started_at > now - PRESUMED_DEAD_AFTER,
        )
        values = select(
            *(literal(value, _JOB_RUNS.c[name].type) for name, value in row.items())
        ).where(~running)
        statement = (
            _dialect_insert(connection)
            .from_select(list(row), values)
            .on_conflict_do_nothing(index_elements=["job", "slot"])
            .returning(_JOB_RUNS.c.id)
        )
        result = await connection.execute(statement)
        return result.first() is not None


async def finish(
    engine: AsyncEngine,
    *,
    job: str,
    slot: datetime,
    instance: str,
    ok: bool,
    detail: str | None,
    now: datetime,
) -> None:
    """Record how the run of a claimed slot ended."""
    statement = (
        update(_JOB_RUNS)
        .where(
            _JOB_RUNS.c.job == job,
            _JOB_RUNS.c.slot == slot_key(slot),
            _JOB_RUNS.c.instance == instance[:120],
        )
        .values(finished_at=now, ok=ok, detail=None if detail is None else detail[:DETAIL_MAX])
    )
    async with engine.begin() as connection:
        await connection.execute(statement)


async def purge(engine: AsyncEngine, *, started_before: datetime) -> int:
    """Delete the rows of runs started before the given instant; how many went."""
    async with engine.begin() as connection:
        result = await connection.execute(
            delete(_JOB_RUNS).where(_JOB_RUNS.c.started_at < started_before)
        )
        return int(result.rowcount)


def _dialect_insert(connection: AsyncConnection) -> Any:
    return dialect_insert(connection, _JOB_RUNS)
