"""Liveness and readiness: /healthz says the process answers, /readyz that it can take calls."""

from __future__ import annotations

import asyncio
import json

import pytest
from aiohttp.test_utils import TestClient
from pydantic import SecretStr
from sqlalchemy import event

from frontdoor.departments import Departments
from frontdoor.keys import ENGINE
from frontdoor.settings import Settings
from frontdoor.web import health
from frontdoor.web.app import create_app
from frontdoor.web.health import DEV_MODE_WARNING
from tests.conftest import production

UNREACHABLE = "postgresql+asyncpg://frontdoor@127.0.0.1:1/frontdoor"  # nothing listens on 1


async def test_healthz_answers_ok(client: TestClient) -> None:
    response = await client.get("/healthz")

    assert response.status == 200
    assert await response.json() == {"status": "ok"}


async def test_readyz_is_ready_when_the_database_answers_and_departments_are_loaded(
    aiohttp_client: object, settings: Settings, departments: Departments
) -> None:
    client = await aiohttp_client(create_app(production(settings), departments))  # type: ignore[operator]

    response = await client.get("/readyz")

    assert response.status == 200
    assert await response.json() == {"status": "ready"}


async def test_readyz_warns_of_the_development_mode(client: TestClient) -> None:
    response = await client.get("/readyz")

    assert response.status == 200
    assert await response.json() == {"status": "ready", "warnings": [DEV_MODE_WARNING]}


async def test_readyz_says_503_and_why_when_the_database_is_unreachable(
    aiohttp_client: object, settings: Settings, departments: Departments
) -> None:
    app = create_app(settings.model_copy(update={"database_url": UNREACHABLE}), departments)
    client = await aiohttp_client(app)  # type: ignore[operator]

    ready = await client.get("/readyz")
    alive = await client.get("/healthz")

    assert ready.status == 503
    body = await ready.json()
    assert body["status"] == "not ready"
    [reason] = body["reasons"]
    assert reason.startswith("database: unreachable (")
    # The process itself is alive: an orchestrator must not restart it for the database.
    assert alive.status == 200


async def test_readyz_says_503_when_no_department_is_loaded(
    aiohttp_client: object, settings: Settings
) -> None:
    client = await aiohttp_client(create_app(settings, Departments([])))  # type: ignore[operator]

    response = await client.get("/readyz")

    assert response.status == 503
    assert await response.json() == {
        "status": "not ready",
        "reasons": ["no department file loaded: check FRONTDOOR_FLOWS_DIR"],
        "warnings": [DEV_MODE_WARNING],
    }


# ----- Through the public name: the verdict alone, and a flood costs the store nothing -----

PROXIED = {"X-Forwarded-For": "203.0.113.9"}  # what nginx adds to whatever it passes on


async def test_the_public_gets_the_verdict_alone_and_the_operator_the_reasons(
    aiohttp_client: object, settings: Settings
) -> None:
    """The reasons, the mailboxes and the development mode would tell anyone what is down or
    which instance takes demonstration accounts: the operator's only (the metrics' rule)."""
    token = "operator-token-0123456789"
    with_token = settings.model_copy(update={"metrics_token": SecretStr(token)})
    client = await aiohttp_client(create_app(with_token, Departments([])))  # type: ignore[operator]

    public = await client.get("/readyz", headers=PROXIED)
    wrong = await client.get("/readyz", headers={"Authorization": "Bearer guessed"})
    operator = await client.get("/readyz", headers={"Authorization": f"Bearer {token}"})

    for answer in (public, wrong):
        assert answer.status == 503
        assert await answer.json() == {"status": "not ready"}
    assert operator.status == 503
    assert (await operator.json())["reasons"] == [
        "no department file loaded: check FRONTDOOR_FLOWS_DIR"
    ]
    assert (await operator.json())["warnings"] == [DEV_MODE_WARNING]


async def test_a_flood_of_readiness_probes_asks_the_store_once(
    aiohttp_client: object,
    settings: Settings,
    departments: Departments,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Once for all the probes waiting together, and not again while the verdict is kept
    (READY_FOR_S, a second; an hour here, so that a slow machine changes nothing; asked
    again once it is older: tests/test_single_flight.py)."""
    monkeypatch.setattr(health, "READY_FOR_S", 3600.0)
    client = await aiohttp_client(create_app(settings, departments))  # type: ignore[operator]
    await client.get("/healthz")  # started: the engine is open
    statements: list[int] = []
    engine = client.app[ENGINE].sync_engine

    def count(*_: object) -> None:
        statements.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        answers = await asyncio.gather(*(
            client.get("/readyz", headers=PROXIED) for _ in range(200)
        ))  # fmt: skip
        later = await client.get("/readyz", headers=PROXIED)
    finally:
        event.remove(engine, "before_cursor_execute", count)

    assert {answer.status for answer in [*answers, later]} == {200}
    assert {json.dumps(await answer.json()) for answer in answers} == {'{"status": "ready"}'}
    assert 1 <= len(statements) <= 2  # the ping, and the mailboxes' logins where one has one
