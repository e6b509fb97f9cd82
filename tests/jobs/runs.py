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


def on_the_grid_each_once(slots: list[datetime], step: timedelta = timedelta(seconds=1)) -> bool:
    """Slots in order, none twice, each a whole number of steps after the first. Not
    "none skipped": a run still going when its next slot fires makes the scheduler skip that
    slot (one run of a job at a time per instance), and on a busy machine a run can outlast a
    one-second slot; the next run then does what was due (jobs compute from their slot)."""
    return all(
        later > earlier and (later - earlier) % step == timedelta(0)
        for earlier, later in zip(slots, slots[1:], strict=False)
    )


def running_at(runs: list[JobRun], job: str, slot: datetime) -> bool:
    """Whether a run of `job` was still going when `slot` came (or within the second after,
    when the schedulers claim it): the lease then leaves the slot unrun."""
    return any(
        run.job == job
        and run.started_at < slot + timedelta(seconds=1)
        and (run.finished_at is None or run.finished_at > slot)
        for run in runs
    )
