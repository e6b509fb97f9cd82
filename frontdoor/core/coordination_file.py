"""Handing a request to the region's coordination file (e-parcours) as FHIR R4: whether it
may go, and the transaction Bundle that carries it.

The Bundle holds the person the request is about (Patient, FR Core profile, with how far
her identity can be trusted; the INS profile and identifier only when her identity is
qualified, core.identity_status), who referred her (a Practitioner with its
national identifier when the RPPS number is known, else an Organization: the referring
structure, or the DAC itself when nobody is named), the request (ServiceRequest) and its
exchanges (one Communication per SMS or mail with a text, automatic acknowledgements left
out). Entries refer to each other by
`urn:uuid:` full URLs derived from the request, so the same request gives the same Bundle.
Every resource with an identifier is a conditional create (`ifNoneExist` on it): the same
person, professional or DAC handed over again is found, not duplicated, and a hand-off
tried again after its answer was lost gives back the request the file already holds.

The request and its exchanges are identified by the request's key (a random UUID drawn at
its first hand-off, `HandedRequest.key`), never by its number alone: another installation
of the same department, a restored or recreated database (whose numbers start again) hands
a different request under a different identifier, so the file never matches it to a
request it already holds. The number goes along under the identifier system the region
assigned the DAC, when the department file names one (`number_system`).

Plain functions of plain values: the action gathers them from the store, the outbound
adapter posts the Bundle, the tests validate it with `fhir.resources`.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from frontdoor.core.consents import may_hand_off
from frontdoor.core.identity_status import (
    IdentityCheck,
    IdentityStatus,
    identity_status,
    reliability_extension,
)
from frontdoor.core.reasons import Reason
from frontdoor.core.request_fields import PROBLEMS, NonOpposition, Problem, Stance

# FR Core (Interop'Santé), https://hl7.fr/ig/fhir/core: profiles and identifier types.
FR_CORE = "https://hl7.fr/ig/fhir/core"
PATIENT_PROFILE = f"{FR_CORE}/StructureDefinition/fr-core-patient"
PATIENT_INS_PROFILE = f"{FR_CORE}/StructureDefinition/fr-core-patient-ins"
PRACTITIONER_PROFILE = f"{FR_CORE}/StructureDefinition/fr-core-practitioner"
ORGANIZATION_PROFILE = f"{FR_CORE}/StructureDefinition/fr-core-organization"
IDENTIFIER_TYPES = f"{FR_CORE}/CodeSystem/fr-core-cs-v2-0203"
# The INS matricule (NIR), and the national identifier of a health professional (IDNPS:
# "8" followed by the RPPS number).
INS_NIR_SYSTEM = "urn:oid:1.2.250.1.213.1.4.8"
IDNPS_SYSTEM = "urn:oid:1.2.250.1.71.4.2.1"
# Frontdoor's own identifiers: a request and its messages by UUID (RFC 3986 URIs, as FHIR
# advises for values unique without a namespace), and the DAC itself by its department.
URI_SYSTEM = "urn:ietf:rfc:3986"
DAC_IDENTIFIER = "urn:frontdoor:dac"

HANDED_OFF_EVENT = "coordination-file"

SEXES = {"female": "female", "male": "male", "unknown": "unknown"}
CHANNELS = {"sms": "SMS", "mail": "messagerie sécurisée"}
DIRECTIONS = {"in": "reçu", "out": "envoyé"}


@dataclass(kw_only=True, frozen=True)
class HandedPerson:
    """The person the request is about: the traits her file holds."""

    family_name: str | None = None
    given_names: str | None = None
    birth_date: date | None = None
    sex: str | None = None
    ins: str | None = None
    identity: IdentityCheck = IdentityCheck()  # what was checked of her identity
    commune_name: str | None = None
    commune_insee: str | None = None


@dataclass(kw_only=True, frozen=True)
class Referrer:
    """Who referred her: a known professional (with RPPS number when known) or structure."""

    name: str
    rpps: str | None = None
    profession: str | None = None


@dataclass(kw_only=True, frozen=True)
class Exchange:
    """An SMS or mail of the request."""

    id: int
    at: datetime
    channel: str  # "sms", "mail"
    direction: str  # "in", "out"
    body: str | None
    automatic: bool = False  # an acknowledgement Frontdoor sent by itself: not an exchange


@dataclass(kw_only=True, frozen=True)
class HandedRequest:
    id: int
    key: uuid.UUID  # its key in the coordination file, drawn at its first hand-off
    department: str
    dac_name: str  # the department's name: the DAC that hands the request over
    received_at: datetime
    status: str
    problems: tuple[str, ...] = ()
    already_handed: str | None = None  # the file's id, when handed over before
    # The identifier system the region assigned the DAC for its request numbers, if any.
    number_system: str | None = None


@dataclass(kw_only=True, frozen=True)
class HandOffDecision:
    """The Bundle to send, or why nothing is sent."""

    bundle: dict[str, Any] | None
    reasons: tuple[Reason, ...]


def _refused(code: str, text: str) -> HandOffDecision:
    return HandOffDecision(bundle=None, reasons=(Reason(code=code, text=text),))


def decide_hand_off(
    *,
    request: HandedRequest,
    persons: Sequence[tuple[HandedPerson, Mapping[NonOpposition, Stance]]],
    referrer: Referrer | None,
    exchanges: Sequence[Exchange],
) -> HandOffDecision:
    """The Bundle for a request about one person who does not oppose sharing, or the reason
    (in French, for the referent) it cannot go: no person, several, her opposition or her
    stance never asked, or already handed over."""
    if request.already_handed:
        return _refused(
            "already-handed",
            f"demande déjà transmise au dossier de coordination ({request.already_handed})",
        )
    if not persons:
        return _refused(
            "no-person",
            "aucune personne concernée : rattacher la demande à la fiche de la personne "
            "avant de la transmettre",
        )
    if len(persons) > 1:
        return _refused(
            "several-persons",
            "la demande concerne plusieurs personnes : une transmission porte sur une seule",
        )
    person, stances = persons[0]
    rule = may_hand_off(stances)
    if not rule.allowed:
        return HandOffDecision(bundle=None, reasons=rule.reasons)
    bundle = transaction_bundle(
        request=request, person=person, referrer=referrer, exchanges=exchanges
    )
    return HandOffDecision(bundle=bundle, reasons=rule.reasons)


def _full_url(request: HandedRequest, part: str) -> str:
    """An entry's full URL: never one of the identifiers (a server replaces every full URL
    it finds in the Bundle by the reference of the resource it created)."""
    return f"urn:uuid:{uuid.uuid5(request.key, f'entry:{part}')}"


def request_identifier(request: HandedRequest) -> dict[str, str]:
    """What identifies the request in the file, wherever it was handed from."""
    return {"system": URI_SYSTEM, "value": f"urn:uuid:{request.key}"}


def message_identifier(request: HandedRequest, exchange_id: int) -> dict[str, str]:
    """What identifies one of its exchanges: derived from the request's key."""
    return {
        "system": URI_SYSTEM,
        "value": f"urn:uuid:{uuid.uuid5(request.key, f'message:{exchange_id}')}",
    }


