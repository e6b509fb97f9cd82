"""The callers first: while the event loop is overloaded, the console and the API are answered
503 in French with Retry-After before any work, and the live pages skip their looks; Twilio's
webhooks and the health checks are served as ever. The load is read from the loop's own
thread, so a loop kept busy is seen as busy and an idle one as idle, however busy the rest
of the machine is."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Coroutine
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, make_mocked_request

from frontdoor.core.overload import LoadState, Yielding
from frontdoor.departments import Departments
from frontdoor.keys import COUNTERS
from frontdoor.kit import loop_load
from frontdoor.kit.loop_load import LOOP_LOAD, SAMPLE_S, YIELD_TEXT, LoopLoad, yield_to_callers
from frontdoor.phone import ScriptedPerson
from frontdoor.settings import Settings
from frontdoor.web.app import create_app
from tests.console.browser_phones import REACH_PATH, TOKEN_PATH, with_browser_phone
from tests.console.conftest import LOT_REFERENT, Browser, create_accounts, sign_in
from tests.console.live_events import open_stream, until_it_ends
from tests.web.calls import LOT, TUESDAY_MORNING, place_call, stored


@pytest.fixture(autouse=True)
def answered_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """A request held back is answered at once here (a second in production)."""
    monkeypatch.setattr(loop_load, "YIELD_HOLD_S", 0.0)


@pytest.fixture
async def app_settings(wired_settings: Settings) -> Settings:
    await create_accounts(wired_settings)
    # Quick looks: a session ended elsewhere is noticed at the next one.
    return wired_settings.model_copy(update={"console_live_every_s": 0.05})


def overloaded(client: TestClient, yielding: bool = True) -> None:
    """The loop's load as the sampler would have found it (it does not run: console_yields is
    off in the tests' settings, so nothing changes the state but the test)."""
    client.app[LOOP_LOAD].state = LoadState(yielding=yielding)


async def test_the_console_and_the_api_wait_while_the_callers_are_served(
    client: TestClient, app_settings: Settings
) -> None:
    browser = await sign_in(client, LOT_REFERENT)
    overloaded(client)

    held_back = [
        await browser.get("/console/"),
        await client.get("/console/connexion"),
        await client.post("/console/connexion", data={"login": "x", "password": "y"}),
        await client.get("/api/tasks", headers={"Authorization": "Bearer key-dac46-amartin"}),
    ]
    call = await place_call(
        client,
        at=TUESDAY_MORNING,
        to=LOT,
        person=ScriptedPerson(["1", "5"], referents={}, message="Rappelez-moi."),
    )

    for response in held_back:
        assert response.status == 503
        assert await response.text() == YIELD_TEXT
        assert response.headers["Retry-After"] == "2"
    assert call.exchanges
    assert all(exchange.status == 200 for exchange in call.exchanges)
    assert call.status_callback_status == 200
    requests, _ = await stored(app_settings)
    assert len(requests) == 1  # the call was stored as ever
    assert (await client.get("/healthz")).status == 200
    assert client.app[COUNTERS]["console_yielded"] == len(held_back)


async def test_a_browser_opening_a_page_meanwhile_is_told_in_a_page_that_reloads_itself(
    client: TestClient, app_settings: Settings
) -> None:
    """A plain-text 503 is a bare line in a browser, left there; a page says it in French and
    asks again after Retry-After. A form sent is not sent again by a reload: the page says
    to send it again. The API and the live streams keep the sentence alone."""
    browser = await sign_in(client, LOT_REFERENT)
    overloaded(client)
    html = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}

    page = await browser.get("/console/", headers=html)
    form = await client.post("/console/connexion", data={"login": "x"}, headers=html)
    api = await client.get("/api/tasks", headers={**html, "Authorization": "Bearer x"})
    stream = await browser.get("/console/flux", headers={"Accept": "text/event-stream"})

    assert (page.status, page.content_type) == (503, "text/html")
    shown = await page.text()
    assert '<html lang="fr">' in shown
    assert YIELD_TEXT.replace("'", "&#x27;") in shown
    assert '<meta http-equiv="refresh" content="2">' in shown
    assert page.headers["Retry-After"] == "2"
    # A console page like any other: it cannot be framed, loads nothing from elsewhere.
    assert page.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    assert (form.status, form.content_type) == (503, "text/html")
    assert "refresh" not in await form.text()
    assert "envoyez-la de nouveau" in await form.text()
    for short in (api, stream):
        assert (short.status, short.content_type, await short.text()) == (
            503,
            "text/plain",
            YIELD_TEXT,
        )


async def test_once_the_loop_is_itself_again_the_console_is_served(client: TestClient) -> None:
    overloaded(client)
    assert (await client.get("/console/connexion")).status == 503

    overloaded(client, yielding=False)

    assert (await client.get("/console/connexion")).status == 200


