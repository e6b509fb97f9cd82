"""Imports each department's iCalendar feed of who is on duty."""

from __future__ import annotations

import logging

from frontdoor.core.failures import describe_failure
from frontdoor.jobs.base import JobContext
from frontdoor.roster_import import FEED_SOURCE, FeedError, fetch_feed, import_calendar

log = logging.getLogger(__name__)


async def import_feeds(ctx: JobContext) -> str:
    runtime = ctx.runtime
    done: list[str] = []
    for department in runtime.departments:
        if department.roster_feed is None:
            continue
        try:
            text = await fetch_feed(department.roster_feed)
        except FeedError as error:
            # The overrides imported last time stay in force.
            why = describe_failure(error)
            log.warning("roster feed of %s not imported: %s", department.slug, why)
            done.append(f"{department.slug}: {why}")
            continue
        async with runtime.sessions() as session:
            parsed, stored = await import_calendar(
                session=session, processes=runtime.cpu_processes, department=department, text=text,
                source=FEED_SOURCE, now=ctx.slot,
            )  # fmt: skip
            await session.commit()
        for problem in parsed.problems:
            log.warning("roster feed of %s: %s", department.slug, problem)
        done.append(f"{department.slug}: {stored} override(s), {len(parsed.problems)} problem(s)")
    return "; ".join(done) or "no feed configured"
