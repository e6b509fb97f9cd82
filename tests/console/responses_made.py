"""Responses recorded on a request, and the directory they name, for the console's tests."""

from __future__ import annotations

from sqlmodel import col, select

from frontdoor.settings import Settings
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.models import RequestResponse
from tests.directory.search_data import add_directory


async def responses_of(settings: Settings, request_id: int) -> list[RequestResponse]:
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        rows = await session.exec(
            select(RequestResponse)
            .where(RequestResponse.request_id == request_id)
            .order_by(col(RequestResponse.id))
        )
        found = list(rows.all())
    await engine.dispose()
    return found


async def with_directory(settings: Settings) -> None:
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        await add_directory(session)
    await engine.dispose()
