"""A store that cannot be reached, and the outage journal's files and replays."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient
from sqlmodel import select

from frontdoor.kit.twilio_webhook import JOURNAL
from frontdoor.settings import Settings
from frontdoor.store.db import create_engine, session_maker

# Nothing listens on port 1: every connection is refused, as with PostgreSQL stopped.
UNREACHABLE = "postgresql+asyncpg://frontdoor@127.0.0.1:1/frontdoor"


async def replayed(client: TestClient) -> None:
    """Wait for the instance's own replay (at start-up, then every few seconds)."""
    for _ in range(300):
        if not client.app[JOURNAL].waiting:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{client.app[JOURNAL].waiting} entries still in the journal")


def journal_files(settings: Settings) -> list[Path]:
    return sorted(settings.journal_dir.glob("*.jsonl"))


async def rows(settings: Settings, table: type[Any]) -> list[Any]:
    engine = create_engine(settings.database_url)
    try:
        async with session_maker(engine)() as session:
            return list((await session.exec(select(table))).all())
    finally:
        await engine.dispose()