def _entry(full_url: str, resource: dict[str, Any]) -> dict[str, Any]:
    """A create; conditional on the resource's first identifier when it has one."""
    request = {"method": "POST", "url": resource["resourceType"]}
    if resource.get("identifier"):
        first = resource["identifier"][0]
        request["ifNoneExist"] = f"identifier={first['system']}|{first['value']}"
    return {"fullUrl": full_url, "resource": resource, "request": request}


def patient(person: HandedPerson) -> dict[str, Any]:
    # Her INS is her identifier only once her identity is qualified (RNIV): else it stays
    # in her file, and the Patient says how far her identity can be trusted.
    qualified = identity_status(person.identity, ins=person.ins) is IdentityStatus.QUALIFIED
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "meta": {"profile": [PATIENT_INS_PROFILE if qualified else PATIENT_PROFILE]},
        "extension": [reliability_extension(person.identity, ins=person.ins)],
    }
    if qualified and person.ins:
        resource["identifier"] = [
            {
                "use": "official",
                "type": {"coding": [{"system": IDENTIFIER_TYPES, "code": "INS-NIR"}]},
                "system": INS_NIR_SYSTEM,
                "value": person.ins,
            }
        ]
    name: dict[str, Any] = {}
    if person.family_name:
        name["family"] = person.family_name
    if person.given_names:
        name["given"] = person.given_names.split()
    if name:
        resource["name"] = [{"use": "official", **name}]
    if person.sex in SEXES:
        resource["gender"] = SEXES[person.sex]
    if person.birth_date:
        resource["birthDate"] = person.birth_date.isoformat()
    if person.commune_name or person.commune_insee:
        address: dict[str, Any] = {"country": "FR"}
        if person.commune_name:
            address["city"] = person.commune_name
        if person.commune_insee:
            address["district"] = person.commune_insee
        resource["address"] = [address]
    return resource


