"""Another process's hold on the store: a write lock that makes the webhooks' writes wait.

On SQLite, a plain sqlite3 connection in a thread of its own holds the database's write lock
(BEGIN IMMEDIATE), as another process writing would: every writer then sits in SQLite's busy
wait. On PostgreSQL, a separate asyncpg connection holds ACCESS EXCLUSIVE locks on the
tables a call's webhooks read and write, so even their reads wait.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Mapping
from types import TracebackType

import asyncpg
from aiohttp.test_utils import TestClient
from sqlalchemy.engine import make_url

from frontdoor.phone import TestClientTransport

# What a call's webhooks touch: its request, its events and the answers given.
CALL_TABLES = ("requests", "request_events", "webhook_receipts")


class WriteLock:
    """`async with WriteLock(url) as lock:` holds the lock until `await lock.release()`
    (or the end of the block)."""

    def __init__(self, database_url: str) -> None:
        self._url = make_url(database_url)
        self._release = threading.Event()
        self._taken = threading.Event()
        self._holder: threading.Thread | None = None
        self._failure: BaseException | None = None
        self._postgres: asyncpg.Connection | None = None

    async def __aenter__(self) -> WriteLock:
        await self.hold()
        return self

    async def hold(self) -> None:
        """Take the lock; returns once it is held."""
        if self._url.get_backend_name() == "sqlite":
            self._holder = threading.Thread(target=self._hold_sqlite, name="write-lock")
            self._holder.start()
            await asyncio.to_thread(self._taken.wait)
            if self._failure is not None:
                raise self._failure
        else:
            dsn = self._url.set(drivername="postgresql").render_as_string(hide_password=False)
            self._postgres = await asyncpg.connect(dsn)
            await self._postgres.execute("BEGIN")
            await self._postgres.execute(
                f"LOCK TABLE {', '.join(CALL_TABLES)} IN ACCESS EXCLUSIVE MODE"
            )

    async def release(self) -> None:
        """Let the waiting writers through: the other process's transaction ends."""
        if self._holder is not None:
            self._release.set()
            await asyncio.to_thread(self._holder.join)
            self._holder = None
        if self._postgres is not None:
            connection, self._postgres = self._postgres, None
            await connection.execute("ROLLBACK")
            await connection.close()

    async def __aexit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        await self.release()

    def _hold_sqlite(self) -> None:
        try:
            connection = sqlite3.connect(self._url.database or "", isolation_level=None)
        except sqlite3.Error as error:
            self._failure = error
            self._taken.set()
            return
        try:
            connection.execute("BEGIN IMMEDIATE")
            self._taken.set()
            self._release.wait()
            connection.execute("ROLLBACK")
        except sqlite3.Error as error:
            self._failure = error
            self._taken.set()
        finally:
            connection.close()


class TimedTransport:
    """Posts through a test client (`to`, which a test may switch to another instance) and
    keeps how long each webhook took to be answered (the test's monotonic clock), by path."""

    __test__ = False

    def __init__(self, client: TestClient) -> None:
        self.to = TestClientTransport(client)
        self.took: list[tuple[str, float]] = []

    async def post(
        self, path_qs: str, form: Mapping[str, str], headers: Mapping[str, str]
    ) -> tuple[int, str]:
        start = time.monotonic()
        try:
            return await self.to.post(path_qs, form, headers)
        finally:
            self.took.append((path_qs, time.monotonic() - start))

    def slowest(self) -> float:
        return max(took for _, took in self.took)