async def test_a_live_page_skips_its_looks_while_the_console_yields(
    client: TestClient, aiohttp_client: object, app_settings: Settings, departments: Departments
) -> None:
    other_settings = app_settings.model_copy(update={"instance_name": "the-other-instance"})
    other: TestClient = await aiohttp_client(create_app(other_settings, departments))  # type: ignore[operator]
    browser = await sign_in(client, LOT_REFERENT)
    stream = await open_stream(browser)
    overloaded(client)
    # Signed out on another instance: this one would see it at its next look, and takes none.
    await Browser(client=other, cookie=browser.cookie, csrf=browser.csrf).post(
        "/console/deconnexion"
    )

    await asyncio.sleep(10 * app_settings.console_live_every_s)
    assert not stream.content.at_eof()

    overloaded(client, yielding=False)
    assert "votre session est terminée" in await until_it_ends(stream)


async def test_a_loop_kept_busy_is_seen_as_overloaded_and_an_idle_one_is_not(
    aiohttp_client: object, app_settings: Settings, departments: Departments
) -> None:
    """The real sampler, on this test's own loop, however busy the machine running it is."""
    app = create_app(app_settings.model_copy(update={"console_yields": True}), departments)
    client: TestClient = await aiohttp_client(app)  # type: ignore[operator]
    load: LoopLoad = app[LOOP_LOAD]
    window_s = load.policy.window * SAMPLE_S

    await asyncio.sleep(3 * window_s)  # idle: the loop sleeps between samples
    assert not load.yielding
    assert (await client.get("/console/connexion")).status == 200

    deadline = time.monotonic() + 60
    while not load.yielding and time.monotonic() < deadline:
        spin_until = time.monotonic() + 0.02  # callbacks that never wait: a saturated loop
        while time.monotonic() < spin_until:
            pass
        await asyncio.sleep(0)
    assert load.yielding
    assert (await client.get("/console/connexion")).status == 503


def test_the_sampler_reads_a_demand_from_each_interval() -> None:
    wall, busy = iter([0.0, 0.1, 0.2, 0.3]), iter([0.0, 0.1, 0.2, 0.21])
    load = LoopLoad(
        busy_clock=lambda: next(busy),
        wall_clock=lambda: next(wall),
        policy=Yielding(enter_at=0.9, window=2, hold=2),
    )

    answers = []
    for _ in range(4):
        load.sample()
        answers.append(load.yielding)

    assert answers == [False, False, True, True]  # two whole intervals busy, then held


def test_the_loop_thread_busy_time_moves_with_work_not_with_sleep() -> None:
    busy_clock = loop_load.thread_busy_clock()
    before = busy_clock()
    time.sleep(0.05)
    slept = busy_clock() - before
    before = busy_clock()
    end = time.monotonic() + 0.05
    while time.monotonic() < end:
        pass
    worked = busy_clock() - before

    assert slept < 0.02
    assert worked >= 0.04  # run, or waiting for a CPU: both count as busy


async def test_a_referents_browser_phone_renews_its_token_meanwhile(
    aiohttp_client: object, app_settings: Settings, departments: Departments
) -> None:
    """Without its token, the browser phone goes offline and its referent is rung no more."""
    client: TestClient = await aiohttp_client(  # type: ignore[operator]
        create_app(with_browser_phone(app_settings), departments)
    )
    anne = await sign_in(client, LOT_REFERENT)
    assert (await anne.post(REACH_PATH, {"reach": "browser"})).status == 303
    overloaded(client)

    renewed = await anne.post(TOKEN_PATH)

    assert renewed.status == 200
    assert "token" in await renewed.json()
    assert (await anne.post(REACH_PATH, {"reach": "mobile"})).status == 503


async def test_a_flood_held_back_cannot_hold_more_connections_than_allowed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each request held back keeps its connection meanwhile: past MOST_HELD of them, the
    next are answered at once, and the process keeps connections for the callers."""
    monkeypatch.setattr(loop_load, "YIELD_HOLD_S", 60.0)
    monkeypatch.setattr(loop_load, "MOST_HELD", 3)
    app = web.Application()
    app[LOOP_LOAD], app[COUNTERS] = LoopLoad(), Counter()
    app[LOOP_LOAD].state = LoadState(yielding=True)

    async def never_served(_request: web.Request) -> web.StreamResponse:
        raise AssertionError("held back, never served")

    def sign_in_page() -> Coroutine[Any, Any, web.StreamResponse]:
        request = make_mocked_request("GET", "/console/connexion", app=app)
        return yield_to_callers(request, never_served)

    held = [asyncio.create_task(sign_in_page()) for _ in range(3)]
    while app[LOOP_LOAD].holding < 3:  # noqa: ASYNC110 (each task starts its hold in turn)
        await asyncio.sleep(0)

    at_once = await sign_in_page()

    assert at_once.status == 503
    assert not any(task.done() for task in held)  # still held: their minute is not over
    for task in held:
        task.cancel()
    await asyncio.gather(*held, return_exceptions=True)
    assert app[LOOP_LOAD].holding == 0
