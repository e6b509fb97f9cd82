"""What one later step of a call costs, counted rather than timed: SQL statements and Python
function calls per webhook, in one process, so that a busy machine does not move the figures.

Stores `--count` + `--warmup` calls as started (bench/precreate_calls.py) on a scratch
database, then posts each call's signed step (bench/make_requests.py: every key Twilio sends)
to the service in this process, one after the other: the warm-up steps first, then the
measured ones under cProfile. Prints, per step: the statements sent to the database, the
Python function calls (the client's posting included: the same for every build) and the
process's CPU time (informative only: it moves with the machine's load); on PostgreSQL also
the CPU time its backends serving the scratch database spent (from the kernel's per-process
run time, /proc/PID/schedstat: the database's share of a step, which a step's statements
decide and Python does not see).

    .venv/bin/python bench/step_cost.py --database sqlite --step menu
    PYTHONPATH=../base .venv/bin/python bench/step_cost.py ...   # another build, the same way
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_db import _admin  # noqa: E402
from make_requests import STEPS, incoming_form, step_of  # noqa: E402
from precreate_calls import precreate  # noqa: E402

PUBLIC_URL = "http://frontdoor.bench.invalid"
TOKEN = "bench-auth-token-not-a-twilio-one"
AT = "2026-05-12T10:00:00+02:00"  # a Tuesday morning: the open path
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
PG_DB = "frontdoor_step_cost"


def backends_run_ns(pids: list[int]) -> int:
    """The nanoseconds these processes have run on a CPU so far (the kernel's schedstat);
    a process gone meanwhile counts for nothing."""
    total = 0
    for pid in pids:
        try:
            total += int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            continue
    return total


async def backend_pids(database: str) -> list[int]:
    """The PostgreSQL backends connected to the scratch database (this process's pool)."""
    import asyncpg

    connection = await asyncpg.connect(PG_ADMIN)
    try:
        rows = await connection.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = $1"
            " AND backend_type = 'client backend' AND pid <> pg_backend_pid()",
            database,
        )
    finally:
        await connection.close()
    return [row["pid"] for row in rows]


class Statements:
    """Counts the statements every engine of this process sends and, once given the
    database's backends, the run time each statement cost them (the steps are posted one
    after the other, so a backend's run time between a statement's start and its result is
    that statement's; BEGIN and COMMIT are not statements here and are left out)."""

    def __init__(self) -> None:
        from sqlalchemy import event
        from sqlalchemy.engine import Engine

        self.count = 0
        self.texts: list[str] = []
        self.backends: list[int] = []
        self.backend_ns: dict[str, int] = {}
        self._started_ns = 0
        event.listen(Engine, "before_cursor_execute", self._sent)
        event.listen(Engine, "after_cursor_execute", self._answered)

    def _sent(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.count += 1
        self.texts.append(" ".join(statement.split())[:160])
        if self.backends:
            self._started_ns = backends_run_ns(self.backends)

    def _answered(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if self.backends:
            text = " ".join(statement.split())[:100]
            spent = backends_run_ns(self.backends) - self._started_ns
            self.backend_ns[text] = self.backend_ns.get(text, 0) + spent


async def run(args: argparse.Namespace, url: str) -> dict[str, Any]:
    from aiohttp.test_utils import TestClient, TestServer
    from twilio.request_validator import RequestValidator

    from frontdoor.department_file.load import load_departments
    from frontdoor.departments import Departments
    from frontdoor.settings import Settings
    from frontdoor.store.db import create_engine
    from frontdoor.store.migrate import upgrade
    from frontdoor.web.app import create_app

    total = args.warmup + args.count
    seed = f"cost-{args.step}"
    engine = create_engine(url)
    await upgrade(engine)
    await engine.dispose()
    calls = [incoming_form(i, seed=seed, at=AT) for i in range(total)]
    await precreate(url, calls, datetime.fromisoformat(AT))

    path, make_form = step_of(args.step)
    validator = RequestValidator(TOKEN)
    signed = []
    for index in range(total):
        form = make_form(index, seed, AT)
        signature = validator.compute_signature(PUBLIC_URL + path, form)
        signed.append((signature, urlencode(form)))

    settings = Settings()
    departments = Departments(load_departments(settings.flows_dir, settings.prompts_path).values())
    app = create_app(settings, departments)
    statements = Statements()
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    async with TestClient(TestServer(app)) as client:

        async def post(signature: str, body: str) -> None:
            response = await client.post(
                path, data=body, headers={**headers, "X-Twilio-Signature": signature}
            )
            text = await response.text()
            if response.status != 200:
                raise SystemExit(f"{path}: {response.status} {text[:200]}")

        for signature, body in signed[: args.warmup]:
            await post(signature, body)
        statements.count, statements.texts = 0, []
        pids = await backend_pids(PG_DB) if args.database == "postgres" else []
        database_ns = backends_run_ns(pids)
        statements.backends = pids
        profile = cProfile.Profile()
        cpu = time.process_time()
        profile.enable()
        for signature, body in signed[args.warmup :]:
            await post(signature, body)
        profile.disable()
        cpu = time.process_time() - cpu
        database_ns = backends_run_ns(pids) - database_ns
        statements.backends = []
    stats = pstats.Stats(profile)
    if args.top:
        stats.sort_stats("cumulative").print_stats(args.top)
    by_package: dict[str, int] = {}
    for (filename, _, _), (_, calls, *_rest) in stats.stats.items():  # type: ignore[attr-defined]
        package = _package(filename)
        by_package[package] = by_package.get(package, 0) + calls
    one_step = statements.texts[: len(statements.texts) // args.count]
    return {
        "step": args.step,
        "database": args.database,
        "statements_per_step": statements.count / args.count,
        "python_calls_per_step": round(stats.total_calls / args.count),  # type: ignore[attr-defined]
        "cpu_us_per_step_profiled": round(cpu / args.count * 1e6),
        **(
            {"database_cpu_us_per_step": round(database_ns / args.count / 1e3)}
            if args.database == "postgres"
            else {}
        ),
        "python_calls_by_package": {
            name: round(calls / args.count)
            for name, calls in sorted(by_package.items(), key=lambda item: -item[1])[:8]
        },
        "one_step": one_step,
        "database_us_by_statement": {
            text: round(ns / args.count / 1e3)
            for text, ns in sorted(statements.backend_ns.items(), key=lambda item: -item[1])
        },
    }


def _package(filename: str) -> str:
    """Who a profiled function belongs to: a site package, frontdoor, or the standard library."""
    if "site-packages/" in filename:
        return filename.split("site-packages/")[1].split("/")[0]
    if "/frontdoor/" in filename:
        return "frontdoor"
    return "stdlib" if filename.startswith("/") else "builtins"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--step", choices=sorted(set(STEPS) - {"incoming"}), default="menu")
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--show", action="store_true", help="print one step's statements")
    parser.add_argument("--top", type=int, default=0, help="print the N costliest functions")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        if args.database == "sqlite":
            url = f"sqlite+aiosqlite:///{folder}/cost.sqlite3"
        else:
            asyncio.run(_admin(PG_ADMIN, "create", PG_DB))
            url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{PG_DB}"
        os.environ.update(
            FRONTDOOR_DATABASE_URL=url,
            FRONTDOOR_PUBLIC_URL=PUBLIC_URL,
            TWILIO_AUTH_TOKEN=TOKEN,
            FRONTDOOR_DEV_MODE="true",
            FRONTDOOR_SIMULATED_TIME="true",
            FRONTDOOR_JOURNAL_DIR=folder,
            FRONTDOOR_JOBS_ENABLED="false",  # no job of the scheduler among the steps counted
        )
        try:
            result = asyncio.run(run(args, url))
        finally:
            if args.database == "postgres":
                asyncio.run(_admin(PG_ADMIN, "drop", PG_DB))
    shown = result.pop("one_step")
    by_statement = result.pop("database_us_by_statement")
    print(json.dumps(result))
    if args.show:
        print("\n".join(shown))
    if by_statement:
        print("PostgreSQL's run time a step, by statement (µs; BEGIN and COMMIT apart):")
        for text, spent in by_statement.items():
            print(f"{spent:8,} {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
