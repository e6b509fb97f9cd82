"""Thousands of well-signed but malformed, oversized and non-UTF-8 requests on every route.

Whatever arrives — fields missing, repeated or of the wrong type, huge values, numbers that
are not E.164, latin-1 or raw bytes, a Content-Type that lies, JSON that is not an object,
odd path ids and query strings, bodies either side of the size limit, instants no clock
reaches, a CallSid reused by another call, digits off the menu — the service answers without
a server error, stores nothing half, and then takes a normal call end to end.

The routes come from the app's own router (the console's sub-application included), so a
new route is fuzzed without being listed. Twilio requests are signed as Twilio signs them,
API requests carry a department's key, console requests a signed-in coordinator's session
and CSRF token (most of the time: the rest tries without).

Draws are reproducible: FRONTDOOR_FUZZ_SEED changes them, FRONTDOOR_FUZZ_SCALE multiplies
their number (e.g. 10 for a long run before a release).
"""

from __future__ import annotations

import asyncio
import os
import random
from collections import Counter
from dataclasses import dataclass

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from hypothesis import HealthCheck, Phase, given, seed
from hypothesis import settings as hypothesis_settings
from sqlmodel import select
from yarl import URL

from frontdoor.departments import Departments
from frontdoor.phone import Answer, ScriptedPerson
from frontdoor.settings import Settings
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.models import RequestEvent
from frontdoor.web.app import create_app
from tests.console.conftest import LOT_COORDINATOR, create_accounts, sign_in
from tests.fuzz.invariants import half_written
from tests.fuzz.traffic import Route, Shot, routes_of, shots
from tests.web.calls import (
    AMARTIN,
    BLEROY,
    CDURAND,
    COORDINATION,
    LOT,
    TUESDAY_MORNING,
    place_call,
    stored,
)

SEED = int(os.environ.get("FRONTDOOR_FUZZ_SEED", "20261123"))
SCALE = float(os.environ.get("FRONTDOOR_FUZZ_SCALE", "1"))

SIGN_OUT = "/console/deconnexion"

# Which routes each run takes, and how many requests it sends: about 3 000 in all.
FAMILIES = {
    "twilio webhooks": (("twilio",), 1200),
    "JSON API": (("api",), 900),
    "console and service routes": (("console", "service"), 900),
}


@dataclass(kw_only=True, frozen=True)
class Fuzzed:
    client: TestClient
    settings: Settings
    routes: list[Route]
    csrf: str
    cookie: str


@pytest.fixture
async def fuzzed(
    aiohttp_client: object, wired_settings: Settings, departments: Departments
) -> Fuzzed:
    """The app with a signed-in coordinator and one real call already stored.

    Rate limits are off: they would answer most of the run with 429 before the handlers.
    """
    settings = wired_settings.model_copy(update={"rate_limits": False})
    await create_accounts(settings, (LOT_COORDINATOR,))
    app = create_app(settings, departments)
    client: TestClient = await aiohttp_client(app)  # type: ignore[operator]
    await place_call(client, at=TUESDAY_MORNING, to=LOT, person=everyone_takes_it())
    browser = await sign_in(client, LOT_COORDINATOR)
    return Fuzzed(
        client=client,
        settings=settings,
        routes=routes_of(app),
        csrf=browser.csrf,
        cookie=browser.cookie,
    )


def everyone_takes_it() -> ScriptedPerson:
    """A nurse who goes through the menu; whichever referent is rung presses 1."""
    on_duty = {number: Answer(presses="1") for number in (AMARTIN, BLEROY, CDURAND, COORDINATION)}
    return ScriptedPerson(["1", "2"], referents=on_duty)


def client_max_size(app: web.Application) -> int:
    return app._client_max_size  # noqa: SLF001 — the limit the app was built with


def draw_shots(
    route: Route, count: int, index: int, *, limit: int, csrf: str, cookie: str
) -> list[Shot]:
    """`count` requests to `route`, drawn by Hypothesis (generation only: the service itself
    is the oracle, and a failure names the request that broke it)."""
    drawn: list[Shot] = []

    @seed(SEED + index)  # each route its own draws
    @hypothesis_settings(
        max_examples=count,
        phases=[Phase.generate],
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(shots(route, limit=limit, csrf=csrf, cookie=cookie))
    def collect(shot: Shot) -> None:
        drawn.append(shot)

    collect()
    return drawn


async def send(client: TestClient, shot: Shot) -> int:
    """Send one shot exactly as drawn (the path is not re-quoted) and give its status."""
    url = URL(str(client.make_url("")).rstrip("/") + shot.path_qs, encoded=True)
    skip = () if "Content-Type" in shot.headers else ("Content-Type",)
    async with (
        asyncio.timeout(30),
        client.session.request(
            shot.method,
            url,
            data=shot.body,
            headers=shot.headers,
            skip_auto_headers=skip,
            allow_redirects=False,
        ) as response,
    ):
        if response.content_type != "text/event-stream":  # the live inbox never ends
            await response.read()
        return response.status


@pytest.mark.parametrize("family", FAMILIES)
async def test_signed_malformed_traffic_gets_no_server_error_and_stores_nothing_half(
    fuzzed: Fuzzed, family: str
) -> None:
    prefixes, count = FAMILIES[family]
    routes = [route for route in fuzzed.routes if route.family in prefixes]
    assert routes, f"no {family} route found in the app's router"
    limit = client_max_size(fuzzed.client.app)
    per_route = max(1, round(count * SCALE / len(routes)))
    drawn = [
        shot
        for index, route in enumerate(routes)
        for shot in draw_shots(
            route, per_route, index, limit=limit, csrf=fuzzed.csrf, cookie=fuzzed.cookie
        )
    ]
    random.Random(SEED).shuffle(drawn)  # routes interleaved, as traffic comes
    drawn.sort(key=lambda shot: shot.route.template == SIGN_OUT)  # the session lasts till then

    server_errors: list[str] = []
    statuses: Counter[int] = Counter()
    for shot in drawn:
        status = await send(fuzzed.client, shot)
        statuses[status] += 1
        if status >= 500:
            server_errors.append(f"{status} on {shot}")

    assert server_errors == [], f"seed {SEED}: {len(server_errors)} server errors, first:\n" + (
        "\n".join(server_errors[:5])
    )
    # Not all turned away at the door: a fair share went through to the handlers.
    assert statuses[200] >= len(drawn) // 40, f"statuses: {sorted(statuses.items())}"
    assert await half_written(fuzzed.settings) == []

    # And the service still takes a normal call, from first ring to a referent.
    result = await place_call(fuzzed.client, at=TUESDAY_MORNING, to=LOT, person=everyone_takes_it())
    assert [exchange.status for exchange in result.exchanges] == [200] * len(result.exchanges)
    assert result.connected_to is not None
    requests, _ = await stored(fuzzed.settings)
    call = next(request for request in requests if request.call_sid == result.call_sid)
    assert call.outcome == "taken"
    assert "incoming" in await event_kinds(fuzzed.settings, call.id or 0)


async def event_kinds(settings: Settings, request_id: int) -> list[str]:
    engine = create_engine(settings.database_url)
    try:
        async with session_maker(engine)() as session:
            events = await session.exec(
                select(RequestEvent).where(RequestEvent.request_id == request_id)
            )
            return [event.kind for event in events]
    finally:
        await engine.dispose()
