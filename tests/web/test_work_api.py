"""The console's everyday work through the API: qualify, assign, close and reopen a request,
each with the scope requests:write, each an event with its reasons and an audit row, never
another department's request."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

from frontdoor.settings import Settings
from tests.console.conftest import LOT_COORDINATOR, LOT_REFERENT, create_accounts, sign_in
from tests.console.requests_made import a_voicemail, audit_rows
from tests.console.tokens import new_token
from tests.web.api_keys import LOT_KEY, MOSELLE_KEY


@pytest.fixture
async def app_settings(wired_settings: Settings) -> Settings:
    await create_accounts(wired_settings)
    return wired_settings


async def test_a_request_is_qualified_as_the_console_does(
    client: TestClient, wired_settings: Settings
) -> None:
    voicemail = await a_voicemail(client, wired_settings)

    response = await client.put(
        f"/api/requests/{voicemail.id}/qualification",
        json={"referrer_type": "gp", "age_band": "75-84", "problems": ["social", "medical"]},
        headers=LOT_KEY,
    )

    assert response.status == 200, await response.text()
    body = await response.json()
    assert (body["referrer_type"], body["referrer_source"]) == ("gp", "referent")
    assert (body["age_band"], body["problems"]) == ("75-84", ["medical", "social"])
    [classified] = [event for event in body["events"] if event["kind"] == "classified"]
    assert classified["reasons"]
    assert ("clé:amartin", voicemail.id, "qualify") in await audit_rows(wired_settings)


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        pytest.param({"referrer_type": "gp"}, 400, id="incomplete"),
        pytest.param(
            {"referrer_type": "chef", "age_band": None, "problems": []}, 422, id="unknown-type"
        ),
        pytest.param(
            {"referrer_type": None, "age_band": None, "problems": "medical"}, 422, id="not-a-list"
        ),
        pytest.param({"referrer_type": 3, "age_band": None, "problems": []}, 422, id="not-text"),
    ],
)
async def test_a_qualification_it_cannot_keep_is_refused(
    client: TestClient, wired_settings: Settings, payload: dict[str, object], status: int
) -> None:
    voicemail = await a_voicemail(client, wired_settings)

    response = await client.put(
        f"/api/requests/{voicemail.id}/qualification", json=payload, headers=LOT_KEY
    )

    assert response.status == status


async def test_a_request_is_taken_handed_to_a_colleague_and_given_back(
    client: TestClient, wired_settings: Settings
) -> None:
    voicemail = await a_voicemail(client, wired_settings)
    url = f"/api/requests/{voicemail.id}/assignment"

    taken = await (await client.put(url, json={"to": "me"}, headers=LOT_KEY)).json()
    handed = await (
        await client.put(url, json={"to": LOT_COORDINATOR.login}, headers=LOT_KEY)
    ).json()
    back = await (await client.put(url, json={"to": None}, headers=LOT_KEY)).json()
    refused = await client.put(url, json={"to": "someone@dac57.fr"}, headers=LOT_KEY)

    assert taken["assigned_to"] == "clé:amartin"
    assert handed["assigned_to"] == LOT_COORDINATOR.login
    assert back["assigned_to"] is None
    assert refused.status == 422
    assert await refused.text() == "à confier à : personne de ce département"


async def test_a_request_is_closed_and_reopened(
    client: TestClient, wired_settings: Settings
) -> None:
    voicemail = await a_voicemail(client, wired_settings)

    closed = await (
        await client.post(f"/api/requests/{voicemail.id}/close", headers=LOT_KEY)
    ).json()
    listed = await (await client.get("/api/requests?status=closed", headers=LOT_KEY)).json()
    reopened = await (
        await client.post(f"/api/requests/{voicemail.id}/reopen", headers=LOT_KEY)
    ).json()

    assert (closed["status"], closed["closed_by"]) == ("closed", "clé:amartin")
    assert [request["id"] for request in listed["data"]] == [voicemail.id]
    assert (reopened["status"], reopened["closed_at"]) == ("open", None)
    assert [event["kind"] for event in reopened["events"]][-2:] == ["closed", "reopened"]


@pytest.mark.parametrize(
    ("method", "path", "payload"),
    [
        ("PUT", "qualification", {"referrer_type": "gp", "age_band": None, "problems": []}),
        ("PUT", "assignment", {"to": "me"}),
        ("POST", "close", None),
        ("POST", "reopen", None),
    ],
)
async def test_another_departments_request_is_a_404_and_a_reading_token_a_403(
    client: TestClient,
    wired_settings: Settings,
    method: str,
    path: str,
    payload: dict[str, object] | None,
) -> None:
    voicemail = await a_voicemail(client, wired_settings)
    url = f"/api/requests/{voicemail.id}/{path}"
    reader = await new_token(await sign_in(client, LOT_REFERENT), "requests:read")

    other = await client.request(method, url, json=payload, headers=MOSELLE_KEY)
    read_only = await client.request(
        method, url, json=payload, headers={"Authorization": f"Bearer {reader}"}
    )

    assert (other.status, read_only.status) == (404, 403)
    assert (await client.get(f"/api/requests/{voicemail.id}", headers=LOT_KEY)).status == 200
