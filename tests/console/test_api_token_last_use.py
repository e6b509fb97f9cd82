"""The day a token was last used, for the coordinator reviewing her tokens: written once an
hour at most, not once per call."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from aiohttp.test_utils import TestClient
from sqlmodel import select

from frontdoor.settings import Settings
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.models import ApiToken
from tests.console.conftest import LOT_REFERENT, sign_in
from tests.console.tokens import new_token
from tests.events.receiver import MovableClock

MONDAY = datetime(2026, 5, 11, 8, 0, tzinfo=UTC)


@pytest.fixture
def app_clock() -> MovableClock:
    return MovableClock(MONDAY)


async def last_used(settings: Settings) -> datetime | None:
    engine = create_engine(settings.database_url)
    try:
        async with session_maker(engine)() as session:
            [token] = (await session.exec(select(ApiToken))).all()
            return token.last_used_at
    finally:
        await engine.dispose()


async def test_a_token_polled_all_day_is_written_once_an_hour(
    client: TestClient, app_settings: Settings, app_clock: MovableClock
) -> None:
    token = await new_token(await sign_in(client, LOT_REFERENT), "requests:read")
    seen = []

    for minutes in (0, 1, 59, 60, 61, 24 * 60):
        app_clock.now = MONDAY + timedelta(minutes=minutes)
        answer = await client.get("/api/tasks", headers={"Authorization": f"Bearer {token}"})
        assert answer.status == 200
        seen.append(await last_used(app_settings))

    first, next_hour, next_day = MONDAY, MONDAY + timedelta(hours=1), MONDAY + timedelta(days=1)
    assert seen == [first, first, first, next_hour, next_hour, next_day]
