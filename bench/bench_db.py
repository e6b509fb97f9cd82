"""Scratch databases for bench/run: create or drop a PostgreSQL database, count stored calls.

python bench/bench_db.py create postgresql://postgres@127.0.0.1:5432/test frontdoor_bench
python bench/bench_db.py drop   postgresql://postgres@127.0.0.1:5432/test frontdoor_bench
python bench/bench_db.py count  sqlite:////tmp/x.sqlite3 | postgresql://…/frontdoor_bench
python bench/bench_db.py version postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
import sys

import asyncpg

NAME = re.compile(r"[a-z_][a-z0-9_]*")
COUNT = (
    "SELECT (SELECT count(*) FROM requests), (SELECT count(*) FROM request_events), "
    "(SELECT count(*) FROM webhook_receipts)"
)


async def _admin(admin_url: str, action: str, name: str) -> None:
    if not NAME.fullmatch(name):
        raise SystemExit(f"refusing database name {name!r}")
    connection = await asyncpg.connect(admin_url)
    try:
        await connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        if action == "create":
            await connection.execute(f"CREATE DATABASE {name}")
    finally:
        await connection.close()


async def _count_postgres(url: str) -> tuple[int, ...]:
    connection = await asyncpg.connect(url)
    try:
        row = await connection.fetchrow(COUNT)
    finally:
        await connection.close()
    return tuple(row)


async def _version(url: str) -> str:
    connection = await asyncpg.connect(url)
    try:
        return await connection.fetchval("SHOW server_version")
    finally:
        await connection.close()


def _count(url: str) -> tuple[int, ...]:
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url[len("sqlite:///") :]) as connection:
            return tuple(connection.execute(COUNT).fetchone())
    return asyncio.run(_count_postgres(url))


def main(argv: list[str]) -> int:
    match argv:
        case ["create" | "drop" as action, admin_url, name]:
            asyncio.run(_admin(admin_url, action, name))
        case ["version", url]:
            print(asyncio.run(_version(url)))
        case ["count", url]:
            requests, events, receipts = _count(url)
            print(
                f'{{"rows_requests": {requests}, "rows_events": {events}, '
                f'"rows_receipts": {receipts}}}'
            )
        case _:
            print(__doc__, file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
