"""The indicator table and who is on duty, in the JSON API: the table is the console's and
`frontdoor report`'s, for the scope indicators:read only; the duty names who, and their
numbers only for a token allowed them."""

from __future__ import annotations

from datetime import datetime

import pytest
from aiohttp.test_utils import TestClient

from frontdoor.departments import Departments
from frontdoor.indicators.export_json import to_json
from frontdoor.indicators.periods import Period
from frontdoor.indicators.queries import indicator_table
from frontdoor.keys import Clock
from frontdoor.settings import Settings
from frontdoor.store.db import create_engine, session_maker
from tests.console.conftest import (
    LOT_COORDINATOR,
    LOT_REFERENT,
    MOSELLE_COORDINATOR,
    create_accounts,
    sign_in,
)
from tests.console.requests_made import a_voicemail
from tests.console.tokens import new_token
from tests.web.api_keys import LOT_KEY
from tests.web.calls import PARIS

NOW = datetime(2026, 5, 12, 10, 0, tzinfo=PARIS)  # Tuesday: amartin then bleroy on duty


@pytest.fixture
def app_clock() -> Clock:
    return lambda: NOW


@pytest.fixture
async def app_settings(wired_settings: Settings) -> Settings:
    await create_accounts(wired_settings)
    return wired_settings


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def the_table(settings: Settings, departments: Departments, period: str) -> dict[str, object]:
    """The table as the console and `frontdoor report` compute it."""
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        lot = departments.for_slug("dac46")
        assert lot is not None
        table = await indicator_table(session, departments=[lot], period=Period.parse(period))
    await engine.dispose()
    return to_json(table)


async def test_a_coordinators_token_reads_the_indicator_table_of_a_period(
    client: TestClient, wired_settings: Settings, departments: Departments
) -> None:
    await a_voicemail(client, wired_settings)
    token = await new_token(await sign_in(client, LOT_COORDINATOR), "indicators:read")

    response = await client.get("/api/indicators?period=2026-05", headers=bearer(token))

    assert response.status == 200
    table = await response.json()
    assert (table["period"], table["period_label"], table["requests"]) == ("2026-05", "mai 2026", 1)
    expected = await the_table(wired_settings, departments, "2026-05")
    assert {**table, "generated_at": None} == {**expected, "generated_at": None}


async def test_the_indicators_default_to_this_month(client: TestClient) -> None:
    token = await new_token(await sign_in(client, LOT_COORDINATOR), "indicators:read")

    table = await (await client.get("/api/indicators", headers=bearer(token))).json()

    assert table["period"] == "2026-05"


async def test_another_departments_coordinator_reads_only_her_own_figures(
    client: TestClient, wired_settings: Settings
) -> None:
    await a_voicemail(client, wired_settings)
    token = await new_token(await sign_in(client, MOSELLE_COORDINATOR), "indicators:read")

    table = await (await client.get("/api/indicators", headers=bearer(token))).json()

    assert (table["departments"], table["requests"]) == (["dac57"], 0)


async def test_the_indicators_need_their_scope(client: TestClient) -> None:
    reader = await new_token(await sign_in(client, LOT_COORDINATOR), "requests:read")

    assert (await client.get("/api/indicators", headers=bearer(reader))).status == 403
    # A static key acts as a referent, who sees no indicators.
    assert (await client.get("/api/indicators", headers=LOT_KEY)).status == 403


async def test_a_period_it_cannot_read_is_a_400_in_french(client: TestClient) -> None:
    token = await new_token(await sign_in(client, LOT_COORDINATOR), "indicators:read")

    response = await client.get("/api/indicators?period=2026-13", headers=bearer(token))

    assert response.status == 400
    assert (await response.text()).startswith("période : ")


async def test_the_duty_names_who_is_on_duty_now_without_their_numbers(
    client: TestClient,
) -> None:
    token = await new_token(await sign_in(client, LOT_REFERENT), "duty:read")

    for headers in (bearer(token), LOT_KEY):
        duty = await (await client.get("/api/duty", headers=headers)).json()

        assert duty["on_duty"] == [
            {"id": "amartin", "name": "Anne Martin"},
            {"id": "bleroy", "name": "Bruno Leroy"},
        ]
        assert duty["open"] is True
        assert duty["reason"]["code"] == "on-duty"
        assert duty["at"] == "2026-05-12T10:00:00+02:00"


async def test_a_coordinators_token_with_duty_phones_has_their_numbers(
    client: TestClient,
) -> None:
    token = await new_token(await sign_in(client, LOT_COORDINATOR), "duty:read", "duty:phones")

    duty = await (await client.get("/api/duty", headers=bearer(token))).json()

    assert [(r["id"], r["phone"]) for r in duty["on_duty"]] == [
        ("amartin", "+33612000001"),
        ("bleroy", "+33612000002"),
    ]


async def test_a_referent_cannot_give_her_token_the_numbers(client: TestClient) -> None:
    browser = await sign_in(client, LOT_REFERENT)
    token = await new_token(browser, "duty:read", "duty:phones")  # the second is not offered

    duty = await (await client.get("/api/duty", headers=bearer(token))).json()

    assert all("phone" not in referent for referent in duty["on_duty"])


async def test_the_duty_needs_its_scope(client: TestClient) -> None:
    token = await new_token(await sign_in(client, LOT_REFERENT), "requests:read")

    assert (await client.get("/api/duty", headers=bearer(token))).status == 403
