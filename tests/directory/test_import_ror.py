"""The ROR's offer in FHIR (HealthcareService, Organization, Location): the shipped sample
extract (directory/ror_dac46_dac57.json), NDJSON, and what is refused."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from frontdoor.core.taxonomy import Category
from frontdoor.directory.imported import ImportedResource
from frontdoor.directory.importers.ror import parse_ror

SAMPLE = Path(__file__).resolve().parents[2] / "directory" / "ror_dac46_dac57.json"
IG = "https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/"


def by_id(resources: list[ImportedResource]) -> dict[str, ImportedResource]:
    return {r.source_id: r for r in resources}


def sample_resources() -> list[dict[str, Any]]:
    return [e["resource"] for e in json.loads(SAMPLE.read_text(encoding="utf-8"))["entry"]]


def test_a_service_is_read_with_its_organization_location_hours_and_zone() -> None:
    resources, problems = parse_ror(SAMPLE.read_bytes())
    assert problems == []
    assert by_id(resources)["ROR-46-0001"] == ImportedResource(
        source="ror",
        source_id="ROR-46-0001",
        name="Soins infirmiers à domicile (SSIAD du Ségala)",
        category=Category.SSIAD,  # the organization's FINESS category, 354
        finess_category="354",
        finess="460999011",  # the organization's identifier typed FINESS
        address="4 place de la Halle",
        postal_code="46120",
        commune_insee="46143",
        commune_name="Lacapelle-Marival",
        departement="46",
        latitude=44.7281,
        longitude=1.9268,
        phones=("+33536492001",),  # the restricted-access number is left out
        hours_text="lundi-vendredi 8h30-12h / 13h30-17h ; samedi, dimanche 8h-12h",
        serves_communes=("46143", "46011", "46128"),
        checked_at=date(2026, 3, 2),
    )


def test_categories_come_from_the_finess_category_then_the_service_words_else_autre() -> None:
    resources = by_id(parse_ror(SAMPLE.read_bytes())[0])
    assert {key: r.category for key, r in resources.items()} == {
        "ROR-46-0001": Category.SSIAD,
        "ROR-46-0002": Category.EMG,  # a hospital's (355): named by its activity
        "ROR-57-0001": Category.SAAD,  # 460, service autonomie aide
        "ROR-57-0002": Category.OTHER,  # kept, for a coordinator to recategorise
    }


def test_the_older_zone_extension_location_hours_and_every_telecom_are_read() -> None:
    resources = by_id(parse_ror(SAMPLE.read_bytes())[0])
    saad = resources["ROR-57-0001"]
    assert saad.serves_communes == ("57672", "57757", "57306")  # ror-territorial-division
    assert saad.phones == ("+33353012001", "+33353012000")  # the location's, the organization's
    assert saad.hours_text == "lundi-samedi 8h-19h"
    respite = resources["ROR-57-0002"]
    assert respite.hours_text == "lundi, mardi, jeudi 14h-17h30"  # the location's hoursOfOperation
    assert (respite.email, respite.website) == (
        "repit@aidants-metz.example.org",
        "https://aidants-metz.example.org",
    )


def test_ndjson_is_read_and_each_malformed_line_is_reported_with_its_number(
    tmp_path: Path,
) -> None:
    resources = sample_resources()
    services = {r["id"]: r for r in resources if r["resourceType"] == "HealthcareService"}
    nameless = {**services["hs-emg-bouriane"], "name": ""}
    closed = {**services["hs-repit-metz"], "active": False}
    bad_commune = {
        **next(r for r in resources if r["id"] == "loc-thionville"),
        "extension": [{"url": IG + "ror-commune-cog",
                       "valueCodeableConcept": {"coding": [{"code": "THIONVILLE"}]}}],
    }  # fmt: skip
    others = [r for r in resources if r["resourceType"] != "HealthcareService"]
    lines = [
        json.dumps(services["hs-ssiad-segala"]),
        '{"resourceType": "HealthcareService", "id": ',
        json.dumps(nameless),
        json.dumps(closed),
        json.dumps(services["hs-saad-pays-haut"]),
        '["not", "a", "resource"]',
        *(json.dumps(bad_commune if r["id"] == "loc-thionville" else r) for r in others),
        json.dumps(services["hs-ssiad-segala"]),
    ]
    imported, problems = parse_ror("\n".join(lines))
    assert [r.source_id for r in imported] == ["ROR-46-0001"]
    assert [str(p) for p in problems] == [
        "ligne 2 : JSON illisible",
        "ligne 6 : pas une ressource FHIR",
        "ligne 3 : offre sans identifiant ou sans nom",
        "ligne 4 : offre inactive",
        "ligne 5 : code commune invalide « THIONVILLE » dans son lieu",
        "ligne 15 : identifiant ROR en double",
    ]


def test_a_bundle_entry_is_reported_with_its_position() -> None:
    bundle = json.loads(SAMPLE.read_text(encoding="utf-8"))
    bundle["entry"][1]["resource"]["availableTime"][0]["availableStartTime"] = "9 heures"
    bundle["entry"][2] = {"fullUrl": "urn:uuid:1"}
    resources, problems = parse_ror(json.dumps(bundle))
    assert sorted(r.source_id for r in resources) == ["ROR-46-0001", "ROR-57-0002"]
    assert [str(p) for p in problems] == [
        "entrée 3 : pas une ressource FHIR",
        "entrée 2, HealthcareService ROR-46-0002 : horaire illisible « 9 heures » "
        "(hh:mm:ss attendu)",
    ]


def test_unreadable_json_is_one_problem_with_its_line() -> None:
    resources, problems = parse_ror(b'{\n  "resourceType": "Bundle",\n  "entry": [\n')
    assert resources == []
    assert [str(p) for p in problems] == ["ligne 4 : JSON illisible"]


def test_only_the_communes_of_a_zone_of_intervention_are_served_communes() -> None:
    def zone(kind: str, code: str) -> dict[str, Any]:
        return {"url": IG + "ror-healthcareservice-intervention-zone", "extension": [
            {"url": "type", "valueCodeableConcept": {"coding": [{"display": kind}]}},
            {"url": "code", "valueCodeableConcept": {"coding": [{"code": code}]}},
        ]}  # fmt: skip

    service = {
        "resourceType": "HealthcareService", "id": "hs-1", "name": "Équipe mobile de gériatrie",
        "extension": [zone("Département", "46"), zone("Commune", "46102"),
                      zone("Commune", "Figeac")],
    }  # fmt: skip
    resources, problems = parse_ror(json.dumps(service))
    assert problems == []
    assert resources[0].serves_communes == ("46102",)
    assert (resources[0].source_id, resources[0].category) == ("hs-1", Category.EMG)


def test_an_unexpected_structure_or_a_too_long_identifier_refuses_that_service_only() -> None:
    bundle = json.loads(SAMPLE.read_text(encoding="utf-8"))
    bundle["entry"][0]["resource"]["telecom"] = ["05 36 49 20 01"]  # ContactPoints are due
    bundle["entry"][1]["resource"]["identifier"] = [{"value": "R" * 101}]
    resources, problems = parse_ror(json.dumps(bundle))
    assert sorted(r.source_id for r in resources) == ["ROR-57-0001", "ROR-57-0002"]
    assert [str(p) for p in problems] == [
        "entrée 1, HealthcareService ROR-46-0001 : "
        "structure FHIR inattendue dans l'offre, sa structure ou son lieu",
        f"entrée 2, HealthcareService {'R' * 101} : identifiant de plus de 100 caractères",
    ]


@pytest.mark.parametrize(
    ("identifier", "expected"),
    [
        pytest.param({"system": "urn:oid:1.2.250.1.71.4.2.2", "value": "460999011"}, "460999011",
                     id="finess-oid"),
        pytest.param({"system": "https://example.org/siret", "value": "12345678900011"}, None,
                     id="a-siret"),
        pytest.param({"system": "https://finess.esante.gouv.fr", "value": "4609"}, None,
                     id="not-nine-characters"),
    ],
)  # fmt: skip
def test_the_structures_finess_number_comes_from_its_finess_identifier(
    identifier: dict[str, str], expected: str | None
) -> None:
    entries = sample_resources()
    [organization] = [e for e in entries if e.get("id") == "eg-ssiad-segala"]
    organization["identifier"] = [identifier]

    resources, _ = parse_ror(json.dumps({"resourceType": "Bundle", "type": "collection",
                                         "entry": [{"resource": e} for e in entries]}))  # fmt: skip

    assert by_id(resources)["ROR-46-0001"].finess == expected
