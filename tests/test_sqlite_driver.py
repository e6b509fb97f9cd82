"""SQLite's statements reach aiosqlite's thread once each (frontdoor.store.sqlite_driver), and
SQLAlchemy sees what the stock adapter gives it: rows, counts, ids, errors."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine
from sqlalchemy.orm.exc import StaleDataError

from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.models import Request
from frontdoor.store.sqlite_driver import OneTripDialect

NOW = datetime(2026, 5, 12, 8, 0, tzinfo=UTC)
Scenario = Callable[[AsyncConnection], Awaitable[Any]]


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The calls put on aiosqlite's connection threads from now on, by name."""
    made: list[str] = []
    stock = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        made.append(getattr(fn, "__name__", repr(fn)))
        return await stock(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    return made


async def a_table(connection: AsyncConnection) -> None:
    await connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE)"))
    await connection.execute(text("INSERT INTO t (name) VALUES ('a'), ('b'), ('c')"))


async def test_a_statement_is_one_trip_to_the_connections_thread(
    tmp_path: Path, trips: list[str]
) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'one.sqlite3'}")
    try:
        async with engine.connect() as connection:
            await a_table(connection)
            await connection.commit()
            trips.clear()

            rows = (await connection.execute(text("SELECT name FROM t ORDER BY id"))).all()
            assert trips == ["run"]
            await connection.execute(text("UPDATE t SET name = 'z' WHERE name = 'a'"))
            assert trips == ["run", "run"]
            await connection.commit()
            assert trips == ["run", "run", "commit"]
    finally:
        await engine.dispose()
    assert [name for (name,) in rows] == ["a", "b", "c"]


async def _rows_counts_and_ids(connection: AsyncConnection) -> list[Any]:
    await a_table(connection)
    seen: list[Any] = []
    result = await connection.execute(text("SELECT id, name FROM t ORDER BY id"))
    seen += [list(result.keys()), [tuple(row) for row in result]]
    seen.append((await connection.execute(text("UPDATE t SET name = name || '!'"))).rowcount)
    seen.append((await connection.execute(text("DELETE FROM t WHERE id = 99"))).rowcount)
    inserted = await connection.execute(text("INSERT INTO t (name) VALUES ('d')"))
    seen.append(inserted.lastrowid)
    many = await connection.execute(
        text("INSERT INTO t (name) VALUES (:name)"), [{"name": "e"}, {"name": "f"}]
    )
    seen.append(many.rowcount)
    returned = await connection.execute(text("INSERT INTO t (name) VALUES ('g') RETURNING id"))
    seen.append(returned.scalar_one())
    seen.append((await connection.execute(text("SELECT count(*) FROM t"))).scalar_one())
    return seen


async def _errors(connection: AsyncConnection) -> list[Any]:
    await a_table(connection)
    seen: list[Any] = []
    for statement in ("INSERT INTO t (name) VALUES ('a')", "SELECT nothing FROM nowhere"):
        try:
            await connection.execute(text(statement))
        except (IntegrityError, OperationalError) as error:
            seen.append(type(error).__name__)
    # The connection goes on after them.
    seen.append((await connection.execute(text("SELECT count(*) FROM t"))).scalar_one())
    return seen


@pytest.mark.parametrize("scenario", [_rows_counts_and_ids, _errors])
async def test_sqlalchemy_sees_what_the_stock_adapter_gives(
    tmp_path: Path, scenario: Scenario
) -> None:
    seen = []
    for name, engine in (
        ("stock", create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'stock.sqlite3'}")),
        ("one trip", create_engine(f"sqlite+aiosqlite:///{tmp_path / 'one.sqlite3'}")),
    ):
        try:
            async with engine.connect() as connection:
                seen.append((name, await scenario(connection)))
        finally:
            await engine.dispose()

    (_, stock), (_, one_trip) = seen
    assert one_trip == stock
    assert stock  # the scenario saw something


async def test_an_update_of_a_row_gone_is_found_stale_by_the_orm(database_url: str) -> None:
    """The ORM checks an UPDATE's row count: a row deleted meanwhile is not silently lost."""
    if not database_url.startswith("sqlite"):
        pytest.skip("the adapter is SQLite's")
    engine = create_engine(database_url)
    try:
        async with session_maker(engine)() as session:
            request = Request(department="dac46", channel="voice", received_at=NOW)
            session.add(request)
            await session.commit()
            connection = await session.connection()
            await connection.execute(text("DELETE FROM requests"))
            request.outcome = "taken"
            session.add(request)
            with pytest.raises(StaleDataError):
                await session.flush()
    finally:
        await engine.dispose()


def test_the_store_serves_sqlite_urls_with_it(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}")
    assert isinstance(engine.dialect, OneTripDialect)
    assert engine.dialect.name == "sqlite"
