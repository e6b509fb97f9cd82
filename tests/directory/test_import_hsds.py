"""Open Referral HSDS: the 3.0 JSON and the 2.0 CSV package."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from frontdoor.core.taxonomy import Category
from frontdoor.directory.imported import ImportedResource
from frontdoor.directory.importers.hsds import parse_hsds_json, parse_hsds_package

DATA = Path(__file__).parent / "data"


def package() -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (DATA / "hsds_package").iterdir()}


def by_id(resources: list[ImportedResource]) -> dict[str, ImportedResource]:
    return {r.source_id: r for r in resources}


def test_a_json_service_is_read_with_its_location_phones_and_areas() -> None:
    resources, _ = parse_hsds_json((DATA / "hsds_services.json").read_bytes())
    assert by_id(resources)["svc-ssiad-gramat"] == ImportedResource(
        source="hsds",
        source_id="svc-ssiad-gramat",
        name="Soins infirmiers à domicile du causse",
        category=Category.SSIAD,
        address="2 place de la République",
        postal_code="46500",
        commune_insee="46128",
        commune_name="Gramat",
        departement="46",
        latitude=44.7808,
        longitude=1.7256,
        phones=("+33536493030", "+33536493000"),
        email="ssiad.causse@example.org",
        website="https://ssiad-causse.example.org",
        hours_text="Du lundi au vendredi, 8 h 30 – 17 h",
        serves_communes=("46128", "46309", "46102"),
        checked_at=date(2026, 2, 10),
    )


def test_category_falls_back_to_words_of_the_name() -> None:
    resources, _ = parse_hsds_json((DATA / "hsds_services.json").read_bytes())
    clic = by_id(resources)["svc-clic-figeac"]
    assert clic.category is Category.CLIC
    assert clic.audience == "professionals"
    assert clic.phones == ("+33536494040",)  # the invalid one is left out
    assert clic.checked_at == date(2026, 1, 5)


def test_json_services_without_name_or_inactive_are_reported_and_skipped() -> None:
    resources, problems = parse_hsds_json((DATA / "hsds_services.json").read_bytes())
    assert set(by_id(resources)) == {"svc-ssiad-gramat", "svc-clic-figeac"}
    assert [str(p) for p in problems] == [
        "svc-sans-nom : service sans identifiant ou sans nom",
        "svc-ferme : service inactif",
    ]


def test_unreadable_json_is_one_problem() -> None:
    resources, problems = parse_hsds_json(b'[{"id": ')
    assert resources == []
    assert [p.message for p in problems] == ["JSON illisible"]


def test_an_api_page_and_organizations_with_services_are_read_too() -> None:
    service = {"id": "s1", "name": "CCAS de Metz"}
    page, _ = parse_hsds_json(b'{"contents": [{"id": "s1", "name": "CCAS de Metz"}]}')
    nested, _ = parse_hsds_json(
        b'[{"id": "o1", "name": "Ville de Metz", "email": "ccas@metz.example.org", '
        b'"services": [{"id": "s1", "name": "CCAS de Metz"}]}]'
    )
    assert [r.source_id for r in page] == [service["id"]]
    assert nested[0].email == "ccas@metz.example.org"
    assert nested[0].category is Category.CCAS


def test_the_csv_package_joins_its_tables() -> None:
    resources, _ = parse_hsds_package(package())
    spasad = by_id(resources)["svc-spasad-sarreguemines"]
    assert spasad.category is Category.SPASAD  # from taxonomy.csv
    assert (spasad.address, spasad.postal_code, spasad.commune_name) == (
        "14 rue de la Paix", "57200", "Sarreguemines",
    )  # fmt: skip
    assert (spasad.latitude, spasad.longitude) == (49.1099, 7.0684)
    assert spasad.phones == ("+33353015050",)
    assert spasad.serves_communes == ("57631", "57227")
    assert spasad.website == "https://moselle-sante.example.org"  # the organization's


def test_the_csv_package_reads_location_phones_and_regular_schedules() -> None:
    resources, _ = parse_hsds_package(package())
    ccas = by_id(resources)["svc-ccas-forbach"]
    assert ccas.category is Category.CCAS
    assert ccas.phones == ("+33353016060",)
    assert ccas.hours_text == "lundi 08:30–12:00"
    assert ccas.departement == "57"


def test_broken_csv_rows_are_reported_with_their_line() -> None:
    resources, problems = parse_hsds_package(package())
    assert "svc-broken" not in by_id(resources)
    assert [str(p) for p in problems] == ["ligne 4 : service sans identifiant ou sans nom"]


def test_a_package_without_services_is_one_problem() -> None:
    resources, problems = parse_hsds_package({"organizations.csv": b"id,name\n"})
    assert resources == []
    assert [p.message for p in problems] == ["services.csv manquant"]
