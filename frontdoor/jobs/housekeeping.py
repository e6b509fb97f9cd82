"""Jobs that keep the service's own records small."""

from __future__ import annotations

from datetime import timedelta

from frontdoor.jobs import lease
from frontdoor.jobs.base import JobContext
from frontdoor.web.keys import ENGINE

JOB_RUNS_KEPT = timedelta(days=30)


async def purge_job_runs(ctx: JobContext) -> str:
    """Forget runs started more than 30 days before the slot."""
    deleted = await lease.purge(ctx.app[ENGINE], started_before=ctx.slot - JOB_RUNS_KEPT)
    return f"{deleted} rows deleted"
