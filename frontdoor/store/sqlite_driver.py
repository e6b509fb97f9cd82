"""SQLite through aiosqlite, one trip to its thread per statement.

aiosqlite runs each connection's calls on a thread of its own, and SQLAlchemy's adapter makes
four calls a statement: create a cursor, execute, fetch the rows, close the cursor. Each is a
trip to that thread and back through the event loop. SQLite has one connection here, held by
a step from its first statement to its commit, so every trip is time every other step waits
(bench/README.md). This adapter does the four in one call on the thread.

Used for `sqlite+aiosqlite` URLs by frontdoor.store.db.create_engine; what SQLAlchemy sees
(rows, description, rowcount, lastrowid, errors) is what the stock adapter gives
(tests/test_sqlite_driver.py). It puts its call on the thread with aiosqlite's
`Connection._execute`, as aiosqlite's own methods do, and extends SQLAlchemy's adapter
classes: both libraries are pinned (requirements.lock), and every SQLite test runs through it.
"""

from __future__ import annotations

import collections
import sqlite3
from typing import Any, NamedTuple

from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
    SQLiteDialect_aiosqlite,
)
from sqlalchemy.engine import URL, make_url
from sqlalchemy.util import EMPTY_DICT

DRIVER = "frontdoor_aiosqlite"


class Ran(NamedTuple):
    """What a statement left on its cursor, read on the connection's thread."""

    description: Any
    rowcount: int
    lastrowid: int | None
    rows: list[Any]


def run(connection: sqlite3.Connection, operation: str, parameters: Any, *, many: bool) -> Ran:
    """One statement on the connection's thread: execute, fetch, close."""
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        rows = cursor.fetchall() if cursor.description else []
        return Ran(cursor.description, cursor.rowcount, cursor.lastrowid, rows)
    finally:
        cursor.close()


_NOTHING_RAN = Ran(None, -1, None, [])


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    __slots__ = ("_ran",)

    def __init__(self, adapt_connection: AsyncAdapt_aiosqlite_connection) -> None:
        # No cursor is opened here: `run` opens and closes its own on the thread.
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # type: ignore[assignment]
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()
        self._ran = _NOTHING_RAN

    @property
    def description(self) -> Any:
        return self._ran.description

    @property
    def rowcount(self) -> int:
        return self._ran.rowcount

    @property
    def lastrowid(self) -> int:
        return self._ran.lastrowid  # type: ignore[return-value]

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        await self._run(operation, parameters, many=False)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> Any:
        await self._run(operation, seq_of_parameters, many=True)

    async def _run(self, operation: Any, parameters: Any, *, many: bool) -> None:
        connection = self._connection
        async with self._adapt_connection._execute_mutex:
            self._ran = await connection._execute(
                run, connection._conn, operation, parameters, many=many
            )
        self._rows = collections.deque(self._ran.rows)

    async def _async_soft_close(self) -> None:
        return  # nothing open on the thread

    def close(self) -> None:
        self._rows.clear()


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()
    # A subclass of the stock cursor, which mypy does not take for one.
    _cursor_cls = OneTripCursor  # type: ignore[assignment]


class OneTripDbapi(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *arg: Any, **kw: Any) -> AsyncAdapt_aiosqlite_connection:
        # The stock connect opens aiosqlite's connection (its thread made a daemon); this
        # adapter then serves that same connection.
        stock = super().connect(*arg, **kw)
        return OneTripConnection(self, stock._connection)


class OneTripDialect(SQLiteDialect_aiosqlite):
    supports_statement_cache = True  # compiles as the stock dialect does

    @classmethod
    def import_dbapi(cls) -> AsyncAdapt_aiosqlite_dbapi:
        return OneTripDbapi(__import__("aiosqlite"), __import__("sqlite3"))


registry.register(f"sqlite.{DRIVER}", __name__, OneTripDialect.__name__)


def one_trip(url: str) -> URL:
    """An `sqlite+aiosqlite` URL served by this adapter; any other as it is."""
    parsed = make_url(url)
    if parsed.drivername == "sqlite+aiosqlite":
        return parsed.set(drivername=f"sqlite+{DRIVER}")
    return parsed
