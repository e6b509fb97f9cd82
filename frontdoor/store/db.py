"""The database engine and sessions, SQLite or PostgreSQL from one URL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Table, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    async_sessionmaker,
    create_async_engine,
)
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.store.private_files import private_file
from frontdoor.store.sqlite_driver import one_trip

# Connections of one process to PostgreSQL: with `serve --workers N`, N times this.
POOL_SIZE = 20


def create_engine(url: str) -> AsyncEngine:
    """The engine of the database `url` names. Its errors never quote a statement's parameters
    (hide_parameters): they are names, numbers, birth dates, and an error's text travels."""
    if url.startswith("sqlite"):
        _private_database_file(url)
        # SQLite has one writer at a time: more connections only queue on its lock, each in
        # its own thread. One connection, shared in turn, is faster and fairer.
        engine = create_async_engine(
            one_trip(url), connect_args={"timeout": 30}, pool_size=1, max_overflow=0,
            pool_timeout=60, hide_parameters=True,
        )  # fmt: skip
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    # No pre-ping: it costs three round trips per checkout. Connections are recycled instead,
    # and one found dead fails its transaction, which the webhook answers without losing the call.
    # A fixed pool, no overflow: an overflow connection is closed as soon as it is returned, so
    # under load the pool opened and closed ~15 PostgreSQL backends a second (a process each).
    # One process's event loop keeps no more than this many transactions busy; the others wait
    # their turn for a connection (bench/README.md).
    # No JIT: every statement here is a short read or write, or a small aggregate, and compiling
    # one costs more than it saves. PostgreSQL compiles once a plan's estimate passes
    # jit_above_cost, which a ring's read of a busy line reaches: 13 ms of compiling for a
    # statement that then runs in 7 (bench/README.md, line state).
    return create_async_engine(
        url, pool_size=POOL_SIZE, max_overflow=0, pool_recycle=300,
        connect_args={"server_settings": {"jit": "off"}}, hide_parameters=True,
    )  # fmt: skip


def _private_database_file(url: str) -> None:
    """An SQLite file holds personal data: created 0600 (its folder too, if missing) before
    SQLite opens it; SQLite gives its WAL and shared-memory files the same mode."""
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        private_file(Path(database))


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers work while a webhook writes; NORMAL sync is durable across app crashes.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # What is deleted or overwritten is zeroed in the file, not left in free space: an
    # erasure must leave nothing of the person on disk (store.erasure).
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def session_maker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


async def ping(engine: AsyncEngine) -> None:
    """Returns once the database has answered a trivial query."""
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))


def dialect_insert(bound: AsyncConnection | AsyncEngine, table: Table) -> Any:
    """An INSERT that knows ON CONFLICT, in the dialect of the database `bound` speaks to."""
    if bound.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


async def flush_erased(engine: AsyncEngine) -> None:
    """After an erasure's commit: on SQLite, move the write-ahead log into the database and
    empty it, so the old versions of the rows it held are gone from disk too (with
    secure_delete, freed space is zeroed). PostgreSQL's dead rows go at its next (auto)vacuum."""
    if engine.dialect.name != "sqlite":
        return
    async with engine.connect() as connection:
        await connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
