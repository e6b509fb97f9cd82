"""Indicator table over a million requests, next to hand-written SQL, on SQLite and PostgreSQL.

For each database (a temporary SQLite file; `frontdoor_bench_indicators` on the PostgreSQL
server, created, migrated with frontdoor.store.migrate.upgrade and dropped at the end): the
synthetic year of bench/indicators_data.py is loaded (COPY on PostgreSQL, executemany on
SQLite; not timed), then, median of 5 runs each after one warm-up:

- the load fires the tally triggers (frontdoor.indicators.tally_triggers): the
  `indicator-tallies` job's fold (frontdoor.indicators.tallies.fold_changes) is then run and
  timed, as the job would each minute;
- `indicator_table` for the year 2026, both departments (the regional table: every request),
  and for October 2026 (one department, then both), once folded, then with a day of calls
  written after the fold (2,000 requests of 31 December, not folded yet);
- the same figures by hand-written SQL on the raw driver (asyncpg, sqlite3): the statements
  frontdoor.indicators.queries sends, without SQLAlchemy and without assembling the table;
- the national split alone by one hand-written GROUP BY: requests by referrer type over the
  period (`SELECT referrer_type, count(*) … GROUP BY referrer_type`);
- the inbox's first page (frontdoor.store.inbox.inbox_page, 50 rows), p95 of 50 runs.

python bench/indicators.py [--requests 1000000] [--databases sqlite postgres] [--runs 5]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import asyncpg  # noqa: E402
from indicators_data import (  # noqa: E402
    LINK_COLUMNS,
    PERSON_COLUMNS,
    REQUEST_COLUMNS,
    TASK_COLUMNS,
    Generated,
    generate,
)

from frontdoor.core.department import Department  # noqa: E402
from frontdoor.department_file.load import load_departments  # noqa: E402
from frontdoor.departments import Departments  # noqa: E402
from frontdoor.indicators.periods import Period  # noqa: E402
from frontdoor.indicators.queries import indicator_table, table_statements  # noqa: E402
from frontdoor.indicators.tallies import fold_changes  # noqa: E402
from frontdoor.store.db import create_engine, session_maker  # noqa: E402
from frontdoor.store.migrate import upgrade  # noqa: E402

PG_ADMIN = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/test")
PG_DB = "frontdoor_bench_indicators"
SPLIT_SQL = (
    "SELECT referrer_type, count(*) FROM requests WHERE department IN ({departments}) "
    "AND received_at >= {start} AND received_at < {end} GROUP BY referrer_type"
)


def sqlite_text(value: object) -> object:
    """What SQLAlchemy stores in SQLite for a value: naive UTC text for datetimes."""
    if hasattr(value, "tzinfo") and value is not None:
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")  # type: ignore[attr-defined]
    return value


def load_sqlite(path: str, data: Generated) -> None:
    with sqlite3.connect(path) as connection:
        for table, columns, rows in (
            ("requests", REQUEST_COLUMNS, data.requests),
            ("callback_tasks", TASK_COLUMNS, data.tasks),
            ("persons", PERSON_COLUMNS, data.persons),
            ("request_persons", LINK_COLUMNS, data.links),
        ):
            marks = ", ".join("?" * len(columns))
            connection.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
                ([sqlite_text(v) for v in row] for row in rows),
            )
        connection.execute("ANALYZE")


async def load_postgres(url: str, data: Generated) -> None:
    connection = await asyncpg.connect(url)
    try:
        await connection.copy_records_to_table(
            "requests", records=data.requests, columns=list(REQUEST_COLUMNS)
        )
        await connection.copy_records_to_table(
            "callback_tasks", records=data.tasks, columns=list(TASK_COLUMNS)
        )
        if data.persons:
            await connection.copy_records_to_table(
                "persons", records=data.persons, columns=list(PERSON_COLUMNS)
            )
            await connection.copy_records_to_table(
                "request_persons", records=data.links, columns=list(LINK_COLUMNS)
            )
        for table in ("requests", "callback_tasks", "persons", "request_persons"):
            await connection.execute(f"VACUUM ANALYZE {table}")
    finally:
        await connection.close()


async def fold(url: str, departments: list[Department]) -> float:
    """What the indicator-tallies job does: every department's changes into its tallies."""
    engine = create_engine(url)
    started = time.perf_counter()
    try:
        for department in departments:
            async with engine.begin() as connection:
                await fold_changes(connection, department)
        async with engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            if engine.dialect.name == "postgresql":
                # What autovacuum does after so many deletes and inserts.
                for table in ("request_tally_changes", "request_tallies", "person_tallies"):
                    await connection.exec_driver_sql(f"VACUUM ANALYZE {table}")
            else:
                # The statistics of the load saw the tallies empty: SQLite would plan the
                # reads for empty tables (without statistics at all, it assumes large ones).
                await connection.exec_driver_sql("ANALYZE")
    finally:
        await engine.dispose()
    return time.perf_counter() - started


