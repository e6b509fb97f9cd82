"""An integrator records what was checked of a person's identity through the API, as a
referent does from her page (*Qualifier l'identité*: the same action): her identity status
follows (qualified once her identity document was checked and INSi queried for her INS), the
change is an event of her file, and the access journal holds it and the file returned. What
cannot be kept is refused in French and changes nothing; another department's key finds no
one, a reading token cannot change her."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlmodel import select

from frontdoor.settings import Settings
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.models import AuditEvent, PersonEvent
from tests.console.conftest import LOT_REFERENT, create_accounts, sign_in
from tests.console.requests_made import a_call, create
from tests.console.tokens import new_token
from tests.web.api_keys import LOT_KEY, MOSELLE_KEY

QUALIFYING = {
    "identity_document": "CN",
    "identity_checked_on": "2026-05-11",
    "insi_checked_on": "2026-05-11",
}


@pytest.fixture
async def app_settings(wired_settings: Settings) -> Settings:
    """With the console's accounts: a referent creates the person in the console."""
    await create_accounts(wired_settings)
    return wired_settings


async def her_file(client: TestClient, settings: Settings, *, ins: str | None) -> int:
    """Ginette Témoin's file, with her INS when given; her id."""
    request_id = await a_call(client, settings)
    browser = await sign_in(client, LOT_REFERENT)
    traits = {"nom": "Témoin", "prenoms": "Ginette", "naissance": "1941-03-02", "sexe": "female"}
    await create(browser, request_id, **traits, **({"ins": ins} if ins else {}))
    return 1


async def journal_and_events(settings: Settings) -> tuple[list[Any], list[Any]]:
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        audit = (await session.exec(select(AuditEvent).order_by(AuditEvent.id))).all()  # type: ignore[arg-type]
        events = (await session.exec(select(PersonEvent).order_by(PersonEvent.id))).all()  # type: ignore[arg-type]
    await engine.dispose()
    return [(a.account, a.action, a.detail) for a in audit], [
        (e.account, e.kind, e.detail) for e in events
    ]


async def test_a_checked_document_and_insi_qualify_her_identity(
    client: TestClient, wired_settings: Settings
) -> None:
    person_id = await her_file(client, wired_settings, ins="241034604212367")

    response = await client.post(
        f"/api/persons/{person_id}/identity", json=QUALIFYING, headers=LOT_KEY
    )

    assert response.status == 200, await response.text()
    body = await response.json()
    assert {name: body[name] for name in QUALIFYING} == QUALIFYING
    assert body["identity_status"] == "QUAL"
    again = await (await client.get(f"/api/persons/{person_id}", headers=LOT_KEY)).json()
    assert again["identity_status"] == "QUAL"
    journal, events = await journal_and_events(wired_settings)
    assert ("clé:amartin", "person_changed", f"personne n° {person_id}") in journal
    assert ("clé:amartin", "api_person_read", f"personne n° {person_id}") in journal
    assert events[-1] == (
        "clé:amartin",
        "changed",
        "identity_document, identity_checked_on, insi_checked_on",
    )


async def test_a_document_alone_validates_and_nulls_undo_the_check(
    client: TestClient, wired_settings: Settings
) -> None:
    person_id = await her_file(client, wired_settings, ins="241034604212367")
    url = f"/api/persons/{person_id}/identity"

    validated = await client.post(
        url, json={**QUALIFYING, "insi_checked_on": None}, headers=LOT_KEY
    )
    undone = await client.post(url, json=dict.fromkeys(QUALIFYING), headers=LOT_KEY)

    assert (await validated.json())["identity_status"] == "VALI"
    assert (await undone.json())["identity_status"] == "PROV"


@pytest.mark.parametrize(
    ("ins", "sent", "said"),
    [
        pytest.param(None, QUALIFYING, "renseignez d'abord l'INS", id="insi-without-ins"),
        pytest.param("241034604212367", {**QUALIFYING, "identity_checked_on": None},
                     "à renseigner avec la pièce", id="document-without-its-day"),
        pytest.param("241034604212367", {**QUALIFYING, "identity_checked_on": "11/05/2026"},
                     "date du contrôle", id="day-malformed"),
    ],
)  # fmt: skip
async def test_what_cannot_be_kept_is_refused_in_french_and_changes_nothing(
    client: TestClient, wired_settings: Settings, ins: str | None, sent: dict[str, Any],
    said: str,
) -> None:  # fmt: skip
    person_id = await her_file(client, wired_settings, ins=ins)

    response = await client.post(f"/api/persons/{person_id}/identity", json=sent, headers=LOT_KEY)

    assert response.status == 422
    refusal = await response.json()
    assert said in refusal["error"]
    assert refusal["error"].startswith("identité non modifiée")
    after = await (await client.get(f"/api/persons/{person_id}", headers=LOT_KEY)).json()
    assert (after["identity_document"], after["identity_status"]) == (None, "PROV")
    journal, events = await journal_and_events(wired_settings)
    assert ("clé:amartin", "person_changed", f"personne n° {person_id}") not in journal
    assert "changed" not in [kind for _, kind, _ in events]  # created, linked: nothing else


@pytest.mark.parametrize(
    "sent",
    [
        pytest.param({"identity_document": "CN"}, id="fields-missing"),
        pytest.param({**QUALIFYING, "ins": "241034604212367"}, id="a-field-it-does-not-take"),
    ],
)
async def test_a_body_that_is_not_the_whole_check_is_refused(
    client: TestClient, wired_settings: Settings, sent: dict[str, Any]
) -> None:
    person_id = await her_file(client, wired_settings, ins="241034604212367")

    response = await client.post(f"/api/persons/{person_id}/identity", json=sent, headers=LOT_KEY)

    assert response.status == 400


async def test_another_department_gets_a_404_and_a_reading_token_a_403(
    client: TestClient, wired_settings: Settings
) -> None:
    person_id = await her_file(client, wired_settings, ins="241034604212367")
    reader = await new_token(await sign_in(client, LOT_REFERENT), "requests:read")
    url = f"/api/persons/{person_id}/identity"

    other = await client.post(url, json=QUALIFYING, headers=MOSELLE_KEY)
    read_only = await client.post(
        url, json=QUALIFYING, headers={"Authorization": f"Bearer {reader}"}
    )

    assert (other.status, read_only.status) == (404, 403)
    after = await (await client.get(f"/api/persons/{person_id}", headers=LOT_KEY)).json()
    assert after["identity_status"] == "PROV"
