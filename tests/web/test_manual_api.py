"""POST /api/requests: an integrator enters a request that did not come through the single
number, through the same action as the console (frontdoor.actions.manual)."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from frontdoor.settings import Settings
from frontdoor.store.models import Request
from tests.console.requests_made import audit_rows, rows
from tests.web.api_keys import LOT_KEY, MOSELLE_KEY


async def test_a_letter_entered_through_the_api_is_journaled_as_it_is_made(
    client: TestClient, app_settings: Settings
) -> None:
    answer = await client.post(
        "/api/requests",
        headers=LOT_KEY,
        json={
            "channel": "letter",
            "at": "2026-05-11T09:00:00+02:00",
            "name": "Dr Roux",
            "contact": "dr.roux@cabinet.mssante.fr",
            "referrer_type": "gp",
            "note": "Demande d'évaluation à domicile.",
        },
    )

    assert answer.status == 201, await answer.text()
    body = await answer.json()
    assert (body["department"], body["channel"], body["referrer_type"]) == ("dac46", "letter", "gp")
    assert body["contact_address"] == "dr.roux@cabinet.mssante.fr"
    assert body["received_at"] == "2026-05-11T07:00:00Z"
    assert [event["kind"] for event in body["events"]] == ["entered"]
    assert await audit_rows(app_settings) == [("clé:amartin", body["id"], "api_write")]


async def test_each_api_key_enters_for_its_own_department(
    client: TestClient, app_settings: Settings
) -> None:
    answer = await client.post("/api/requests", headers=MOSELLE_KEY, json={"channel": "visit"})

    assert answer.status == 201
    [found] = await rows(app_settings, Request)
    assert found.department == "dac57"


async def test_what_cannot_be_kept_is_refused_with_the_reason(
    client: TestClient, app_settings: Settings
) -> None:
    refused = [
        await client.post("/api/requests", headers=LOT_KEY, json=body)
        for body in (
            {"channel": "voice"},
            {"channel": "visit", "at": "2126-01-01T00:00:00+01:00"},
            {"channel": "visit", "contact": 33},
            {"channel": "visit", "department": "dac57"},
        )
    ]

    assert [answer.status for answer in refused] == [422, 422, 422, 400]
    assert "canal : à choisir parmi" in await refused[0].text()
    assert await rows(app_settings, Request) == []
