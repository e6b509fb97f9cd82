"""An integrator's script, as a partner's developer would write it against the running service:
with a token made in the console, list yesterday's requests page by page, following `next` to
the end, while calls keep coming in, and get each request exactly once. A cursor changed on
the way is refused with a French JSON answer.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from aiohttp.test_utils import TestClient

from frontdoor.keys import Clock
from frontdoor.phone import ScriptedPerson
from frontdoor.settings import Settings
from tests.console.conftest import LOT_REFERENT, create_accounts, sign_in
from tests.console.tokens import new_token
from tests.web.calls import LOT, PARIS, place_call
from tests.web.lists import entered

NOW = datetime(2026, 5, 12, 10, 0, tzinfo=PARIS)  # Tuesday morning, the script runs
YESTERDAY = NOW.date() - timedelta(days=1)


@pytest.fixture
def app_clock() -> Clock:
    return lambda: NOW


@pytest.fixture
async def app_settings(wired_settings: Settings) -> Settings:
    await create_accounts(wired_settings)
    return wired_settings


async def a_voicemail_at(client: TestClient, at: datetime, caller: str) -> None:
    person = ScriptedPerson(["1", "5"], referents={}, message="Rappelez-moi, merci.")
    await place_call(client, at=at, to=LOT, person=person, from_=caller)


async def yesterdays_traffic(client: TestClient) -> None:
    """Monday in the Lot: calls on the single number and requests entered by hand, with a
    Sunday and a Tuesday one on either side."""
    monday = datetime.combine(YESTERDAY, time(0), tzinfo=PARIS)
    await entered(client, monday - timedelta(minutes=10))  # Sunday 23:50
    for n, hour in enumerate((9, 10, 11, 14, 16)):
        await a_voicemail_at(client, monday + timedelta(hours=hour), f"+3361122330{n}")
    for minutes in (9 * 60 + 30, 15 * 60, 23 * 60 + 59):
        await entered(client, monday + timedelta(minutes=minutes), channel="letter")
    await entered(client, monday + timedelta(days=1, minutes=1))  # Tuesday 00:01


async def test_an_integrator_lists_yesterdays_requests_page_by_page_while_calls_arrive(
    client: TestClient,
) -> None:
    await yesterdays_traffic(client)
    token = await new_token(await sign_in(client, LOT_REFERENT), "requests:read")
    headers = {"Authorization": f"Bearer {token}"}

    # The script: yesterday (the DAC's day), three requests a page, until `next` is null.
    url: str | None = f"/api/requests?from={YESTERDAY}&to={YESTERDAY}&limit=3"
    received: list[dict[str, object]] = []
    pages = 0
    while url is not None:
        response = await client.get(url, headers=headers)
        assert response.status == 200, await response.text()
        page = await response.json()
        received += page["data"]
        pages += 1
        url = page["next"]
        # Meanwhile, the line keeps ringing.
        await a_voicemail_at(client, NOW + timedelta(minutes=pages), f"+3362233440{pages}")

    ids = [request["id"] for request in received]
    assert len(ids) == len(set(ids)) == 8  # five calls and three letters, each once
    assert pages == 3
    days = {
        datetime.fromisoformat(str(r["received_at"])).astimezone(PARIS).date() for r in received
    }
    assert days == {YESTERDAY}
    assert [r["received_at"] for r in received] == sorted(
        (r["received_at"] for r in received), reverse=True
    )


async def test_the_whole_list_gives_each_request_that_was_there_once_as_new_ones_arrive(
    client: TestClient,
) -> None:
    await yesterdays_traffic(client)
    token = await new_token(await sign_in(client, LOT_REFERENT), "requests:read")
    headers = {"Authorization": f"Bearer {token}"}

    url: str | None = "/api/requests?limit=4"
    ids: list[int] = []
    arrived = 0
    while url is not None:
        page = await (await client.get(url, headers=headers)).json()
        ids += [request["id"] for request in page["data"]]
        url = page["next"]
        arrived += 1
        await a_voicemail_at(client, NOW + timedelta(minutes=arrived), f"+3362233440{arrived}")

    assert sorted(ids) == list(range(1, 11))  # the ten there when the script began, once each
    # The calls that came in meanwhile are the first page of the next run.
    first = await (await client.get("/api/requests?limit=4", headers=headers)).json()
    assert [request["id"] for request in first["data"]] == [10 + arrived - n for n in range(4)]


async def test_a_cursor_changed_on_the_way_is_refused_in_french_json(client: TestClient) -> None:
    await yesterdays_traffic(client)
    token = await new_token(await sign_in(client, LOT_REFERENT), "requests:read")
    headers = {"Authorization": f"Bearer {token}"}
    first = await (await client.get("/api/requests?limit=3", headers=headers)).json()
    url, _, cursor = first["next"].partition("cursor=")
    tampered = cursor[:-4] + ("AAAA" if not cursor.endswith("AAAA") else "BBBB")

    response = await client.get(f"{url}cursor={tampered}", headers=headers)

    assert response.status == 400
    assert response.content_type == "application/json"
    assert await response.json() == {
        "error": "curseur invalide : il a été modifié ou vient d'ailleurs"
    }