async def add_a_day(url: str, data: Generated) -> None:
    """2,000 more requests on 31 December, written through the triggers like any other."""
    last_id = max(int(row[0]) for row in data.requests)  # type: ignore[call-overload]
    day = []
    for index, row in enumerate(data.requests[:2000]):
        received, answered, ended = row[17], row[18], row[19]
        shift = received.replace(month=12, day=31) - received  # type: ignore[attr-defined]
        moved = [at + shift if at is not None else None for at in (received, answered, ended)]
        day.append((last_id + 1 + index, *row[1:17], *moved, *row[20:]))
    extra = Generated(requests=day, tasks=[])  # a day whose persons are not named yet
    if url.startswith("sqlite"):
        load_sqlite(url.split("///", 1)[1], extra)
    else:
        await load_postgres(url.replace("+asyncpg", ""), extra)


async def admin(statement: str) -> None:
    connection = await asyncpg.connect(PG_ADMIN)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


async def scratch_database(database: str, folder: Path, name: str) -> str:
    """The URL of an empty database for a benchmark: a SQLite file in `folder`, or a
    PostgreSQL database `name` made anew on the server of PG_ADMIN."""
    if database == "sqlite":
        return f"sqlite+aiosqlite:///{folder / (name + '.sqlite3')}"
    await admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    await admin(f"CREATE DATABASE {name}")
    return PG_ADMIN.rsplit("/", 1)[0].replace("postgresql:", "postgresql+asyncpg:") + f"/{name}"


async def timed(run: Callable[[], Awaitable[object]], runs: int) -> list[float]:
    await run()  # warm-up: caches, statement preparation
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        await run()
        times.append(time.perf_counter() - started)
    return times


def bound(at: datetime, dialect: str) -> str:
    """A UTC instant as each database compares it: naive text on SQLite."""
    if dialect == "sqlite":
        return f"'{at:%Y-%m-%d %H:%M:%S.%f}'"
    return f"'{at.isoformat()}'"


def split_sql(departments: list[Department], period: Period, dialect: str) -> str:
    """The national split by hand: requests by referrer type over the period (every
    department of the bench is in Europe/Paris: one interval)."""
    starts, ends = period.utc_bounds(departments[0].calendar.timezone)
    return SPLIT_SQL.format(
        departments=", ".join(f"'{d.slug}'" for d in departments),
        start=bound(starts, dialect),
        end=bound(ends, dialect),
    )


@dataclass(kw_only=True)
class Case:
    label: str
    departments: list[Department]
    period: Period


@dataclass(kw_only=True)
class Row:
    database: str
    case: str
    requests: int
    table_s: float
    same_sql_s: float
    split_s: float


class Raw:
    """Hand-written SQL on the bare driver: asyncpg, or sqlite3 on the event loop's thread."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.postgres: asyncpg.Connection | None = None
        self.sqlite: sqlite3.Connection | None = None

    async def open(self) -> None:
        if self.url.startswith("sqlite"):
            self.sqlite = sqlite3.connect(self.url.split("///", 1)[1])
        else:
            self.postgres = await asyncpg.connect(self.url.replace("+asyncpg", ""))

    async def close(self) -> None:
        if self.postgres is not None:
            await self.postgres.close()
        if self.sqlite is not None:
            self.sqlite.close()

    async def run(self, statements: list[str], *, jit_off: bool) -> None:
        if self.sqlite is not None:
            for statement in statements:
                self.sqlite.execute(statement).fetchall()
            return
        assert self.postgres is not None
        async with self.postgres.transaction():
            if jit_off:
                await self.postgres.execute("SET LOCAL jit = off")
            for statement in statements:
                await self.postgres.fetch(statement)


async def measure(url: str, dialect: str, cases: list[Case], runs: int, *, state: str) -> list[Row]:
    engine = create_engine(url)
    sessions = session_maker(engine)
    raw = Raw(url)
    await raw.open()
    rows = []
    try:
        for case in cases:

            async def table(case: Case = case) -> int:
                async with sessions() as session:
                    result = await indicator_table(
                        session, departments=case.departments, period=case.period
                    )
                return result.requests + result.not_requests

            same = table_statements(case.departments, case.period, dialect)
            split = [split_sql(case.departments, case.period, dialect)]
            table_times = await timed(table, runs)
            same_times = await timed(lambda s=same: raw.run(s, jit_off=True), runs)
            split_times = await timed(lambda s=split: raw.run(s, jit_off=False), runs)
            rows.append(
                Row(
                    database=dialect,
                    case=f"{case.label} ({state})",
                    requests=await table(),
                    table_s=statistics.median(table_times),
                    same_sql_s=statistics.median(same_times),
                    split_s=statistics.median(split_times),
                )
            )
            print(f"  {dialect} {case.label}: {rows[-1]}", file=sys.stderr)
    finally:
        await raw.close()
        await engine.dispose()
    return rows


async def inbox_p95(url: str, runs: int = 50) -> float | None:
    """p95 of the console inbox's first page (50 rows of the Lot), if the console has one."""
    try:
        from frontdoor.store.inbox import inbox_page
    except ImportError:
        return None
    engine = create_engine(url)
    try:
        async with session_maker(engine)() as session:
            await inbox_page(session, department="dac46", limit=50)
            times = []
            for _ in range(runs):
                started = time.perf_counter()
                page = await inbox_page(session, department="dac46", limit=50)
                times.append(time.perf_counter() - started)
                assert len(page) == 50
    finally:
        await engine.dispose()
    return statistics.quantiles(times, n=20)[18]


