"""What the indicator tallies' triggers cost the writes: a call's rows with and without them.

For each database (a temporary SQLite file; `frontdoor_bench_tally_writes` on the PostgreSQL
server, created, migrated and dropped), N calls are written as the voice webhooks write them,
one transaction each: the request inserted at the first webhook, then updated when a referent
takes it (outcome, answered_at: columns the tallies read), then when it ends (ended_at,
duration: columns they do not read). Then the same with the triggers dropped. Median of 3
runs of N calls each, after one warm-up run.

python bench/tally_writes.py [--calls 1000] [--databases sqlite postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from indicators import admin, scratch_database  # noqa: E402
from sqlalchemy import text, update  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncEngine  # noqa: E402
from sqlmodel import col  # noqa: E402

from frontdoor.indicators.tally_triggers import drop_ddl  # noqa: E402
from frontdoor.store.db import create_engine, session_maker  # noqa: E402
from frontdoor.store.migrate import upgrade  # noqa: E402
from frontdoor.store.models import Request  # noqa: E402

PG_DB = "frontdoor_bench_tally_writes"
START = datetime(2026, 10, 5, 7, 0, tzinfo=UTC)


async def write_calls(engine: AsyncEngine, calls: int, first: int) -> float:
    """Seconds to write `calls` calls, three transactions each."""
    sessions = session_maker(engine)
    started = time.perf_counter()
    for index in range(first, first + calls):
        at = START + timedelta(seconds=37 * index)
        async with sessions() as session:
            request = Request(
                department="dac46",
                channel="voice",
                referrer_type="gp",
                caller_number=f"+3369900{index % 900:04d}",
                received_at=at,
                problems=["medical"],
            )
            session.add(request)
            await session.commit()
            request_id = request.id
        async with sessions() as session:
            await session.exec(
                update(Request)
                .where(col(Request.id) == request_id)
                .values(outcome="taken", answered_at=at + timedelta(seconds=21))
            )
            await session.commit()
        async with sessions() as session:
            await session.exec(
                update(Request)
                .where(col(Request.id) == request_id)
                .values(ended_at=at + timedelta(minutes=4), duration_s=219)
            )
            await session.commit()
    return time.perf_counter() - started


async def measure(engine: AsyncEngine, calls: int) -> float:
    await write_calls(engine, calls, first=0)  # warm-up
    runs = [await write_calls(engine, calls, first=calls * (1 + run)) for run in range(3)]
    return statistics.median(runs) / calls


async def bench(database: str, calls: int, folder: Path) -> tuple[float, float]:
    url = await scratch_database(database, folder, PG_DB)
    engine = create_engine(url)
    try:
        await upgrade(engine)
        with_triggers = await measure(engine, calls)
        async with engine.begin() as connection:
            for statement in drop_ddl(connection.dialect.name):
                await connection.execute(text(statement))
        without = await measure(engine, calls)
        return with_triggers, without
    finally:
        await engine.dispose()
        if database == "postgres":
            await admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgres"])
    args = parser.parse_args()
    print("| database | a call's three transactions, with the triggers | without | added |")
    print("| --- | ---: | ---: | ---: |")
    with tempfile.TemporaryDirectory(prefix="frontdoor-bench-writes-") as folder:
        for database in args.databases:
            with_triggers, without = await bench(database, args.calls, Path(folder))
            print(
                f"| {database} | {with_triggers * 1000:.2f} ms | {without * 1000:.2f} ms "
                f"| {(with_triggers - without) * 1000:+.2f} ms |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
