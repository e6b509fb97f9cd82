"""The service's own housekeeping jobs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from frontdoor.jobs import lease
from frontdoor.jobs.base import JobContext
from frontdoor.jobs.housekeeping import purge_job_runs
from frontdoor.web.keys import ENGINE
from tests.jobs.runs import job_runs

SLOT = datetime(2026, 11, 23, 3, 17, tzinfo=UTC)


async def test_job_runs_older_than_30_days_are_purged(engine: AsyncEngine) -> None:
    for age in (timedelta(days=31), timedelta(days=30, seconds=1), timedelta(days=29)):
        started = SLOT - age
        await lease.claim(engine, job="demo", slot=started, instance="a", now=started)
    app = web.Application()
    app[ENGINE] = engine

    detail = await purge_job_runs(JobContext(app=app, slot=SLOT))

    assert detail == "2 rows deleted"
    assert [run.slot for run in await job_runs(engine)] == ["2026-10-25T03:17:00Z"]
