"""The current FINESS publication beside the legacy file: establishments under a header line
naming the columns (read by name), their coordinates in the same line or in a separate
geolocation file; which form a file is comes from its first line. Samples written from the
notice (directory/README.md), in Windows-1252 as the state publishes them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from frontdoor.core.taxonomy import Category
from frontdoor.directory.imported import ImportedResource
from frontdoor.directory.importers.finess import FinessFormat, finess_format, parse_finess

DATA = Path(__file__).parent / "data"
LEGACY = (DATA / "finess_sample.csv").read_bytes()
NAMED = (DATA / "finess_etablissements_sample.csv").read_bytes()
PLACES = (DATA / "finess_geolocalisation_sample.csv").read_bytes()


def by_id(resources: list[ImportedResource]) -> dict[str, ImportedResource]:
    return {r.source_id: r for r in resources}


@pytest.mark.parametrize(
    ("first_line", "expected"),
    [
        pytest.param("finess;etalab;100;2026-03-10", FinessFormat.LEGACY, id="legacy"),
        pytest.param("structureet;460000011;460000003;SSIAD", FinessFormat.LEGACY,
                     id="legacy-without-its-first-line"),
        pytest.param("nofinesset;nofinessej;rs;rslongue;departement;categetab",
                     FinessFormat.NAMED_COLUMNS, id="named-columns"),
        pytest.param("NoFinessEt ; rs ; CategEtab ; cog", FinessFormat.NAMED_COLUMNS,
                     id="names-in-any-case-and-order"),
        pytest.param("nofinesset;coordxet;coordyet;sourcecoordet;datemaj",
                     FinessFormat.GEOLOCATION, id="geolocation-file"),
        pytest.param("identifiant;nom;categorie", None, id="the-coordinators-csv"),
        pytest.param("nofinesset;rs", None, id="a-number-and-nothing-to-place-it"),
    ],
)  # fmt: skip
def test_the_form_of_a_file_comes_from_its_first_line(
    first_line: str, expected: FinessFormat | None
) -> None:
    assert finess_format(first_line) == expected


def test_an_establishment_is_read_by_column_name_as_the_legacy_file_reads_it() -> None:
    named, _ = parse_finess(NAMED)
    legacy, _ = parse_finess(LEGACY)
    # The SSIAD of Figeac is in both samples, with the same facts.
    assert by_id(named)["460000011"] == by_id(legacy)["460000011"]


def test_accents_postal_code_town_and_insee_code_come_from_their_columns() -> None:
    resources, _ = parse_finess(NAMED)
    ehpad, cmpp = by_id(resources)["460000052"], by_id(resources)["570000017"]
    assert ehpad == ImportedResource(
        source="finess", source_id="460000052", name="EHPAD Résidence du Célé",
        category=Category.EHPAD, finess_category="500", finess="460000052",
        address="8 chemin DES ÉCLUSES", postal_code="46100", commune_insee="46102",
        commune_name="FIGEAC", departement="46", phones=("+33536491030",),
        checked_at=date(2026, 1, 20),
    )  # fmt: skip
    assert (cmpp.postal_code, cmpp.commune_name, cmpp.commune_insee) == ("57045", "METZ", "57463")


def test_the_separate_geolocation_file_places_the_establishments_it_names() -> None:
    alone, _ = parse_finess(NAMED)
    placed, problems = parse_finess(NAMED, geolocation=PLACES)

    assert by_id(alone)["570000017"].latitude is None
    cmpp = by_id(placed)["570000017"]  # Lambert 93's origin: 3° E, 46.5° N by definition
    assert (cmpp.latitude, cmpp.longitude) == (pytest.approx(46.5), pytest.approx(3.0))
    assert by_id(placed)["460000052"].latitude == pytest.approx(44.4, abs=0.2)
    # Coordinates in the line itself are kept; the file's third line is refused.
    assert by_id(placed)["460000011"] == by_id(alone)["460000011"]
    assert "ligne 4 : 2 champs au lieu des 5 de l'en-tête (géolocalisation)" in map(str, problems)


def test_a_malformed_line_is_refused_with_its_number_and_the_rest_is_kept() -> None:
    resources, problems = parse_finess(NAMED)

    assert [str(p) for p in problems] == [
        "ligne 6 : 4 champs au lieu des 42 de l'en-tête",
        "ligne 7 : numéro FINESS invalide « 46XX »",
        "catégorie FINESS 620 (Pharmacie d'Officine) : "
        "non reprise dans l'annuaire : 1 établissement(s) ignoré(s)",
    ]
    assert set(by_id(resources)) == {"460000011", "460000052", "570000017"}


def test_departements_filter_the_named_file_too() -> None:
    resources, _ = parse_finess(NAMED, departements={"57"})
    assert set(by_id(resources)) == {"570000017"}


@pytest.mark.parametrize(
    ("text", "said"),
    [
        pytest.param("nofinesset;rs;departement;telephone\n460000011;SSIAD;46;\n",
                     "ligne 1 : ce fichier n'est pas un extrait FINESS connu", id="no-category"),
        pytest.param("nofinesset;rs;categetab\n460000011;SSIAD;354\n",
                     "ligne 1 : en-tête FINESS incomplet, colonne(s) absente(s) : "
                     "departement ou cog", id="nowhere"),
        pytest.param(PLACES.decode("cp1252"), "ligne 1 : ce fichier ne donne que la "
                     "géolocalisation des établissements", id="the-geolocation-file-alone"),
        pytest.param("", "ligne 1 : ce fichier n'est pas un extrait FINESS connu", id="empty"),
    ],
)  # fmt: skip
def test_a_file_of_no_known_form_is_refused_whole_saying_why(text: str, said: str) -> None:
    resources, problems = parse_finess(text)
    assert resources == []
    assert str(problems[0]).startswith(said)
