"""A request in the console: why it was routed as it was, what the referent records on it,
and the audit of every look at it."""

from __future__ import annotations

from aiohttp.test_utils import TestClient
from sqlmodel import select

from frontdoor.settings import Settings
from frontdoor.standins.twilio_api import FakeTwilioApi, recording_audio
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.models import NonOppositionRecord
from tests.console.conftest import (
    LOT_COORDINATOR,
    LOT_REFERENT,
    MOSELLE_REFERENT,
    OPERATOR,
    sign_in,
)
from tests.console.requests_made import a_taken_call, a_voicemail, audit_rows, the_request
from tests.web.calls import LOT, NURSE


async def test_the_page_shows_each_decision_with_its_reasons_and_who_accepted(
    client: TestClient, wired_settings: Settings
) -> None:
    request_id = await a_taken_call(client, wired_settings)
    browser = await sign_in(client, LOT_REFERENT)

    response = await browser.get(f"/console/demandes/{request_id}")

    assert response.status == 200
    page = await response.text()
    assert "ouvert : mardi 08:30–18:30" in page
    assert "Accepté (touche 1)" in page
    assert "pris par un référent" in page
    assert response.headers["Cache-Control"] == "no-store"


async def test_every_view_of_a_request_is_audited_with_who_and_which_request(
    client: TestClient, wired_settings: Settings
) -> None:
    request_id = await a_taken_call(client, wired_settings)
    browser = await sign_in(client, LOT_REFERENT)

    await browser.get(f"/console/demandes/{request_id}")
    await browser.get(f"/console/demandes/{request_id}")

    assert await audit_rows(wired_settings) == [
        (LOT_REFERENT.login, request_id, "view"),
        (LOT_REFERENT.login, request_id, "view"),
    ]
    coordinator = await sign_in(client, LOT_COORDINATOR)
    journal = await (await coordinator.get("/console/journal")).text()
    assert journal.count("anne.martin@dac46.fr") == 2


async def test_a_referent_of_another_department_gets_nothing_not_even_a_hint(
    client: TestClient, wired_settings: Settings
) -> None:
    request_id = await a_taken_call(client, wired_settings)
    moselle = await sign_in(client, MOSELLE_REFERENT)

    page = await moselle.get(f"/console/demandes/{request_id}")
    missing = await moselle.get("/console/demandes/999999")

    assert (page.status, missing.status) == (404, 404)
    assert await page.text() == await missing.text()
    assert await audit_rows(wired_settings) == []


async def test_an_operator_sees_no_request_content(
    client: TestClient, wired_settings: Settings
) -> None:
    request_id = await a_taken_call(client, wired_settings)
    operator = await sign_in(client, OPERATOR)

    assert (await operator.get(f"/console/demandes/{request_id}")).status == 403
    assert (await operator.get("/console/")).status == 403


async def test_the_referent_confirms_the_referrer_type_and_qualifies_the_request(
    client: TestClient, wired_settings: Settings
) -> None:
    request_id = await a_taken_call(client, wired_settings)
    browser = await sign_in(client, LOT_REFERENT)

    response = await browser.post(
        f"/console/demandes/{request_id}/qualification",
        [
            ("referrer_type", "gp"),
            ("age_band", "75-84"),
            ("problems", "housing"),
            ("problems", "carers"),
        ],
    )

    assert response.status == 303
    found = await the_request(wired_settings, request_id)
    assert (found.referrer_type, found.referrer_source) == ("gp", "referent")
    assert found.age_band == "75-84"
    assert sorted(found.problems) == ["carers", "housing"]
    page = await (await browser.get(f"/console/demandes/{request_id}")).text()
    # The menu's "médecin" made precise: a GP.
    assert (
        "type d&#39;adresseur précisé par anne.martin@dac46.fr : "
        "Médecin, à préciser → Médecin généraliste" in page
    )
    assert "tranche d&#39;âge : non renseigné → 75 à 84 ans" in page


async def test_a_value_outside_the_vocabulary_is_refused_and_changes_nothing(
    client: TestClient, wired_settings: Settings
) -> None:
    request_id = await a_taken_call(client, wired_settings)
    browser = await sign_in(client, LOT_REFERENT)

    response = await browser.post(
        f"/console/demandes/{request_id}/qualification",
        {"referrer_type": "gp", "age_band": "100-120"},
    )

    assert response.status == 303
    assert "erreur=" in response.headers["Location"]
    found = await the_request(wired_settings, request_id)
    assert found.age_band is None
    assert found.referrer_source == "menu"


