"""The service's connections to PostgreSQL (store.db): its statements are short reads and
writes and small aggregates, which PostgreSQL's JIT would compile once their estimate is high
(a ring's read of a busy line): 13 ms of compiling for a statement that runs in 7."""

from __future__ import annotations

import pytest

from frontdoor.store.db import create_engine


async def test_the_service_never_has_a_statement_compiled(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL's JIT (SQLite has none); CI runs this on PostgreSQL")
    engine = create_engine(database_url)
    async with engine.connect() as connection:
        jit = (await connection.exec_driver_sql("SHOW jit")).scalar_one()
    await engine.dispose()

    assert jit == "off"