def requester(request: HandedRequest, referrer: Referrer | None) -> dict[str, Any]:
    """A Practitioner when the referrer's RPPS number is known, else an Organization: the
    referring structure, or the DAC."""
    if referrer is not None and referrer.rpps:
        practitioner: dict[str, Any] = {
            "resourceType": "Practitioner",
            "meta": {"profile": [PRACTITIONER_PROFILE]},
            "identifier": [
                {
                    "use": "official",
                    "type": {"coding": [{"system": IDENTIFIER_TYPES, "code": "IDNPS"}]},
                    "system": IDNPS_SYSTEM,
                    "value": f"8{referrer.rpps}",
                }
            ],
            "name": [{"text": referrer.name}],
        }
        if referrer.profession:
            practitioner["qualification"] = [{"code": {"text": referrer.profession}}]
        return practitioner
    if referrer is not None:
        return {
            "resourceType": "Organization",
            "meta": {"profile": [ORGANIZATION_PROFILE]},
            "name": referrer.name,
        }
    return {
        "resourceType": "Organization",
        "meta": {"profile": [ORGANIZATION_PROFILE]},
        "identifier": [{"system": DAC_IDENTIFIER, "value": request.department}],
        "name": request.dac_name,
    }


def service_request(
    request: HandedRequest, *, patient_url: str, requester_url: str, requester_type: str
) -> dict[str, Any]:
    identifiers = [request_identifier(request)]
    if request.number_system:
        identifiers.append({"system": request.number_system, "value": str(request.id)})
    resource: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "identifier": identifiers,
        "status": "completed" if request.status == "closed" else "active",
        "intent": "order",
        "code": {"text": "Demande d'appui à la coordination du parcours (DAC)"},
        "subject": {"reference": patient_url, "type": "Patient"},
        "requester": {"reference": requester_url, "type": requester_type},
        "authoredOn": request.received_at.isoformat(),
    }
    labels = [PROBLEMS[Problem(code)] for code in request.problems if code in PROBLEMS]
    if labels:
        resource["reasonCode"] = [{"text": label} for label in labels]
    return resource


def communication(
    exchange: Exchange, *, request: HandedRequest, patient_url: str, request_url: str
) -> dict[str, Any] | None:
    """The exchange as a Communication; None for one without a text (erased, or empty) and
    for what Frontdoor sent by itself (acknowledgements: nobody wrote them)."""
    if not exchange.body or exchange.automatic:
        return None
    channel = CHANNELS.get(exchange.channel, exchange.channel)
    return {
        "resourceType": "Communication",
        "identifier": [message_identifier(request, exchange.id)],
        "status": "completed",
        "basedOn": [{"reference": request_url, "type": "ServiceRequest"}],
        "subject": {"reference": patient_url, "type": "Patient"},
        "medium": [{"text": channel}],
        "topic": {"text": f"{channel} {DIRECTIONS.get(exchange.direction, '')}".strip()},
        "sent": exchange.at.isoformat(),
        "payload": [{"contentString": exchange.body}],
    }


def transaction_bundle(
    *,
    request: HandedRequest,
    person: HandedPerson,
    referrer: Referrer | None,
    exchanges: Sequence[Exchange],
) -> dict[str, Any]:
    """The transaction Bundle (JSON-ready) of a request handed over."""
    patient_url = _full_url(request, "patient")
    requester_url = _full_url(request, "requester")
    request_url = _full_url(request, "request")
    who = requester(request, referrer)
    entries = [
        _entry(patient_url, patient(person)),
        _entry(requester_url, who),
        _entry(
            request_url,
            service_request(
                request, patient_url=patient_url, requester_url=requester_url,
                requester_type=who["resourceType"],
            ),
        ),
    ]  # fmt: skip
    for exchange in exchanges:
        resource = communication(
            exchange, request=request, patient_url=patient_url,
            request_url=request_url,
        )  # fmt: skip
        if resource is not None:
            entries.append(_entry(_full_url(request, f"message:{exchange.id}"), resource))
    return {"resourceType": "Bundle", "type": "transaction", "entry": entries}


def created_id(response: Mapping[str, Any], resource_type: str = "ServiceRequest") -> str | None:
    """The id the server gave the request, "ServiceRequest/123", from its
    transaction-response (each entry's `response.location`, possibly with `/_history/…`
    and a base URL before); None when the answer holds none."""
    if response.get("resourceType") != "Bundle":
        return None
    for entry in response.get("entry") or []:
        if not isinstance(entry, Mapping):
            continue
        location = (entry.get("response") or {}).get("location")
        if not isinstance(location, str):
            continue
        parts = location.split("/_history/")[0].rstrip("/").split("/")
        if len(parts) >= 2 and parts[-2] == resource_type and parts[-1]:
            return f"{resource_type}/{parts[-1]}"
    return None
