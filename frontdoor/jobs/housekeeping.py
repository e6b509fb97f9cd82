"""Jobs that keep the service's own records small."""

from __future__ import annotations

from datetime import timedelta

from frontdoor.jobs import lease
from frontdoor.jobs.base import JobContext
from frontdoor.store.accounts import purge_expired_sessions
from frontdoor.store.sign_in_records import purge_sign_in_records

JOB_RUNS_KEPT = timedelta(days=30)


async def purge_job_runs(ctx: JobContext) -> str:
    """Forget runs started more than 30 days before the slot, console sign-ins that have
    expired (a stolen cookie of an expired session opens nothing, but need not be kept), the
    counts of failed sign-ins that hold nobody any more, and devices unused for months."""
    deleted = await lease.purge(ctx.runtime.engine, started_before=ctx.slot - JOB_RUNS_KEPT)
    async with ctx.runtime.sessions() as session:
        await purge_expired_sessions(session=session, now=ctx.slot)
        await purge_sign_in_records(session=session, now=ctx.slot)
        await session.commit()
    return f"{deleted} rows deleted"
