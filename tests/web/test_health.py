"""Liveness and readiness: /healthz says the process answers, /readyz that it can take calls."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from frontdoor.departments import Departments
from frontdoor.settings import Settings
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
