"""A referent hands a request to the region's coordination file: a real FHIR server (Medplum's
router, tests/fhir_server) stores the person, her referrer, the request and its exchanges,
each of which validates as FHIR R4 (fhir.resources, since the server itself does not
validate); the id it gave shows on the request's page. A person who opposed sharing is not
handed over, and nothing reaches the server; a server that cannot be reached or refuses the
Bundle loses nothing, and a hand-off tried again after a lost answer duplicates nothing.
Two installations of the same department (a production and its staging, a database
recreated) hand their request n°1 to the same server: two ServiceRequests, each about its
own person. So every test shares one server, whatever earlier tests handed it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from fhir.resources.R4B.communication import Communication
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.practitioner import Practitioner
from fhir.resources.R4B.servicerequest import ServiceRequest

from frontdoor.departments import Departments
from frontdoor.settings import Settings
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.models import Request, RequestEvent
from frontdoor.web.app import create_app
from tests.console.conftest import LOT_REFERENT, Browser, create_accounts, sign_in
from tests.console.handing_over import (
    an_sms_request,
    everything_stored,
    handing_to,
    her_file,
    read,
)
from tests.console.requests_made import audit_rows, page_of, rows, the_request


@pytest.fixture
def coordination_base(request: pytest.FixtureRequest, fhir_base: str) -> str:
    """The server's base URL; a test may name another (a URL), or a path under it."""
    chosen = getattr(request, "param", "")
    return chosen if chosen.startswith("http") else fhir_base + chosen


@pytest.fixture
def app_departments(departments: Departments, coordination_base: str) -> Departments:
    """The Lot hands its requests to the coordination file at `coordination_base`."""
    return handing_to(departments, coordination_base)


async def hand_over(browser: Browser, request_id: int) -> str:
    """Hands the request over; the page it lands on."""
    response = await browser.post(f"/console/demandes/{request_id}/dossier-de-coordination")
    assert response.status == 303
    return await page_of(browser, response.headers["Location"])


async def test_a_request_handed_over_is_stored_by_the_fhir_server_and_validates(
    client: TestClient, wired_settings: Settings, fhir_base: str
) -> None:
    browser = await sign_in(client, LOT_REFERENT)
    request_id = await an_sms_request(client, wired_settings, browser)
    await her_file(client, wired_settings, browser, request_id, sharing="not_opposed")

    page = await hand_over(browser, request_id)

    found = await the_request(wired_settings, request_id)
    assert found.coordination_file_id is not None
    assert found.coordination_file_id.startswith("ServiceRequest/")
    assert f"<dt>Dossier de coordination</dt><dd>{found.coordination_file_id}</dd>" in page
    assert "Transmettre au dossier de coordination" not in page  # once is enough
    assert "Transmise au dossier de coordination" in page  # the timeline says so
    journal = await audit_rows(wired_settings)
    assert (LOT_REFERENT.login, request_id, "hand_to_coordination_file") in journal
    # What the server stored, read back and validated as FHIR R4.
    service_request = ServiceRequest.model_validate(
        await read(fhir_base, found.coordination_file_id)
    )
    [identifier] = service_request.identifier  # its key: no number without the region's system
    assert identifier.value == f"urn:uuid:{found.coordination_file_key}"
    assert service_request.subject.reference.startswith("Patient/")
    patient = Patient.model_validate(await read(fhir_base, service_request.subject.reference))
    assert patient.identifier[0].value == "241034604212367"
    assert (patient.name[0].family, patient.name[0].given) == ("Témoin", ["Ginette"])
    assert str(patient.birthDate) == "1941-03-02"
    assert service_request.requester.reference.startswith("Practitioner/")
    practitioner = Practitioner.model_validate(
        await read(fhir_base, service_request.requester.reference)
    )
    assert practitioner.identifier[0].value == "810001234567"
    exchanges = await read(fhir_base, f"Communication?based-on={found.coordination_file_id}")
    communications = [
        Communication.model_validate(entry["resource"]) for entry in exchanges["entry"]
    ]
    assert sorted(c.payload[0].contentString for c in communications) == [
        "Mme Témoin ne peut plus rester seule.", "Nous passons demain.",
    ]  # fmt: skip
    assert {c.subject.reference for c in communications} == {service_request.subject.reference}


async def test_a_person_who_opposed_sharing_is_not_handed_over_and_nothing_is_sent(
    client: TestClient, wired_settings: Settings, fhir_base: str
) -> None:
    browser = await sign_in(client, LOT_REFERENT)
    request_id = await an_sms_request(client, wired_settings, browser)
    await her_file(client, wired_settings, browser, request_id, sharing="opposed")
    before = await everything_stored(fhir_base)

    page = await hand_over(browser, request_id)

    assert "la personne s&#39;oppose" in page
    assert (await the_request(wired_settings, request_id)).coordination_file_id is None
    assert await everything_stored(fhir_base) == before
    refused = [e for e in await rows(wired_settings, RequestEvent)
               if e.kind == "coordination-file-refused"]  # fmt: skip
    assert [r["code"] for r in refused[0].reasons] == ["sharing-opposed"]


