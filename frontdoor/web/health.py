"""Liveness and readiness, for load balancers, orchestrators and supervision.

`/healthz` says the process answers HTTP. `/readyz` says it can take calls: its database
answers and it has departments to serve; otherwise 503 with the reasons, worded for an
operator and free of personal data (error types, never messages that could carry a host's
secrets or a caller's number). An instance in the development mode says so in both answers
(`warnings`): a supervisor that sees it in production has found a misconfigured host.
"""

from __future__ import annotations

import asyncio

from aiohttp import web
from sqlalchemy import text

from frontdoor.web.keys import DEPARTMENTS, ENGINE, SETTINGS

# A database slower than this to say "1" cannot answer a webhook in time either.
DATABASE_TIMEOUT_S = 2.0
DEV_MODE_WARNING = (
    "development mode (FRONTDOOR_DEV_MODE): development secrets, simulated time and "
    "demonstration accounts are accepted; never in production"
)


def add_routes(app: web.Application) -> None:
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)


async def healthz(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    problems = [*_departments_problems(request.app), *await _database_problems(request.app)]
    warnings = {"warnings": [DEV_MODE_WARNING]} if request.app[SETTINGS].dev_mode else {}
    if problems:
        return web.json_response(
            {"status": "not ready", "reasons": problems, **warnings}, status=503
        )
    return web.json_response({"status": "ready", **warnings})


def _departments_problems(app: web.Application) -> list[str]:
    if next(iter(app[DEPARTMENTS]), None) is None:
        return ["no department file loaded: check FRONTDOOR_FLOWS_DIR"]
    return []


async def _database_problems(app: web.Application) -> list[str]:
    engine = app.get(ENGINE)
    if engine is None:
        return ["database: not opened yet (the application is starting)"]
    try:
        async with asyncio.timeout(DATABASE_TIMEOUT_S), engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except TimeoutError:
        return [f"database: no answer within {DATABASE_TIMEOUT_S:g} s"]
    except Exception as error:  # noqa: BLE001  (any failure means not ready; reported by type)
        return [f"database: unreachable ({type(error).__name__})"]
    return []
