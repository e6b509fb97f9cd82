"""Handing a request to the coordination file: the Bundle of a request about one person who
does not oppose sharing validates as FHIR R4 (fhir.resources), carries her traits, her INS
when known, her referrer and the exchanges; the request and its exchanges are identified by
the request's own key, never by its number alone; every other case is refused in French and
builds nothing; the id the server gave the request is read from its answer."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.communication import Communication
from fhir.resources.R4B.organization import Organization
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.practitioner import Practitioner
from fhir.resources.R4B.servicerequest import ServiceRequest

from frontdoor.core.coordination_file import (
    IDNPS_SYSTEM,
    INS_NIR_SYSTEM,
    PATIENT_INS_PROFILE,
    PATIENT_PROFILE,
    URI_SYSTEM,
    Exchange,
    HandedPerson,
    HandedRequest,
    Referrer,
    created_id,
    decide_hand_off,
)
from frontdoor.core.identity_status import (
    DOCUMENT_SYSTEM,
    RELIABILITY_EXTENSION,
    STATUS_SYSTEM,
    IdentityCheck,
    IdentityDocument,
)
from frontdoor.core.request_fields import NonOpposition, Stance

AT = datetime(2026, 5, 12, 8, 0, tzinfo=UTC)
KEY = UUID("6f1c1f0e-8a52-4c1e-9d3b-2f0a4e5b7c11")
REQUEST = HandedRequest(
    id=7, key=KEY, department="dac46", dac_name="DAC du Lot", received_at=AT, status="open",
    problems=("medical", "autonomy"),
)  # fmt: skip
QUALIFIED = IdentityCheck(
    document=IdentityDocument.ID_CARD, checked_on=date(2026, 5, 4), insi_on=date(2026, 5, 4)
)
GINETTE = HandedPerson(
    family_name="Témoin", given_names="Ginette Marie", birth_date=date(1941, 3, 2),
    sex="female", ins="241034604212367", identity=QUALIFIED, commune_name="Cahors",
    commune_insee="46042",
)  # fmt: skip
SHARING = NonOpposition.SUPPORT_AND_SHARING
NOT_OPPOSED = {SHARING: Stance.NOT_OPPOSED}
VIDAL = Referrer(name="Dr Paul Vidal", rpps="10001234567", profession="Médecin")
EXCHANGES = (
    Exchange(id=1, at=AT, channel="sms", direction="in", body="Ma mère ne peut plus rester seule."),
    Exchange(id=2, at=AT, channel="sms", direction="out", body="Nous vous rappelons demain."),
    Exchange(id=3, at=AT, channel="sms", direction="out", body="Bien reçu.", automatic=True),
    Exchange(id=4, at=AT, channel="mail", direction="in", body=None),  # erased: nothing to carry
)
MODELS = {
    "Patient": Patient,
    "Practitioner": Practitioner,
    "Organization": Organization,
    "ServiceRequest": ServiceRequest,
    "Communication": Communication,
}


def resources(bundle: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    by_type: dict[str, list[dict[str, Any]]] = {}
    for entry in bundle["entry"]:
        by_type.setdefault(entry["resource"]["resourceType"], []).append(entry["resource"])
    return by_type


def test_the_bundle_of_a_person_who_does_not_oppose_validates_as_fhir_r4() -> None:
    decision = decide_hand_off(
        request=REQUEST, persons=[(GINETTE, NOT_OPPOSED)], referrer=VIDAL, exchanges=EXCHANGES
    )

    assert decision.bundle is not None
    assert [r.code for r in decision.reasons] == ["sharing-not-opposed"]
    Bundle.model_validate(decision.bundle)
    for entry in decision.bundle["entry"]:
        MODELS[entry["resource"]["resourceType"]].model_validate(entry["resource"])
    assert decision.bundle["type"] == "transaction"
    assert {e["request"]["method"] for e in decision.bundle["entry"]} == {"POST"}
    found = resources(decision.bundle)
    assert sorted(found) == ["Communication", "Patient", "Practitioner", "ServiceRequest"]
    assert len(found["Communication"]) == 2


def test_her_traits_and_qualified_ins_follow_the_fr_core_patient_ins_profile() -> None:
    bundle = decide_hand_off(
        request=REQUEST, persons=[(GINETTE, NOT_OPPOSED)], referrer=VIDAL, exchanges=()
    ).bundle
    assert bundle is not None
    [patient] = resources(bundle)["Patient"]

    assert patient["meta"]["profile"] == [PATIENT_INS_PROFILE]
    assert patient["identifier"][0]["system"] == INS_NIR_SYSTEM
    assert patient["identifier"][0]["value"] == "241034604212367"
    [name] = patient["name"]
    assert (name["family"], name["given"]) == ("Témoin", ["Ginette", "Marie"])
    assert (patient["gender"], patient["birthDate"]) == ("female", "1941-03-02")
    assert patient["address"] == [{"country": "FR", "city": "Cahors", "district": "46042"}]
    [reliability] = patient["extension"]
    assert reliability["url"] == RELIABILITY_EXTENSION
    assert {part["url"]: part.get("valueCoding", part.get("valueDate")) for part in
            reliability["extension"]} == {
        "identityStatus": {"system": STATUS_SYSTEM, "code": "QUAL",
                           "display": "Identité qualifiée"},
        "validationDate": "2026-05-04",
        "validationMode": {"system": DOCUMENT_SYSTEM, "code": "CN",
                           "display": "Carte nationale d'identité"},
    }  # fmt: skip
    Patient.model_validate(patient)


@pytest.mark.parametrize(
    ("identity", "status"),
    [
        pytest.param(IdentityCheck(), "PROV", id="nothing-checked"),
        pytest.param(IdentityCheck(insi_on=date(2026, 5, 4)), "RECUP", id="insi-only"),
        pytest.param(
            IdentityCheck(document=IdentityDocument.PASSPORT, checked_on=date(2026, 5, 4)),
            "VALI", id="document-only",
        ),
    ],
)  # fmt: skip
def test_an_ins_whose_identity_is_not_qualified_is_not_her_identifier(
    identity: IdentityCheck, status: str
) -> None:
    unqualified = replace(GINETTE, identity=identity)
    bundle = decide_hand_off(
        request=REQUEST, persons=[(unqualified, NOT_OPPOSED)], referrer=None, exchanges=()
    ).bundle
    assert bundle is not None
    [patient] = resources(bundle)["Patient"]

    assert patient["meta"]["profile"] == [PATIENT_PROFILE]
    assert "identifier" not in patient
    assert "241034604212367" not in str(bundle)  # nowhere else either
    [reliability] = patient["extension"]
    assert reliability["extension"][0]["valueCoding"]["code"] == status
    Patient.model_validate(patient)


def test_without_ins_she_is_a_fr_core_patient_with_no_identifier() -> None:
    only_name = HandedPerson(family_name="Témoin")
    bundle = decide_hand_off(
        request=REQUEST, persons=[(only_name, NOT_OPPOSED)], referrer=None, exchanges=()
    ).bundle
    assert bundle is not None
    [patient] = resources(bundle)["Patient"]

    assert patient["meta"]["profile"] == [PATIENT_PROFILE]
    assert "identifier" not in patient
    Patient.model_validate(patient)


@pytest.mark.parametrize(
    ("referrer", "expected"),
    [
        pytest.param(VIDAL, ("Practitioner", "810001234567"), id="rpps-known-practitioner"),
        pytest.param(
            Referrer(name="SSIAD de Figeac"),
            ("Organization", "SSIAD de Figeac"),
            id="no-rpps-organization",
        ),  # fmt: skip
        pytest.param(None, ("Organization", "DAC du Lot"), id="nobody-named-the-dac"),
    ],
)
def test_the_requester_is_the_practitioner_by_rpps_else_an_organization(
    referrer: Referrer | None, expected: tuple[str, str]
) -> None:
    bundle = decide_hand_off(
        request=REQUEST, persons=[(GINETTE, NOT_OPPOSED)], referrer=referrer, exchanges=()
    ).bundle
    assert bundle is not None
    found = resources(bundle)
    [service_request] = found["ServiceRequest"]
    kind, value = expected
    [requester] = found[kind]
    if kind == "Practitioner":
        assert requester["identifier"][0]["system"] == IDNPS_SYSTEM
        assert requester["identifier"][0]["value"] == value
    else:
        assert requester["name"] == value
    assert service_request["requester"]["type"] == kind
    requester_url = next(e["fullUrl"] for e in bundle["entry"] if e["resource"] is requester)
    assert service_request["requester"]["reference"] == requester_url


def test_the_service_request_names_her_and_the_request_and_the_exchanges_point_to_it() -> None:
    bundle = decide_hand_off(
        request=REQUEST, persons=[(GINETTE, NOT_OPPOSED)], referrer=VIDAL, exchanges=EXCHANGES
    ).bundle
    assert bundle is not None
    urls = {e["resource"]["resourceType"]: e["fullUrl"] for e in bundle["entry"]}
    found = resources(bundle)
    [service_request] = found["ServiceRequest"]

    assert service_request["subject"]["reference"] == urls["Patient"]
    [identifier] = service_request["identifier"]
    assert (identifier["system"], identifier["value"]) == (URI_SYSTEM, f"urn:uuid:{KEY}")
    assert [r["text"] for r in service_request["reasonCode"]] == [
        "Médicale, soins", "Perte d'autonomie, handicap",
    ]  # fmt: skip
    assert [c["payload"][0]["contentString"] for c in found["Communication"]] == [
        "Ma mère ne peut plus rester seule.", "Nous vous rappelons demain.",
    ]  # fmt: skip
    assert [c["topic"]["text"] for c in found["Communication"]] == ["SMS reçu", "SMS envoyé"]
    for sent in found["Communication"]:
        assert sent["basedOn"][0]["reference"] == urls["ServiceRequest"]
        assert sent["subject"]["reference"] == urls["Patient"]


def test_what_has_an_identifier_is_created_only_if_the_file_does_not_hold_it_yet() -> None:
    bundle = decide_hand_off(
        request=REQUEST, persons=[(GINETTE, NOT_OPPOSED)], referrer=VIDAL, exchanges=EXCHANGES
    ).bundle
    assert bundle is not None

    conditions = [
        (e["resource"]["resourceType"], e["request"].get("ifNoneExist")) for e in bundle["entry"]
    ]
    messages = [c["identifier"][0]["value"] for c in resources(bundle)["Communication"]]
    assert conditions == [
        ("Patient", f"identifier={INS_NIR_SYSTEM}|241034604212367"),
        ("Practitioner", f"identifier={IDNPS_SYSTEM}|810001234567"),
        ("ServiceRequest", f"identifier={URI_SYSTEM}|urn:uuid:{KEY}"),
        ("Communication", f"identifier={URI_SYSTEM}|{messages[0]}"),
        ("Communication", f"identifier={URI_SYSTEM}|{messages[1]}"),
    ]
    assert len({*messages, f"urn:uuid:{KEY}"}) == 3
    # A server replaces every full URL in the Bundle by what it created: none is an identifier.
    assert {e["fullUrl"] for e in bundle["entry"]}.isdisjoint({*messages, f"urn:uuid:{KEY}"})


def test_a_person_without_ins_is_always_created() -> None:
    bundle = decide_hand_off(
        request=REQUEST, persons=[(HandedPerson(family_name="Témoin"), NOT_OPPOSED)],
        referrer=None, exchanges=(),
    ).bundle  # fmt: skip
    assert bundle is not None

    [patient] = [e for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"]
    assert "ifNoneExist" not in patient["request"]


def test_the_same_request_gives_the_same_bundle() -> None:
    def made() -> dict[str, Any] | None:
        return decide_hand_off(
            request=REQUEST, persons=[(GINETTE, NOT_OPPOSED)], referrer=VIDAL, exchanges=EXCHANGES
        ).bundle

    assert made() == made()


def test_the_same_number_handed_from_another_installation_is_another_request() -> None:
    """Request n°7 of the Lot, from a staging, a restored or a recreated database: another
    key, so no identifier in common with the first for the file to match it to."""

    def identifiers(request: HandedRequest) -> set[str]:
        bundle = decide_hand_off(
            request=request, persons=[(GINETTE, NOT_OPPOSED)], referrer=VIDAL,
            exchanges=EXCHANGES,
        ).bundle  # fmt: skip
        assert bundle is not None
        return {
            e["request"]["ifNoneExist"] for e in bundle["entry"]
            if e["resource"]["resourceType"] in ("ServiceRequest", "Communication")
        }  # fmt: skip

    elsewhere = replace(REQUEST, key=UUID("0b7e42d9-3c55-4f0a-8e61-9a2d5c3f1b08"))

    assert len(identifiers(REQUEST)) == len(identifiers(elsewhere)) == 3
    assert identifiers(REQUEST).isdisjoint(identifiers(elsewhere))


def test_its_number_goes_along_under_the_system_the_region_assigned() -> None:
    numbered = replace(REQUEST, number_system="urn:oid:1.2.250.1.999.46.1")
    bundle = decide_hand_off(
        request=numbered, persons=[(GINETTE, NOT_OPPOSED)], referrer=VIDAL, exchanges=()
    ).bundle
    assert bundle is not None
    [service_request] = resources(bundle)["ServiceRequest"]

    assert service_request["identifier"] == [
        {"system": URI_SYSTEM, "value": f"urn:uuid:{KEY}"},
        {"system": "urn:oid:1.2.250.1.999.46.1", "value": "7"},
    ]
    [entry] = [e for e in bundle["entry"] if e["resource"] is service_request]
    assert entry["request"]["ifNoneExist"] == f"identifier={URI_SYSTEM}|urn:uuid:{KEY}"
    ServiceRequest.model_validate(service_request)


@pytest.mark.parametrize(
    ("request_", "persons", "code", "words"),
    [
        pytest.param(REQUEST, [(GINETTE, {SHARING: Stance.OPPOSED})], "sharing-opposed",
                     "la personne s'oppose", id="she-opposed-sharing"),
        pytest.param(REQUEST, [(GINETTE, {})], "sharing-not-asked",
                     "non-opposition au partage non recueillie", id="never-asked"),
        pytest.param(REQUEST, [], "no-person", "aucune personne concernée", id="no-person"),
        pytest.param(REQUEST, [(GINETTE, NOT_OPPOSED), (GINETTE, NOT_OPPOSED)],
                     "several-persons", "plusieurs personnes", id="several-persons"),
        pytest.param(
            HandedRequest(id=7, key=KEY, department="dac46", dac_name="DAC du Lot", received_at=AT,
                          status="open", already_handed="ServiceRequest/12"),
            [(GINETTE, NOT_OPPOSED)], "already-handed", "déjà transmise",
            id="already-handed-over",
        ),
    ],
)  # fmt: skip
def test_nothing_is_built_when_the_request_may_not_go(
    request_: HandedRequest,
    persons: list[tuple[HandedPerson, dict[NonOpposition, Stance]]],
    code: str,
    words: str,
) -> None:
    decision = decide_hand_off(
        request=request_, persons=persons, referrer=VIDAL, exchanges=EXCHANGES
    )

    assert decision.bundle is None
    [reason] = decision.reasons
    assert reason.code == code
    assert words in reason.text


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        pytest.param("ServiceRequest/abc", "ServiceRequest/abc", id="relative"),
        pytest.param("https://fhir.example.fr/r4/ServiceRequest/12/_history/3",
                     "ServiceRequest/12", id="absolute-with-version"),
        pytest.param("Patient/1", None, id="no-service-request"),
    ],
)  # fmt: skip
def test_the_file_id_is_read_from_the_transaction_response(
    location: str, expected: str | None
) -> None:
    answer = {
        "resourceType": "Bundle",
        "type": "transaction-response",
        "entry": [
            {"response": {"status": "201", "location": "Patient/1"}},
            {"response": {"status": "201", "location": location}},
        ],
    }

    assert created_id(answer) == expected


def test_an_answer_that_is_not_a_bundle_holds_no_id() -> None:
    assert created_id({"resourceType": "OperationOutcome", "issue": []}) is None
