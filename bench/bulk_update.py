"""What one bulk UPDATE of N requests costs with the triggers, after a one-row update.

Retention pseudonymises the callers' numbers of every request past its time in one
statement (frontdoor.store.retention). The triggers of `requests` (indicator tallies, persons
accompanied, outgoing events) run once for that statement, over all its rows. For each N,
a database (a temporary SQLite file; `frontdoor_bench_bulk_update` on the PostgreSQL server,
created, migrated and dropped) gets N accompanied requests. Then one connection, as a pooled
connection of the service would, updates one request (its plans are made then), and updates
all N twice: their numbers, as the pseudonymisation does (only the tallies read them), and
their referrer type (every trigger reads it). Each time is the median of the runs (3).

python bench/bulk_update.py [--rows 250 1000 4000] [--runs 3] [--databases sqlite postgres]
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
from sqlalchemy import String, cast, literal, update  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncConnection  # noqa: E402
from sqlmodel import col  # noqa: E402
from sqlmodel.ext.asyncio.session import AsyncSession  # noqa: E402

from frontdoor.store.db import create_engine  # noqa: E402
from frontdoor.store.migrate import upgrade  # noqa: E402
from frontdoor.store.models import Request  # noqa: E402

PG_DB = "frontdoor_bench_bulk_update"
START = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)


async def store_requests(connection: AsyncConnection, rows: int) -> None:
    session = AsyncSession(bind=connection)
    session.add_all(
        Request(
            department="dac46",
            channel="voice",
            referrer_type="gp",
            caller_number=f"+3369900{index % 900:04d}",
            received_at=START + timedelta(minutes=7 * index),
            problems=["medical"],
            response_kinds=["orientation"],
        )
        for index in range(rows)
    )
    await session.flush()
    await connection.commit()


async def timed_update(connection: AsyncConnection, values: dict[str, object]) -> float:
    started = time.perf_counter()
    await connection.execute(update(Request).values(**values))
    await connection.commit()
    return time.perf_counter() - started


async def bench(database: str, rows: int, runs: int, folder: Path) -> tuple[float, float]:
    """Seconds of the bulk update of the numbers, then of the referrer types."""
    url = await scratch_database(database, folder, PG_DB)
    engine = create_engine(url)
    try:
        await upgrade(engine)
        async with engine.connect() as connection:
            await store_requests(connection, rows)
            await connection.execute(
                update(Request).where(col(Request.id) == 1).values(outcome="taken")
            )
            await connection.commit()
            numbers, referrers = [], []
            for run in range(runs):
                pseudonym = literal(f"pseudo{run}:").concat(cast(col(Request.id), String))
                numbers.append(await timed_update(connection, {"caller_number": pseudonym}))
                referrer = "nurse" if run % 2 == 0 else "gp"
                referrers.append(await timed_update(connection, {"referrer_type": referrer}))
        return statistics.median(numbers), statistics.median(referrers)
    finally:
        await engine.dispose()
        if database == "postgres":
            await admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[250, 1000, 4000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgres"])
    args = parser.parse_args()
    print(
        "| database | requests | numbers pseudonymised | a request | referrer types | a request |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    with tempfile.TemporaryDirectory(prefix="frontdoor-bench-bulk-") as folder:
        for database in args.databases:
            for rows in args.rows:
                numbers, referrers = await bench(database, rows, args.runs, Path(folder))
                print(
                    f"| {database} | {rows} | {numbers * 1000:.0f} ms "
                    f"| {numbers / rows * 1e6:.0f} µs | {referrers * 1000:.0f} ms "
                    f"| {referrers / rows * 1e6:.0f} µs |",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
