"""The FINESS extract importer, on a sample in the published format (Latin-1, no header)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from frontdoor.core.taxonomy import Category
from frontdoor.directory.imported import ImportedResource
from frontdoor.directory.importers.finess import parse_finess

SAMPLE = Path(__file__).parent / "data" / "finess_sample.csv"


def by_id(resources: list[ImportedResource]) -> dict[str, ImportedResource]:
    return {r.source_id: r for r in resources}


def test_the_sample_is_latin_1_as_the_state_publishes_it() -> None:
    data = SAMPLE.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert data.startswith(b"finess;etalab;")


def test_an_establishment_is_read_with_every_field() -> None:
    resources, _ = parse_finess(SAMPLE.read_bytes())
    ssiad = by_id(resources)["460000011"]
    assert ssiad == ImportedResource(
        source="finess",
        source_id="460000011",
        name="SSIAD du Pays de Figeac",
        category=Category.SSIAD,
        finess_category="354",
        finess="460000011",
        address="12 avenue DU GENERAL DE GAULLE",
        postal_code="46100",
        commune_insee="46102",
        commune_name="FIGEAC",
        departement="46",
        latitude=pytest.approx(44.6086, abs=1e-4),
        longitude=pytest.approx(2.0317, abs=1e-4),
        phones=("+33536491010",),
        checked_at=date(2025, 11, 2),
    )


def test_accents_of_the_latin_1_file_are_read() -> None:
    resources, _ = parse_finess(SAMPLE.read_bytes())
    ehpad = by_id(resources)["460000029"]
    assert ehpad.name == "EHPAD Résidence les Cèdres"
    assert ehpad.address == "3 rue DES ÉCOLES, BP 112"


def test_the_same_extract_in_utf_8_reads_the_same() -> None:
    latin_1 = parse_finess(SAMPLE.read_bytes())
    utf_8 = parse_finess(SAMPLE.read_bytes().decode("latin-1").encode("utf-8"))
    assert utf_8 == latin_1


@pytest.mark.parametrize(
    ("finess", "latitude", "longitude"),
    [
        # Lambert 93's own origin: (700 000, 6 600 000) is 3° E, 46.5° N by definition.
        pytest.param("570000017", 46.5, 3.0, id="lambert93-origin"),
        # Paris, parvis de Notre-Dame: 48.852968 N, 2.349902 E ≈ (652 297.1, 6 861 632.8).
        pytest.param("750000015", 48.852968, 2.349902, id="notre-dame"),
        # La Réunion, in UTM 40S as the line's source says.
        pytest.param("970400018", -20.8823, 55.4504, id="reunion-utm40s"),
    ],
)
def test_coordinates_are_converted_to_wgs84(finess: str, latitude: float, longitude: float) -> None:
    resources, _ = parse_finess(SAMPLE.read_bytes())
    found = by_id(resources)[finess]
    assert found.latitude == pytest.approx(latitude, abs=1e-4)
    assert found.longitude == pytest.approx(longitude, abs=1e-4)


def test_cedex_delivery_lines_give_postal_code_and_town() -> None:
    resources, _ = parse_finess(SAMPLE.read_bytes())
    cmpp = by_id(resources)["570000017"]
    assert (cmpp.postal_code, cmpp.commune_name, cmpp.commune_insee) == ("57045", "METZ", "57463")


def test_overseas_departements_get_their_insee_codes() -> None:
    resources, _ = parse_finess(SAMPLE.read_bytes())
    reunion = by_id(resources)["970400018"]
    assert (reunion.departement, reunion.commune_insee) == ("974", "97411")


def test_broken_lines_are_reported_and_skipped() -> None:
    resources, problems = parse_finess(SAMPLE.read_bytes())
    assert [str(p) for p in problems if p.line is not None] == [
        "ligne 5 : 5 champs au lieu de 32",
        "ligne 6 : numéro FINESS invalide « 46XX »",
    ]
    assert "460000045" not in by_id(resources)


def test_unmapped_categories_are_skipped_with_one_reason_each() -> None:
    resources, problems = parse_finess(SAMPLE.read_bytes())
    assert [str(p) for p in problems if p.line is None] == [
        "catégorie FINESS 355 (Centre Hospitalier (C.H.)) : "
        "non reprise dans l'annuaire : 1 établissement(s) ignoré(s)",
        "catégorie FINESS 620 (Pharmacie d'Officine) : "
        "non reprise dans l'annuaire : 1 établissement(s) ignoré(s)",
    ]
    assert {"460000037", "570000025"}.isdisjoint(by_id(resources))


@pytest.mark.parametrize(
    ("departements", "expected"),
    [
        pytest.param(None, {"460000011", "460000029", "570000017", "750000015", "970400018"},
                     id="all"),
        pytest.param({"46", "57"}, {"460000011", "460000029", "570000017"}, id="lot-moselle"),
        pytest.param({"974"}, {"970400018"}, id="insee-overseas-code"),
        pytest.param({"9D"}, {"970400018"}, id="finess-overseas-code"),
    ],
)  # fmt: skip
def test_departements_filter(departements: set[str] | None, expected: set[str]) -> None:
    resources, _ = parse_finess(SAMPLE.read_bytes(), departements=departements)
    assert set(by_id(resources)) == expected


def test_filtered_out_departements_are_not_problems() -> None:
    _, problems = parse_finess(SAMPLE.read_bytes(), departements={"75"})
    assert all(p.line is not None for p in problems)