async def test_the_three_non_oppositions_are_recorded_with_who_and_when(
    client: TestClient, wired_settings: Settings
) -> None:
    request_id = await a_taken_call(client, wired_settings)
    browser = await sign_in(client, LOT_REFERENT)
    await browser.post(f"/console/demandes/{request_id}/personnes/nouvelle", {"nom": "Roux"})

    await browser.post(
        f"/console/demandes/{request_id}/non-oppositions",
        {"personne": "1", "support_and_sharing": "not_opposed", "data_processing": "not_opposed",
         "secondary_use": "opposed", "informe": "oral"},
    )  # fmt: skip

    engine = create_engine(wired_settings.database_url)
    async with session_maker(engine)() as session:
        records = (await session.exec(select(NonOppositionRecord))).all()
    await engine.dispose()
    assert {(r.kind, r.stance, r.recorded_by, r.person_id) for r in records} == {
        ("support_and_sharing", "not_opposed", LOT_REFERENT.login, 1),
        ("data_processing", "not_opposed", LOT_REFERENT.login, 1),
        ("secondary_use", "opposed", LOT_REFERENT.login, 1),
    }
    page = await (await browser.get(f"/console/demandes/{request_id}")).text()
    assert "S&#39;oppose" in page


async def test_a_referent_takes_notes_and_closes_the_request(
    client: TestClient, wired_settings: Settings
) -> None:
    request_id = await a_taken_call(client, wired_settings)
    browser = await sign_in(client, LOT_REFERENT)

    await browser.post(f"/console/demandes/{request_id}/attribution", {"to": "me"})
    await browser.post(f"/console/demandes/{request_id}/notes", {"body": "SSIAD contacté."})
    await browser.post(f"/console/demandes/{request_id}/statut", {"status": "closed"})

    found = await the_request(wired_settings, request_id)
    assert found.assigned_to == LOT_REFERENT.login
    assert (found.status, found.closed_by) == ("closed", LOT_REFERENT.login)
    page = await (await browser.get(f"/console/demandes/{request_id}")).text()
    assert "SSIAD contacté." in page
    assert "close par anne.martin@dac46.fr" in page


async def test_the_voicemail_is_streamed_through_frontdoor_after_the_access_check(
    client: TestClient, wired_settings: Settings, twilio_api: FakeTwilioApi
) -> None:
    request = await a_voicemail(client, wired_settings)
    browser = await sign_in(client, LOT_REFERENT)

    page = await (await browser.get(f"/console/demandes/{request.id}")).text()
    audio = await browser.get(f"/console/demandes/{request.id}/message-vocal")

    assert "api.twilio.com" not in page
    assert audio.status == 200
    assert audio.headers["Content-Type"] == "audio/wav"  # what the stand-in makes
    # Fetched from Twilio when it said the recording was complete, then deleted there.
    [sid] = twilio_api.deleted_recordings
    assert await audio.read() == recording_audio(sid)
    assert (LOT_REFERENT.login, request.id, "play_recording") in await audit_rows(wired_settings)
    moselle = await sign_in(client, MOSELLE_REFERENT)
    assert (await moselle.get(f"/console/demandes/{request.id}/message-vocal")).status == 404


async def test_the_referent_answers_by_sms_from_the_departments_number(
    client: TestClient, wired_settings: Settings, twilio_api: FakeTwilioApi
) -> None:
    request_id = await a_taken_call(client, wired_settings)
    browser = await sign_in(client, LOT_REFERENT)

    response = await browser.post(
        f"/console/demandes/{request_id}/reponse-sms", {"body": "Le SSIAD vous appellera."}
    )

    assert response.status == 303
    [sent] = twilio_api.messages
    assert (sent["to"], sent["from"], sent["body"]) == (NURSE, LOT, "Le SSIAD vous appellera.")
    page = await (await browser.get(f"/console/demandes/{request_id}")).text()
    assert "Le SSIAD vous appellera." in page
    assert "réponse par SMS de amartin depuis le numéro du DAC" in page


async def test_an_sms_refused_by_the_provider_is_said_in_french_and_kept_as_failed(
    client: TestClient, wired_settings: Settings, twilio_api: FakeTwilioApi
) -> None:
    request_id = await a_taken_call(client, wired_settings)
    browser = await sign_in(client, LOT_REFERENT)
    twilio_api.fail_next(status=400, code=21610)

    response = await browser.post(
        f"/console/demandes/{request_id}/reponse-sms", {"body": "Le SSIAD vous appellera."}
    )

    assert "erreur=" in response.headers["Location"]
    page = await (await browser.get(response.headers["Location"])).text()
    assert "l&#39;opérateur a refusé le SMS" in page


async def test_the_referent_calls_back_from_the_dacs_number_then_closes_the_callback(
    client: TestClient, wired_settings: Settings, twilio_api: FakeTwilioApi
) -> None:
    voicemail = await a_voicemail(client, wired_settings)
    browser = await sign_in(client, LOT_REFERENT)

    called = await browser.post(f"/console/demandes/{voicemail.id}/rappel")
    closed = await browser.post(
        f"/console/demandes/{voicemail.id}/rappel/cloture", {"outcome": "reached"}
    )

    assert called.headers["Location"].endswith("?rappel=lance")
    [call] = twilio_api.calls
    assert (call["to"], call["from"]) == ("+33612000001", LOT)  # amartin's phone, DAC's number
    assert closed.status == 303
    page = await (await browser.get(f"/console/demandes/{voicemail.id}")).text()
    assert "rappel lancé par amartin depuis le numéro du DAC" in page
    assert "rappel clos par amartin : personne jointe" in page
    assert "Rappeler depuis le numéro du DAC" not in page
