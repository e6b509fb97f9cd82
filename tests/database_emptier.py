"""Empties the session's PostgreSQL database before each test, through one connection kept
for the whole session.

A new connection is a new backend process on the server: tens of milliseconds on a busy
machine, before each of thousands of tests. The kept connection lives on an event loop of its
own, in a thread of its own, since each test runs on a loop of its own and an asyncpg
connection belongs to the loop that opened it.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

import asyncpg
from sqlalchemy.engine import make_url

T = TypeVar("T")


class DatabaseEmptier:
    """`emptied()` deletes every row and restarts every sequence of the database at `url`,
    if it still has the template's tables at the template's revision; False when it could
    not (the caller then makes the database again from the template)."""

    def __init__(self, url: str, *, tables: frozenset[str], head: str, script: str) -> None:
        self._address = (
            make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        )
        self._tables, self._head, self._script = tables, head, script
        self._connection: asyncpg.Connection | None = None
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="database-emptier", daemon=True
        )
        self._thread.start()

    async def emptied(self) -> bool:
        return await self._on_own_loop(self._emptied())

    async def let_go(self) -> None:
        """Closes the kept connection (before the database is dropped); the next `emptied`
        opens another."""
        await self._on_own_loop(self._let_go())

    def close(self) -> None:
        asyncio.run_coroutine_threadsafe(self._let_go(), self._loop).result()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()

    async def _on_own_loop(self, work: Coroutine[Any, Any, T]) -> T:
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(work, self._loop))

    async def _emptied(self) -> bool:
        # A kept connection the server has ended since (a test that restarted it) fails
        # once: a second try opens a new one.
        for _attempt in range(2):
            try:
                if self._connection is None or self._connection.is_closed():
                    self._connection = await asyncpg.connect(self._address)
                tables, head = await self._connection.fetchrow(
                    "SELECT (SELECT array_agg(tablename::text) FROM pg_tables"
                    "        WHERE schemaname = 'public'),"
                    "       (SELECT version_num FROM alembic_version)"
                )
            except (OSError, asyncpg.InterfaceError, asyncpg.ConnectionDoesNotExistError):
                await self._let_go()
                continue
            except asyncpg.PostgresError:  # no alembic_version: a test broke the schema
                await self._let_go()
                return False
            if frozenset(tables or ()) != self._tables or head != self._head:
                return False
            try:
                await self._connection.execute(self._script)
            except (OSError, asyncpg.InterfaceError, asyncpg.PostgresError):
                # A lock held by a test's leftover, a schema a test broke…
                await self._let_go()
                return False
            return True
        return False

    async def _let_go(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None and not connection.is_closed():
            try:
                await asyncio.wait_for(connection.close(), timeout=10)
            except (OSError, asyncpg.InterfaceError, asyncpg.PostgresError, TimeoutError):
                connection.terminate()
