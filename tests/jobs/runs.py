"""Reading job_runs back in tests."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from frontdoor.jobs.lease import parse_slot_key
from frontdoor.store.db import session_maker
from frontdoor.store.models import JobRun


async def job_runs(engine: AsyncEngine) -> list[JobRun]:
    async with session_maker(engine)() as session:
        statement = select(JobRun).order_by(JobRun.job, JobRun.slot)  # type: ignore[arg-type]
        return list((await session.exec(statement)).all())


def slots_of(runs: list[JobRun], job: str) -> list[datetime]:
    return sorted(parse_slot_key(run.slot) for run in runs if run.job == job)


def consecutive(slots: list[datetime], step: timedelta = timedelta(seconds=1)) -> bool:
    return all(later - earlier == step for earlier, later in zip(slots, slots[1:], strict=False))
