"""Store calls already started, so that a later step of a call (the menu…) can be loaded alone.

Reads the incoming-call lines of bench/make_requests.py (`--step incoming`, the same seed as
the step's file) and writes, for each, the rows the first webhook of that call leaves: its
`requests` row (voice, the line's department, its CallSid and caller) and its `incoming` event.
Written by batches of 2,000 through the migrated schema, so the tally triggers run as for real
calls.

    python bench/precreate_calls.py DATABASE_URL INCOMING_CALLS_FILE [--at ISO-INSTANT] \
        [--line N]   # the copy N of the Lot (bench/departments_gen.py), not the Lot
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qsl

from departments_gen import slug_of
from sqlalchemy import Table

from frontdoor.store.db import create_engine
from frontdoor.store.models import Request, RequestEvent
from frontdoor.store.new_calls import request_row

BATCH = 2_000
_REQUESTS: Table = Request.__table__  # type: ignore[attr-defined]
_EVENTS: Table = RequestEvent.__table__  # type: ignore[attr-defined]


def _calls(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="ascii") as lines:
        return [dict(parse_qsl(line.rstrip("\n").split("\t")[2])) for line in lines]


async def precreate(
    url: str, calls: list[dict[str, str]], at: datetime, department: str = "dac46"
) -> None:
    engine = create_engine(url)
    try:
        for start in range(0, len(calls), BATCH):
            rows = [
                request_row(
                    department=department,
                    channel="voice",
                    call_sid=form["CallSid"],
                    caller_number=form["From"],
                    received_at=at,
                )
                for form in calls[start : start + BATCH]
            ]
            async with engine.begin() as connection:
                result = await connection.execute(
                    _REQUESTS.insert().returning(_REQUESTS.c.id), rows
                )
                ids = [request_id for (request_id,) in result.all()]
                await connection.execute(
                    _EVENTS.insert(),
                    [{"request_id": i, "at": at, "kind": "incoming", "reasons": []} for i in ids],
                )
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="the service's FRONTDOOR_DATABASE_URL (migrated)")
    parser.add_argument("calls", type=Path, help="incoming-call lines of make_requests.py")
    parser.add_argument("--at", help="ISO 8601 instant the calls came in (default: now)")
    parser.add_argument("--line", type=int, help="a copy of the Lot (departments_gen.py)")
    args = parser.parse_args(argv)
    at = datetime.fromisoformat(args.at) if args.at else datetime.now(UTC)
    calls = _calls(args.calls)
    department = "dac46" if args.line is None else slug_of(args.line)
    asyncio.run(precreate(args.url, calls, at, department))
    print(f"{len(calls)} calls stored as started", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
