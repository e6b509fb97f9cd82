"""A person's data: exported whole as JSON, or erased while the request stays for indicators."""

from __future__ import annotations

import json

from aiohttp.test_utils import TestClient
from sqlmodel import select

from frontdoor.phone import ScriptedPerson, TestClientTransport, TwilioPhone
from frontdoor.settings import Settings
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.models import Message, Request
from frontdoor.store.tally_models import RequestTally, RequestTallyChange
from tests.conftest import AUTH_TOKEN, PUBLIC_URL
from tests.console.conftest import LOT_COORDINATOR, LOT_REFERENT, MOSELLE_COORDINATOR, sign_in
from tests.console.test_request_page import a_voicemail, audit_rows, the_request
from tests.fakes.twilio_api import FakeTwilioApi
from tests.web.calls import LOT, NURSE, TUESDAY_MORNING, stored


async def test_the_coordinator_exports_everything_held_about_a_number(
    client: TestClient, wired_settings: Settings
) -> None:
    voicemail = await a_voicemail(client, wired_settings)
    referent = await sign_in(client, LOT_REFERENT)
    await referent.post(f"/console/demandes/{voicemail.id}/notes", {"body": "Mme X rappelée."})
    coordinator = await sign_in(client, LOT_COORDINATOR)

    response = await coordinator.get("/console/personnes/export?numero=06 11 22 33 44")

    assert response.status == 200
    assert "attachment" in response.headers["Content-Disposition"]
    held = json.loads(await response.text())
    [request] = held["requests"]
    assert request["caller_number"] == NURSE
    assert [note["body"] for note in request["notes"]] == ["Mme X rappelée."]
    assert request["events"][0]["kind"] == "incoming"
    assert (LOT_COORDINATOR.login, voicemail.id, "export") in await audit_rows(wired_settings)


async def test_erasure_pseudonymises_the_request_and_deletes_the_recording(
    client: TestClient, wired_settings: Settings, twilio_api: FakeTwilioApi
) -> None:
    voicemail = await a_voicemail(client, wired_settings)
    referent = await sign_in(client, LOT_REFERENT)
    await referent.post(f"/console/demandes/{voicemail.id}/notes", {"body": "Mme X rappelée."})
    coordinator = await sign_in(client, LOT_COORDINATOR)

    response = await coordinator.post(
        "/console/personnes/effacement?departement=dac46",
        {"numero": NURSE, "confirmation": "EFFACER"},
    )

    assert response.status == 303
    erased = await the_request(wired_settings, voicemail.id or 0)
    assert (erased.caller_number or "").startswith("pseudo:")
    assert erased.recording_url is None
    assert erased.outcome == "voicemail"  # still counted
    sid = (voicemail.recording_url or "").rsplit("/", 1)[-1]
    assert twilio_api.deleted_recordings == [sid]
    export = await coordinator.get("/console/personnes/export?numero=06 11 22 33 44")
    assert json.loads(await export.text())["requests"] == []
    page = await (await coordinator.get(f"/console/demandes/{voicemail.id}")).text()
    assert "Mme X rappelée." not in page
    assert (LOT_COORDINATOR.login, voicemail.id, "erase") in await audit_rows(wired_settings)


async def test_an_erased_gps_number_leaves_the_indicator_tallies_at_once(
    client: TestClient, wired_settings: Settings
) -> None:
    gp = "+33565000001"
    caller = TwilioPhone(
        TestClientTransport(client), public_url=PUBLIC_URL, auth_token=AUTH_TOKEN,
        simulated_at=TUESDAY_MORNING, account_sid=wired_settings.twilio_account_sid,
    )  # fmt: skip
    await caller.call(from_=gp, to=LOT, person=ScriptedPerson(["1", "1"], referents={}))
    [request], _ = await stored(wired_settings)
    assert request.referrer_type == "gp"
    coordinator = await sign_in(client, LOT_COORDINATOR)

    await coordinator.post(
        "/console/personnes/effacement?departement=dac46",
        {"numero": gp, "confirmation": "EFFACER"},
    )

    engine = create_engine(wired_settings.database_url)
    async with session_maker(engine)() as session:
        kept = set((await session.exec(select(RequestTally.value))).all())
        kept |= set((await session.exec(select(RequestTallyChange.value))).all())
    await engine.dispose()
    assert gp not in kept
    assert any(value.startswith("pseudo:") for value in kept)  # still one GP, pseudonymised


async def test_erasure_needs_the_typed_confirmation(
    client: TestClient, wired_settings: Settings
) -> None:
    voicemail = await a_voicemail(client, wired_settings)
    coordinator = await sign_in(client, LOT_COORDINATOR)

    response = await coordinator.post(
        "/console/personnes/effacement?departement=dac46", {"numero": NURSE}
    )

    assert response.status == 400
    assert (await the_request(wired_settings, voicemail.id or 0)).caller_number == NURSE


async def test_another_departments_coordinator_finds_nothing_to_export_or_erase(
    client: TestClient, wired_settings: Settings
) -> None:
    voicemail = await a_voicemail(client, wired_settings)
    moselle = await sign_in(client, MOSELLE_COORDINATOR)

    own = await moselle.get("/console/personnes/export?numero=06 11 22 33 44")
    other = await moselle.get("/console/personnes/export?numero=06 11 22 33 44&departement=dac46")
    await moselle.post(
        "/console/personnes/effacement", {"numero": NURSE, "confirmation": "EFFACER"}
    )

    assert json.loads(await own.text())["requests"] == []
    assert other.status == 404
    assert (await the_request(wired_settings, voicemail.id or 0)).caller_number == NURSE


async def test_an_address_that_only_wrote_under_a_request_finds_it_and_erasure_clears_it(
    client: TestClient, wired_settings: Settings
) -> None:
    """A nurse answered in a GP's mail thread: her address is held (who is part of the
    conversation), so her export shows that request and her erasure clears it."""
    nurse = "ide.lac@gmail.com"
    engine = create_engine(wired_settings.database_url)
    async with session_maker(engine)() as session:
        request = Request(
            department="dac46", channel="mail", contact_address="dr.roux@chu-toulouse.fr",
            received_at=TUESDAY_MORNING,
        )  # fmt: skip
        session.add(request)
        await session.flush()
        session.add(
            Message(
                request_id=request.id or 0,
                department="dac46",
                channel="mail",
                direction="in",
                provider_id="<n1@gmail.com>",
                address=nurse,
                at=TUESDAY_MORNING,
                body="Pansements faits.",
            )  # fmt: skip
        )
        await session.commit()
    coordinator = await sign_in(client, LOT_COORDINATOR)

    export = await coordinator.get(f"/console/personnes/export?adresse={nurse}")
    [held] = json.loads(await export.text())["requests"]
    await coordinator.post(
        "/console/personnes/effacement?departement=dac46",
        {"adresse": nurse, "confirmation": "EFFACER"},
    )

    assert held["id"] == request.id
    assert [m["address"] for m in held["messages"]] == [nurse]
    async with session_maker(engine)() as session:
        [message] = (await session.exec(select(Message))).all()
    await engine.dispose()
    assert (message.address, message.body) == (None, None)