async def test_a_hand_off_whose_answer_was_lost_gives_back_the_same_file_when_tried_again(
    client: TestClient, wired_settings: Settings, fhir_base: str
) -> None:
    browser = await sign_in(client, LOT_REFERENT)
    request_id = await an_sms_request(client, wired_settings, browser)
    await her_file(client, wired_settings, browser, request_id, sharing="not_opposed")
    await hand_over(browser, request_id)
    first = await the_request(wired_settings, request_id)
    stored = await everything_stored(fhir_base)
    # The file took it, but its answer never reached Frontdoor (a timeout on the way back).
    engine = create_engine(wired_settings.database_url)
    async with session_maker(engine)() as session:
        lost = await session.get(Request, request_id)
        assert lost is not None
        lost.coordination_file_id = None
        session.add(lost)
        await session.commit()
    await engine.dispose()

    page = await hand_over(browser, request_id)

    again = await the_request(wired_settings, request_id)
    assert again.coordination_file_id == first.coordination_file_id
    assert f"<dd>{first.coordination_file_id}</dd>" in page
    assert await everything_stored(fhir_base) == stored  # her, her GP, the request, the SMS


@pytest.mark.parametrize(
    ("coordination_base", "said"),
    [
        pytest.param("http://127.0.0.1:9", "le dossier de coordination n&#39;a pas pu recevoir "
                     "la demande ; rien n&#39;a été perdu", id="out-of-reach"),
        # A base URL that names a resource type: the server refuses a Bundle there.
        pytest.param("/Patient", "le dossier de coordination a refusé la demande (HTTP 400) ; "
                     "rien n&#39;a été perdu", id="refused-by-the-server"),
    ],
    indirect=["coordination_base"],
)  # fmt: skip
async def test_a_hand_off_that_does_not_go_through_is_said_in_french_and_loses_nothing(
    client: TestClient, wired_settings: Settings, said: str
) -> None:
    browser = await sign_in(client, LOT_REFERENT)
    request_id = await an_sms_request(client, wired_settings, browser)
    await her_file(client, wired_settings, browser, request_id, sharing="not_opposed")

    page = await hand_over(browser, request_id)

    assert said in page
    assert (await the_request(wired_settings, request_id)).coordination_file_id is None
    assert "Transmettre au dossier de coordination" in page  # to try again


async def test_her_ins_is_not_sent_while_her_identity_is_not_qualified(
    client: TestClient, wired_settings: Settings, coordination_base: str
) -> None:
    browser = await sign_in(client, LOT_REFERENT)
    request_id = await an_sms_request(client, wired_settings, browser)
    await her_file(client, wired_settings, browser, request_id, sharing="not_opposed",
                   qualified=False)  # fmt: skip

    await hand_over(browser, request_id)

    found = await the_request(wired_settings, request_id)
    assert found.coordination_file_id is not None
    service_request = ServiceRequest.model_validate(
        await read(coordination_base, found.coordination_file_id)
    )
    stored = await read(coordination_base, service_request.subject.reference)
    patient = Patient.model_validate(stored)
    assert patient.identifier is None
    assert "241034604212367" not in str(stored)
    [reliability] = stored["extension"]
    assert reliability["extension"][0]["valueCoding"]["code"] == "PROV"


@pytest.fixture
async def staging(
    aiohttp_client: Any,
    wired_settings: Settings,
    app_departments: Departments,
    other_database_url: str,
    tmp_path: Path,
) -> tuple[TestClient, Settings]:
    """A second installation of the Lot (its staging), on a database of its own and handing
    its requests to the same coordination file."""
    settings = wired_settings.model_copy(
        update={
            "database_url": other_database_url,
            "journal_dir": tmp_path / "staging" / "journal",
            "recordings_dir": tmp_path / "staging" / "recordings",
            "mail_attachments_dir": tmp_path / "staging" / "attachments",
        }
    )
    await create_accounts(settings)
    return await aiohttp_client(TestServer(create_app(settings, app_departments))), settings


async def test_two_installations_hand_their_request_n1_as_two_requests_about_their_own_person(
    client: TestClient, wired_settings: Settings, fhir_base: str,
    staging: tuple[TestClient, Settings],
) -> None:  # fmt: skip
    staging_client, staging_settings = staging
    production = await sign_in(client, LOT_REFERENT)
    first = await an_sms_request(client, wired_settings, production)
    await her_file(client, wired_settings, production, first, sharing="not_opposed")
    # The staging's request n°1: another person (her identity not qualified, so no INS by
    # which the file would rightly find her again).
    tester = await sign_in(staging_client, LOT_REFERENT)
    second = await an_sms_request(staging_client, staging_settings, tester)
    await her_file(staging_client, staging_settings, tester, second, sharing="not_opposed",
                   qualified=False)  # fmt: skip
    assert first == second == 1

    await hand_over(production, first)
    await hand_over(tester, second)

    handed = await the_request(wired_settings, first)
    staged = await the_request(staging_settings, second)
    assert handed.coordination_file_id is not None
    assert staged.coordination_file_id is not None
    assert staged.coordination_file_id != handed.coordination_file_id
    ours = ServiceRequest.model_validate(await read(fhir_base, handed.coordination_file_id))
    theirs = ServiceRequest.model_validate(await read(fhir_base, staged.coordination_file_id))
    assert ours.subject.reference != theirs.subject.reference
    assert "identifier" in await read(fhir_base, ours.subject.reference)  # her INS
    assert "identifier" not in await read(fhir_base, theirs.subject.reference)
    for found in (handed, staged):  # each request's exchanges are its own
        exchanges = await read(fhir_base, f"Communication?based-on={found.coordination_file_id}")
        assert len(exchanges["entry"]) == 2
