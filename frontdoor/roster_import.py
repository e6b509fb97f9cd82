"""Importing a calendar of who is on duty (a file, or a department's feed) into the store."""

from __future__ import annotations

from datetime import datetime, timedelta

import aiohttp
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.core.department import Department
from frontdoor.core.ical_roster import IcalRoster, overrides_from_ical
from frontdoor.cpu import CpuProcesses
from frontdoor.store.roster_overrides import replace_from_source

# How far ahead an import looks: events beyond are taken at the next import.
IMPORT_WINDOW = timedelta(days=60)
FEED_SOURCE = "ical:feed"
FEED_TIMEOUT_S = 20
FEED_MAX_BYTES = 5 * 1024 * 1024


async def import_calendar(
    *,
    session: AsyncSession,
    processes: CpuProcesses,
    department: Department,
    text: str,
    source: str,
    now: datetime,
) -> tuple[IcalRoster, int]:
    """Replace the source's stored overrides from now on with the calendar's; (parsed, stored).
    A feed of a few megabytes takes seconds to read, in pure Python: in a worker process,
    before the session takes a connection."""
    parsed = await processes.run(
        "roster_calendar",
        overrides_from_ical,
        text,
        referents=department.referents,
        calendar=department.calendar,
        starts=now,
        ends=now + IMPORT_WINDOW,
    )
    stored = await replace_from_source(
        session=session,
        department=department.slug,
        source=source,
        overrides=parsed.overrides,
        after=now,
        now=now,
    )
    return parsed, stored


class FeedError(Exception):
    """The feed could not be read; says why, without its content; `status`: what its server
    answered, if it did."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


async def fetch_feed(url: str) -> str:
    timeout = aiohttp.ClientTimeout(total=FEED_TIMEOUT_S)
    try:
        async with (
            aiohttp.ClientSession(timeout=timeout) as http,
            http.get(url, headers={"Accept": "text/calendar"}) as response,
        ):
            if response.status != 200:
                raise FeedError(f"the feed answered HTTP {response.status}", status=response.status)
            body = await response.content.read(FEED_MAX_BYTES + 1)
    except (aiohttp.ClientError, TimeoutError) as error:
        raise FeedError(f"the feed could not be reached ({type(error).__name__})") from error
    if len(body) > FEED_MAX_BYTES:
        raise FeedError(f"the feed is larger than {FEED_MAX_BYTES // (1024 * 1024)} MB")
    return body.decode("utf-8", errors="replace")
