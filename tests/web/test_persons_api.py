"""The persons of the JSON API: a referent's key reads the persons a request is about and a
person's file, her non-oppositions in force with where they were recorded; another
department's key finds nothing; each read is journaled."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient
from sqlmodel import select

from frontdoor.settings import Settings
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.models import AuditEvent
from tests.console.conftest import LOT_REFERENT, create_accounts, sign_in
from tests.console.requests_made import STANCES, a_call, create
from tests.web.api_keys import LOT_KEY, MOSELLE_KEY


@pytest.fixture
async def app_settings(wired_settings: Settings) -> Settings:
    """With the console's accounts: a referent creates the person in the console."""
    await create_accounts(wired_settings)
    return wired_settings


async def a_person_with_her_stances(client: TestClient, settings: Settings) -> int:
    request_id = await a_call(client, settings)
    browser = await sign_in(client, LOT_REFERENT)
    await create(browser, request_id, nom="Témoin", prenoms="Ginette", annee="1941")
    await browser.post(
        f"/console/demandes/{request_id}/non-oppositions",
        {"personne": "1", **STANCES, "informe": "document"},
    )
    return request_id


async def test_a_persons_file_with_her_stances_and_her_situation(
    client: TestClient, wired_settings: Settings
) -> None:
    request_id = await a_person_with_her_stances(client, wired_settings)

    response = await client.get("/api/persons/1", headers=LOT_KEY)

    assert response.status == 200
    assert response.headers["Cache-Control"] == "no-store"
    body = await response.json()
    assert (body["family_name"], body["given_names"], body["birth_year"]) == (
        "Témoin",
        "Ginette",
        1941,
    )
    sharing = body["non_oppositions"]["support_and_sharing"]
    assert (sharing["stance"], sharing["request_id"], sharing["informed_how"]) == (
        "not_opposed",
        request_id,
        "document",
    )
    assert body["non_oppositions"]["secondary_use"]["stance"] == "opposed"
    assert len(body["non_opposition_history"]) == 3
    assert body["request_ids"] == [request_id]
    assert body["hand_off"]["allowed"] is True


async def test_the_persons_of_a_request_and_each_read_journaled(
    client: TestClient, wired_settings: Settings
) -> None:
    request_id = await a_person_with_her_stances(client, wired_settings)

    response = await client.get(f"/api/requests/{request_id}/persons", headers=LOT_KEY)

    body = await response.json()
    assert (body["count"], body["data"][0]["id"]) == (1, 1)
    engine = create_engine(wired_settings.database_url)
    async with session_maker(engine)() as session:
        audit = (await session.exec(select(AuditEvent))).all()
    await engine.dispose()
    assert [(a.account, a.action, a.request_id, a.detail) for a in audit][-2:] == [
        ("clé:amartin", "api_read", request_id, None),
        ("clé:amartin", "api_person_read", request_id, "personne n° 1"),
    ]


async def test_another_departments_key_finds_no_person(
    client: TestClient, wired_settings: Settings
) -> None:
    request_id = await a_person_with_her_stances(client, wired_settings)

    person = await client.get("/api/persons/1", headers=MOSELLE_KEY)
    persons = await client.get(f"/api/requests/{request_id}/persons", headers=MOSELLE_KEY)
    nobody = await client.get("/api/persons/abc", headers=LOT_KEY)

    assert person.status == persons.status == nobody.status == 404
