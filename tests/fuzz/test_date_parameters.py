"""Every date the console and the API read from a query string or a form, sent year 9999, year
0001, garbage and huge numbers: each is answered 400 with a French message, never 500, and
nothing is stored.

The routes and their dates come from the app's own router and each handler's @takes_dates
(frontdoor.kit.date_parameters), so a date added to a route later is attacked without anyone
listing it; a handler that reads a date it did not name fails (LookupError), and a module of
the console or the API that parses a date by itself fails the last test here.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlencode

import pytest
from aiohttp.test_utils import TestClient

from frontdoor.departments import Departments
from frontdoor.kit.date_parameters import DateKind, DateParameter, date_parameters_of
from frontdoor.settings import Settings
from frontdoor.store.db import create_engine, session_maker
from frontdoor.web.app import create_app
from tests.conftest import ROOT
from tests.console.access_forms import FORMS, store_of, traces
from tests.console.conftest import LOT_COORDINATOR, Browser, create_accounts, sign_in
from tests.console.tokens import new_token
from tests.directory.search_data import add_directory
from tests.fuzz.traffic import Route, routes_of

HUGE = "9" * 40
# What a person or a forged link may send where each kind of date is expected.
BAD: dict[DateKind, tuple[str, ...]] = {
    DateKind.DAY: ("9999-12-31", "0001-01-01", "1999-12-31", "demain", HUGE, "2026-02-30"),
    DateKind.TIME: ("25:00", "midi", HUGE, "-1"),
    DateKind.INSTANT: (
        "9999-12-31T23:59:59-14:00",
        "0001-01-01T00:00:00+14:00",
        "2026-05-12T10:00:00",
        "maintenant",
        HUGE,
    ),
    DateKind.PERIOD: ("9999", "9999-12", "0001-Q1", "octobre", HUGE, "2026-13"),
    DateKind.YEAR: ("9999", "0001", "deux mille", HUGE, "-5"),
    DateKind.PAGE_MARK: (
        "9999-12-31T23:59:59-14:00_1",
        "0001-01-01T00:00:00+14:00_1",
        "maintenant_1",
        f"{HUGE}_1",
        f"2026-05-12T10:00:00+02:00_{HUGE}",
        "_",
    ),
}
# A value each kind accepts: the same request with it is not refused.
GOOD = {
    DateKind.DAY: "2026-05-12",
    DateKind.TIME: "08:30",
    DateKind.INSTANT: "2026-05-12T10:00:00+02:00",
    DateKind.PERIOD: "2026-05",
    DateKind.YEAR: "2026",
    DateKind.PAGE_MARK: "2026-05-12T10:00:00+02:00_1",
}
# The path ids of the routes that take dates (resource 1 is the Lot's, which its coordinator
# may correct).
PATH_IDS = {"resource_id": "1", "request_id": "1", "override_id": "1", "token_id": "1"}


def app_routes() -> list[Route]:
    settings = Settings(flows_dir=ROOT / "flows", templates_dir=ROOT / "templates", dev_mode=True)
    return routes_of(create_app(settings, Departments([])))


DATED = [
    (route, parameter) for route in app_routes() for parameter in date_parameters_of(route.handler)
]
ROUTE_DATES = [
    pytest.param(route, parameter, id=f"{route.method} {route.template} {parameter.name}")
    for route, parameter in DATED
]


def test_the_routes_that_take_dates_are_found() -> None:
    # The ones the hostile tester named, among all those the router holds.
    found = {(route.template, parameter.name) for route, parameter in DATED}
    assert {
        ("/console/astreinte/changements", "starts_date"),
        ("/console/indicateurs", "periode"),
        ("/console/indicateurs.csv", "periode"),
        ("/console/", "avant"),
        ("/console/annuaire/{resource_id}", "checked_at"),
    } <= found
    assert {kind for _, parameter in DATED for kind in [parameter.kind]} == set(DateKind)


@pytest.fixture
async def coordinator(
    aiohttp_client: object, wired_settings: Settings, departments: Departments
) -> Browser:
    """The Lot's coordinator, who may reach every dated route, on a store with a directory."""
    settings = wired_settings.model_copy(update={"rate_limits": False})
    await create_accounts(settings, (LOT_COORDINATOR,))
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        await add_directory(session)
    await engine.dispose()
    client: TestClient = await aiohttp_client(create_app(settings, departments))  # type: ignore[operator]
    return await sign_in(client, LOT_COORDINATOR)


async def send(
    browser: Browser, route: Route, parameter: DateParameter, value: str
) -> tuple[int, str]:
    """The route's genuine request (its form as the access matrix sends it), with `value` in
    `parameter`."""
    path = route.template.format(**PATH_IDS)
    if path.startswith("/api/"):  # the API: the coordinator's token, and refusals in JSON
        token = await new_token(browser, "requests:read", "indicators:read")
        response = await browser.client.get(
            path, params={parameter.name: value}, headers={"Authorization": f"Bearer {token}"}
        )
        if response.content_type == "application/json" and response.status == 400:
            return response.status, str((await response.json())["error"])
        return response.status, await response.text()
    query = {"departement": "dac46"}
    form = dict(FORMS.get(route.template, {}))
    (query if parameter.source == "query" else form)[parameter.name] = value
    url = f"{path}?{urlencode(query)}"
    if route.method == "GET":
        response = await browser.get(url, headers={"Accept": "text/html"})
    else:
        response = await browser.post(url, form)
    return response.status, (await response.read()).decode("utf-8", errors="replace")


@pytest.mark.parametrize(("route", "parameter"), ROUTE_DATES)
async def test_a_date_the_service_cannot_mean_is_answered_400_in_french(
    coordinator: Browser, wired_settings: Settings, route: Route, parameter: DateParameter
) -> None:
    async with store_of(wired_settings) as store:
        before = await traces(store)
        answers = {
            bad: await send(coordinator, route, parameter, bad) for bad in BAD[parameter.kind]
        }
        after = await traces(store)

    for bad, (status, text) in answers.items():
        assert status == 400, f"{parameter.name}={bad[:40]}: {status} {text[:200]}"
        assert text.startswith(f"{parameter.label} : "), text
        assert HUGE not in text  # quoted back cut short
    assert after == before


@pytest.mark.parametrize(("route", "parameter"), ROUTE_DATES)
async def test_a_genuine_date_in_the_same_request_is_taken(
    coordinator: Browser, route: Route, parameter: DateParameter
) -> None:
    status, text = await send(coordinator, route, parameter, GOOD[parameter.kind])

    assert status in (200, 303), text


# Where dates arrive from clients: the console, the web edge and its kit, the APIs.
EDGES = [
    *(ROOT / "frontdoor" / "console").glob("*.py"),
    *(ROOT / "frontdoor" / "web").glob("*.py"),
    *(ROOT / "frontdoor" / "kit").glob("*.py"),
    *(ROOT / "frontdoor").glob("*/api.py"),
]
PARSING = re.compile(r"\b(fromisoformat|strptime|Period\.parse|date\.fromtimestamp)\(")


@pytest.mark.parametrize("path", EDGES, ids=lambda path: str(Path(path).relative_to(ROOT)))
def test_dates_from_clients_are_parsed_only_through_the_date_parameters(path: Path) -> None:
    if path.name == "date_parameters.py":
        return
    assert PARSING.findall(path.read_text(encoding="utf-8")) == []
