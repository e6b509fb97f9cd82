"""The JSON API: a referent reads a request's reasons and corrects its referrer type."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from frontdoor.phone import Answer, ScriptedPerson
from frontdoor.settings import Settings
from tests.console.repeats_made import a_request, stored_in_order
from tests.web.api_keys import LOT_KEY, MOSELLE_KEY
from tests.web.calls import AMARTIN, LOT, TUESDAY_MORNING, place_call, stored


async def a_taken_call(client: TestClient, settings: Settings) -> int:
    person = ScriptedPerson(["1", "1"], referents={AMARTIN: Answer(presses="1")})
    await place_call(client, at=TUESDAY_MORNING, to=LOT, person=person)
    [request], _ = await stored(settings)
    assert request.id is not None
    return request.id


async def test_a_request_shows_its_events_and_the_reasons_of_each_decision(
    client: TestClient, settings: Settings
) -> None:
    request_id = await a_taken_call(client, settings)

    response = await client.get(f"/api/requests/{request_id}", headers=LOT_KEY)

    assert response.status == 200
    body = await response.json()
    assert body["outcome"] == "taken"
    assert body["taken_by"] == "amartin"
    assert body["events"][0]["kind"] == "incoming"
    assert body["events"][0]["reasons"][0]["text"] == "ouvert : mardi 08:30–18:30"


async def test_a_referent_corrects_the_referrer_type_and_the_correction_is_traced(
    client: TestClient, settings: Settings
) -> None:
    request_id = await a_taken_call(client, settings)

    response = await client.patch(
        f"/api/requests/{request_id}", json={"referrer_type": "specialist"}, headers=LOT_KEY
    )

    assert response.status == 200
    body = await response.json()
    assert body["referrer_type"] == "specialist"
    assert body["referrer_source"] == "referent"
    correction = body["events"][-1]
    assert correction["kind"] == "referrer-corrected"
    assert correction["referent_id"] == "amartin"
    assert correction["reasons"][0]["text"] == (
        "type d'adresseur précisé par amartin : Médecin, à préciser → Médecin spécialiste"
    )


async def test_another_departments_key_does_not_see_the_request(
    client: TestClient, settings: Settings
) -> None:
    request_id = await a_taken_call(client, settings)

    read = await client.get(f"/api/requests/{request_id}", headers=MOSELLE_KEY)
    write = await client.patch(
        f"/api/requests/{request_id}", json={"referrer_type": "nurse"}, headers=MOSELLE_KEY
    )

    assert read.status == write.status == 404
    [request], _ = await stored(settings)
    assert request.referrer_type == "doctor_to_confirm"


async def test_without_a_valid_key_nothing_is_shown(client: TestClient, settings: Settings) -> None:
    request_id = await a_taken_call(client, settings)

    missing = await client.get(f"/api/requests/{request_id}")
    wrong = await client.get(
        f"/api/requests/{request_id}", headers={"Authorization": "Bearer guess"}
    )

    assert missing.status == wrong.status == 401


async def test_an_unknown_referrer_type_is_refused_with_the_list_of_known_ones(
    client: TestClient, settings: Settings
) -> None:
    request_id = await a_taken_call(client, settings)

    response = await client.patch(
        f"/api/requests/{request_id}", json={"referrer_type": "plumber"}, headers=LOT_KEY
    )

    assert response.status == 422
    assert "social_worker" in await response.text()


async def test_a_voicemail_is_said_to_exist_and_its_provider_url_is_never_shown(
    client: TestClient, settings: Settings
) -> None:
    person = ScriptedPerson(["1", "5"], referents={}, message="Rappelez-moi pour Mme X.")
    await place_call(client, at=TUESDAY_MORNING, to=LOT, person=person)
    [request], _ = await stored(settings)
    assert request.recording_url is not None

    response = await client.get(f"/api/requests/{request.id}", headers=LOT_KEY)

    text = await response.text()
    body = await response.json()
    assert body["has_recording"] is True
    assert "recording_url" not in body
    assert request.recording_url not in text
    assert "Recordings/" not in text


async def test_responses_are_recorded_read_and_removed_through_the_api(
    client: TestClient, settings: Settings
) -> None:
    request_id = await a_taken_call(client, settings)
    path = f"/api/requests/{request_id}/responses"

    first = await client.post(path, json={"kind": "information"}, headers=LOT_KEY)
    second = await client.post(path, json={"kind": "out_of_scope"}, headers=LOT_KEY)
    refused = await client.post(path, json={"kind": "planning", "resource_id": 3}, headers=LOT_KEY)

    assert (first.status, second.status, refused.status) == (201, 201, 422)
    assert "ne nomme pas de ressource" in await refused.text()
    body = await (await client.get(f"/api/requests/{request_id}", headers=LOT_KEY)).json()
    assert body["response_kinds"] == ["information", "out_of_scope"]
    assert [(r["kind"], r["by"]) for r in body["responses"]] == [
        ("information", "clé:amartin"), ("out_of_scope", "clé:amartin"),
    ]  # fmt: skip
    assert body["events"][-1]["reasons"][0]["text"] == (
        "réponse ajoutée par amartin : Hors champ, réorientation"
    )

    first_id = body["responses"][0]["id"]
    removed = await client.delete(f"{path}/{first_id}", headers=LOT_KEY)
    again = await client.delete(f"{path}/{first_id}", headers=LOT_KEY)
    other = await client.post(path, json={"kind": "information"}, headers=MOSELLE_KEY)

    assert (removed.status, again.status, other.status) == (200, 404, 404)
    assert (await removed.json())["response_kinds"] == ["out_of_scope"]


async def test_a_request_is_marked_a_repeat_and_cleared_through_the_api(
    client: TestClient, settings: Settings
) -> None:
    earlier, moselles, today = await stored_in_order(
        settings, a_request(3), a_request(2, department="dac57"), a_request(0)
    )
    path = f"/api/requests/{today}/repeat-of"

    marked = await client.put(path, json={"repeat_of": earlier}, headers=LOT_KEY)
    other_department = await client.put(path, json={"repeat_of": moselles}, headers=LOT_KEY)
    backwards = await client.put(
        f"/api/requests/{earlier}/repeat-of", json={"repeat_of": today}, headers=LOT_KEY
    )
    not_a_number = await client.put(path, json={"repeat_of": "douze"}, headers=LOT_KEY)
    not_the_object = await client.put(path, json={"repeat": earlier}, headers=LOT_KEY)
    not_theirs = await client.put(path, json={"repeat_of": earlier}, headers=MOSELLE_KEY)

    assert marked.status == 200
    body = await marked.json()
    assert body["repeat_of"] == earlier
    assert body["events"][-1]["reasons"][0]["text"] == (
        f"marquée par amartin comme répétition de la demande n°{earlier} "
        "(comptée une seule fois comme sollicitation)"
    )
    assert (other_department.status, backwards.status) == (400, 400)
    assert await other_department.text() == "demande répétée introuvable dans ce département"
    assert "reçue avant elle" in await backwards.text()
    assert (not_a_number.status, not_the_object.status, not_theirs.status) == (400, 400, 404)

    cleared = await client.delete(path, headers=LOT_KEY)

    assert cleared.status == 200
    assert (await cleared.json())["repeat_of"] is None
    assert (await cleared.json())["events"][-1]["reasons"][0]["code"] == "repeat-cleared"