async def bench_database(
    database: str, data: Generated, cases: list[Case], runs: int, folder: Path
) -> tuple[list[Row], float | None, float, float]:
    url = await scratch_database(database, folder, PG_DB)
    try:
        engine = create_engine(url)
        await upgrade(engine)
        await engine.dispose()
        started = time.perf_counter()
        if database == "sqlite":
            load_sqlite(url.split("///", 1)[1], data)
        else:
            await load_postgres(url.replace("+asyncpg", ""), data)
        loaded = time.perf_counter() - started
        print(f"  {database}: loaded in {loaded:.1f} s", file=sys.stderr)
        folded = await fold(url, cases[0].departments)
        print(f"  {database}: folded in {folded:.1f} s", file=sys.stderr)
        dialect = "postgresql" if database == "postgres" else database
        rows = await measure(url, dialect, cases, runs, state="folded")
        await add_a_day(url, data)
        rows += await measure(url, dialect, cases, runs, state="+ a day not folded")
        return rows, await inbox_p95(url), loaded, folded
    finally:
        if database == "postgres":
            await admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")


def report(
    rows: list[Row],
    inbox: dict[str, float | None],
    loads: dict[str, float],
    folds: dict[str, float],
) -> str:
    lines = [
        f"{platform.node()} — {os.cpu_count()} CPU, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}",
        "",
        "| database | period | requests | indicator_table | same SQL by hand | ratio "
        "| split GROUP BY | ratio |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        lines.append(
            f"| {r.database} | {r.case} | {r.requests:,} | {r.table_s * 1000:.0f} ms "
            f"| {r.same_sql_s * 1000:.0f} ms | {r.table_s / r.same_sql_s:.2f}× "
            f"| {r.split_s * 1000:.0f} ms | {r.table_s / r.split_s:.2f}× |"
        )
    lines.append("")
    for database, p95 in inbox.items():
        shown = (
            "not measured (no frontdoor.store.inbox.inbox_page)"
            if p95 is None
            else (f"{p95 * 1000:.1f} ms")
        )
        lines.append(f"- inbox first page p95 ({database}, 50 runs): {shown}")
    for database, seconds in loads.items():
        lines.append(
            f"- {database}: data loaded in {seconds:.1f} s, triggers included; first fold of "
            f"every change {folds[database]:.1f} s (neither timed above)"
        )
    return "\n".join(lines)


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--linked-share",
        type=float,
        default=0.7,
        help="share of accompanied requests naming their person (0: no person, as before 0018)",
    )
    args = parser.parse_args()
    departments = Departments(
        load_departments(ROOT / "flows", ROOT / "templates" / "voice" / "prompts.toml").values()
    )
    lot, moselle = departments.for_slug("dac46"), departments.for_slug("dac57")
    assert lot is not None
    assert moselle is not None
    year, october = Period.parse("2026"), Period.parse("2026-10")
    cases = [
        Case(label="year 2026, dac46 + dac57", departments=[lot, moselle], period=year),
        Case(label="October 2026, dac46 + dac57", departments=[lot, moselle], period=october),
        Case(label="October 2026, dac46", departments=[lot], period=october),
    ]
    started = time.perf_counter()
    data = generate(args.requests, linked_share=args.linked_share)
    print(
        f"generated {len(data.persons):,} persons linked {len(data.links):,} times, "
        f"{len(data.requests):,} requests and {len(data.tasks):,} callback tasks "
        f"in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    rows: list[Row] = []
    inbox: dict[str, float | None] = {}
    loads: dict[str, float] = {}
    folds: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="frontdoor-bench-indicators-") as folder:
        for database in args.databases:
            found, inbox[database], loads[database], folds[database] = await bench_database(
                database, data, cases, args.runs, Path(folder)
            )
            rows += found
    print(report(rows, inbox, loads, folds))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
