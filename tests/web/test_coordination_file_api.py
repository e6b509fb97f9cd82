"""An integrator hands a request to the region's coordination file through the API, as a
referent does from the console: the same action (frontdoor.actions.coordination_file), so a
real FHIR server (tests/fhir_server) stores what validates as FHIR R4, the request keeps the
id it was given, the access journal and the timeline say so, and a person who opposed
sharing is not handed over. A reading token, or another department, cannot hand it over."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.servicerequest import ServiceRequest

from frontdoor.departments import Departments
from frontdoor.settings import Settings
from tests.console.conftest import LOT_REFERENT, create_accounts, sign_in
from tests.console.handing_over import an_sms_request, everything_stored, handing_to, her_file, read
from tests.console.requests_made import audit_rows, the_request
from tests.console.tokens import new_token
from tests.web.api_keys import LOT_KEY, MOSELLE_KEY

# The identifier system the region assigned the DAC du Lot for its request numbers.
LOT_SYSTEM = "urn:oid:1.2.250.1.999.46.1"


@pytest.fixture
async def app_settings(wired_settings: Settings) -> Settings:
    await create_accounts(wired_settings)
    return wired_settings


@pytest.fixture
def app_departments(departments: Departments, fhir_base: str) -> Departments:
    return handing_to(departments, fhir_base, identifier_system=LOT_SYSTEM)


async def a_request_about_her(client: TestClient, settings: Settings, *, sharing: str) -> int:
    browser = await sign_in(client, LOT_REFERENT)
    request_id = await an_sms_request(client, settings, browser)
    await her_file(client, settings, browser, request_id, sharing=sharing)
    return request_id


async def test_a_request_handed_over_through_the_api_is_stored_by_the_fhir_server(
    client: TestClient, wired_settings: Settings, fhir_base: str
) -> None:
    request_id = await a_request_about_her(client, wired_settings, sharing="not_opposed")

    response = await client.post(f"/api/requests/{request_id}/coordination-file", headers=LOT_KEY)

    assert response.status == 200, await response.text()
    body = await response.json()
    file_id = body["coordination_file_id"]
    assert file_id.startswith("ServiceRequest/")
    assert body["coordination_file_at"] is not None
    assert "coordination-file" in [event["kind"] for event in body["events"]]
    found = await the_request(wired_settings, request_id)
    assert found.coordination_file_id == file_id
    journal = await audit_rows(wired_settings)
    assert ("clé:amartin", request_id, "hand_to_coordination_file") in journal
    service_request = ServiceRequest.model_validate(await read(fhir_base, file_id))
    assert [(i.system, i.value) for i in service_request.identifier] == [
        ("urn:ietf:rfc:3986", f"urn:uuid:{found.coordination_file_key}"),
        (LOT_SYSTEM, str(request_id)),
    ]
    patient = Patient.model_validate(await read(fhir_base, service_request.subject.reference))
    assert (patient.name[0].family, patient.name[0].given) == ("Témoin", ["Ginette"])
    again = await client.post(f"/api/requests/{request_id}/coordination-file", headers=LOT_KEY)
    assert again.status == 409
    assert (await again.json())["code"] == "already-handed"


async def test_a_person_who_opposed_sharing_is_not_handed_over_through_the_api(
    client: TestClient, wired_settings: Settings, fhir_base: str
) -> None:
    request_id = await a_request_about_her(client, wired_settings, sharing="opposed")
    before = await everything_stored(fhir_base)

    response = await client.post(f"/api/requests/{request_id}/coordination-file", headers=LOT_KEY)

    assert response.status == 409
    body = await response.json()
    assert body["code"] == "sharing-opposed"
    assert body["error"].startswith("la personne s'oppose")
    assert (await the_request(wired_settings, request_id)).coordination_file_id is None
    assert await everything_stored(fhir_base) == before
    journal = await audit_rows(wired_settings)
    assert ("clé:amartin", request_id, "hand_to_coordination_file") in journal


async def test_another_department_gets_a_404_and_a_reading_token_a_403(
    client: TestClient, wired_settings: Settings, fhir_base: str
) -> None:
    request_id = await a_request_about_her(client, wired_settings, sharing="not_opposed")
    reader = await new_token(await sign_in(client, LOT_REFERENT), "requests:read")
    url = f"/api/requests/{request_id}/coordination-file"

    other = await client.post(url, headers=MOSELLE_KEY)
    read_only = await client.post(url, headers={"Authorization": f"Bearer {reader}"})

    assert (other.status, read_only.status) == (404, 403)
    assert (await the_request(wired_settings, request_id)).coordination_file_id is None
