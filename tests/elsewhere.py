"""The store changed outside the app under test, as another instance, a job or the command line
would: committed on an engine of its own."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.settings import Settings
from frontdoor.store.db import create_engine, session_maker


async def changed_elsewhere(
    settings: Settings,
    find: Callable[[AsyncSession], Awaitable[SQLModel | None]],
    **columns: object,
) -> None:
    """The row `find` reads, its columns written and committed."""
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        row = await find(session)
        assert row is not None
        for column, value in columns.items():
            setattr(row, column, value)
        session.add(row)
        await session.commit()
    await engine.dispose()
