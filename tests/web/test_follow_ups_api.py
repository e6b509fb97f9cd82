"""The JSON API shows each response with its follow-up, asks for one with an orientation or
afterwards, and closes it, under the same key and department rules as the responses."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

from frontdoor.departments import Departments
from frontdoor.settings import Settings
from frontdoor.web.app import create_app
from tests.console.requests_made import a_taken_call
from tests.web.api_keys import LOT_KEY, MOSELLE_KEY
from tests.web.calls import TUESDAY_MORNING


@pytest.fixture
async def client(
    aiohttp_client: object, settings: Settings, departments: Departments
) -> TestClient:
    """The API on Tuesday 12 May 2026, 10:00 in Paris."""
    app = create_app(settings, departments, clock=lambda: TUESDAY_MORNING)
    return await aiohttp_client(app)  # type: ignore[operator, no-any-return]


async def test_an_orientation_recorded_with_its_follow_up_shows_it(
    client: TestClient, settings: Settings
) -> None:
    request_id = await a_taken_call(client, settings)
    path = f"/api/requests/{request_id}/responses"

    oriented = await client.post(
        path,
        json={"kind": "orientation", "follow_up": {"in_days": 15, "assigned_to": "bleroy"}},
        headers=LOT_KEY,
    )
    informed = await client.post(path, json={"kind": "information"}, headers=LOT_KEY)

    assert (oriented.status, informed.status) == (201, 201)
    body = await informed.json()
    [orientation, information] = body["responses"]
    follow_up = orientation["follow_up"]
    assert (follow_up["due_on"], follow_up["assigned_to"], follow_up["status"]) == (
        "2026-05-27", "bleroy", "open",
    )  # fmt: skip
    assert (follow_up["created_by"], follow_up["outcome"], follow_up["earlier"]) == (
        "clé:amartin", None, [],
    )  # fmt: skip
    assert information["follow_up"] is None
    [added, _information] = [e for e in body["events"] if e["kind"] == "response-added"]
    assert added["reasons"][1]["text"] == (
        "suivi de l'orientation demandé par amartin : à vérifier le mercredi 27 mai 2026, "
        "confié à Bruno Leroy"
    )


async def test_a_follow_up_asked_afterwards_is_chased_then_closed(
    client: TestClient, settings: Settings
) -> None:
    request_id = await a_taken_call(client, settings)
    path = f"/api/requests/{request_id}/responses"
    created = await (await client.post(path, json={"kind": "orientation"}, headers=LOT_KEY)).json()
    follow_up = f"{path}/{created['responses'][0]['id']}/follow-up"

    asked = await client.put(follow_up, json={"due_on": "2026-05-19"}, headers=LOT_KEY)
    twice = await client.put(follow_up, json={"in_days": 3}, headers=LOT_KEY)
    chased = await client.post(
        f"{follow_up}/close", json={"outcome": "to_chase", "due_on": "2026-05-26"}, headers=LOT_KEY
    )
    closed = await client.post(f"{follow_up}/close", json={"outcome": "no_news"}, headers=LOT_KEY)
    after = await client.post(f"{follow_up}/close", json={"outcome": "no_news"}, headers=LOT_KEY)

    assert (asked.status, twice.status, chased.status, closed.status, after.status) == (
        201, 409, 200, 200, 409,
    )  # fmt: skip
    shown = (await closed.json())["responses"][0]["follow_up"]
    assert (shown["status"], shown["outcome"], shown["due_on"], shown["closed_by"]) == (
        "closed", "no_news", "2026-05-26", "clé:amartin",
    )  # fmt: skip
    assert [(e["due_on"], e["outcome"]) for e in shown["earlier"]] == [("2026-05-19", "to_chase")]
    kinds = [event["kind"] for event in (await closed.json())["events"]]
    assert [kind for kind in kinds if kind.startswith("follow-up")] == [
        "follow-up-planned", "follow-up-rescheduled", "follow-up-closed",
    ]  # fmt: skip


async def test_what_cannot_be_asked_is_refused_and_another_department_sees_nothing(
    client: TestClient, settings: Settings
) -> None:
    request_id = await a_taken_call(client, settings)
    path = f"/api/requests/{request_id}/responses"
    informed = {"kind": "information", "follow_up": {"in_days": 15}}

    not_oriented = await client.post(path, json=informed, headers=LOT_KEY)
    malformed = await client.post(
        path, json={"kind": "orientation", "follow_up": {"in": 15}}, headers=LOT_KEY
    )
    created = await (await client.post(path, json={"kind": "orientation"}, headers=LOT_KEY)).json()
    follow_up = f"{path}/{created['responses'][0]['id']}/follow-up"
    past = await client.put(follow_up, json={"due_on": "2026-05-01"}, headers=LOT_KEY)
    theirs = await client.put(follow_up, json={"in_days": 15}, headers=MOSELLE_KEY)
    closed_unasked = await client.post(
        f"{follow_up}/close", json={"outcome": "no_news"}, headers=LOT_KEY
    )
    chased_taken = await client.post(
        f"{follow_up}/close", json={"outcome": "taken_in_charge", "in_days": 3}, headers=LOT_KEY
    )

    assert (not_oriented.status, malformed.status, past.status) == (422, 400, 422)
    assert "seule une orientation" in await not_oriented.text()
    assert "vendredi 1er mai 2026 est déjà passé" in await past.text()
    assert (theirs.status, closed_unasked.status, chased_taken.status) == (404, 404, 422)
    body = await (await client.get(f"/api/requests/{request_id}", headers=LOT_KEY)).json()
    assert [(r["kind"], r["follow_up"]) for r in body["responses"]] == [("orientation", None)]
