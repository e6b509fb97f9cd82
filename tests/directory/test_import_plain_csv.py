"""The coordinators' CSV: French headers, ';' or ',', UTF-8 or Windows-1252."""

from __future__ import annotations

from datetime import date

import pytest

from frontdoor.core.taxonomy import Category
from frontdoor.directory.imported import ImportedResource
from frontdoor.directory.importers.plain_csv import parse_plain_csv

HEADER = (
    "identifiant;nom;categorie;adresse;code_postal;commune;code_insee;telephone;courriel;site;"
    "horaires;communes_desservies;public;verifie_le;latitude;longitude"
)
SSIAD = (
    "dac46-ssiad-figeac;SSIAD du Pays de Figeac;Service de soins infirmiers à domicile;"
    "12 avenue du Général-de-Gaulle;46100;Figeac;46102;05 36 49 10 10 / 05 36 49 10 11;"
    "ssiad@pays-figeac.example.org;https://ssiad.example.org;lundi-dimanche 7h-20h;"
    "46102 | 46128;professionnels;02/02/2026;44,6090;2,0330"
)


def test_a_line_is_read_with_every_field() -> None:
    resources, problems = parse_plain_csv(f"{HEADER}\n{SSIAD}\n".encode())
    assert problems == []
    assert resources == [
        ImportedResource(
            source="csv",
            source_id="dac46-ssiad-figeac",
            name="SSIAD du Pays de Figeac",
            category=Category.SSIAD,
            address="12 avenue du Général-de-Gaulle",
            postal_code="46100",
            commune_insee="46102",
            commune_name="Figeac",
            departement="46",
            latitude=44.609,
            longitude=2.033,
            phones=("+33536491010", "+33536491011"),
            email="ssiad@pays-figeac.example.org",
            website="https://ssiad.example.org",
            hours_text="lundi-dimanche 7h-20h",
            serves_communes=("46102", "46128"),
            audience="professionals",
            checked_at=date(2026, 2, 2),
        )
    ]


def test_windows_1252_and_commas_are_read() -> None:
    text = (
        "identifiant,nom,categorie,commune\n"
        "x1,Maison de santé,Maison de santé pluriprofessionnelle,Gramat\n"
    )
    resources, problems = parse_plain_csv(text.encode("cp1252"))
    assert problems == []
    assert (resources[0].name, resources[0].category) == ("Maison de santé", Category.MSP)


@pytest.mark.parametrize(
    "written",
    [
        "SSIAD",
        "ssiad",
        "Service de soins infirmiers a domicile",
        "SERVICE DE SOINS INFIRMIERS À DOMICILE",
    ],
)
def test_categories_by_short_name_or_label_ignoring_case_and_accents(written: str) -> None:
    resources, _ = parse_plain_csv(f"identifiant;nom;categorie\nx;Un service;{written}\n")
    assert resources[0].category is Category.SSIAD


@pytest.mark.parametrize(
    ("line", "message"),
    [
        pytest.param("x;Nom;SSIAD;;4610", "ligne 2 : code postal invalide", id="postal-code"),
        pytest.param("x;Nom;boulangerie;;46100", "ligne 2 : catégorie inconnue « boulangerie »",
                     id="category"),
        pytest.param(";Nom;SSIAD;;46100", "ligne 2 : identifiant manquant", id="identifier"),
        pytest.param("x;;SSIAD;;46100;;;01 02", "ligne 2 : nom manquant ; "
                     "numéro de téléphone invalide « 01 02 »", id="two-errors"),
        pytest.param("x;Nom;SSIAD;;;;;;;;;46102 4610", "ligne 2 : code(s) INSEE desservi(s) "
                     "invalide(s) : 4610", id="served-communes"),
        pytest.param("x;Nom;SSIAD;;;;;;;;;;;31/02/2026", "ligne 2 : date de vérification "
                     "invalide (JJ/MM/AAAA)", id="date"),
        pytest.param("x;Nom;SSIAD;;;;;;;;;;élus", "ligne 2 : public : « tous » ou "
                     "« professionnels »", id="audience"),
    ],
)  # fmt: skip
def test_broken_lines_are_reported_in_french_and_skipped(line: str, message: str) -> None:
    resources, problems = parse_plain_csv(f"{HEADER}\n{line}\n{SSIAD}\n")
    assert [str(p) for p in problems] == [message]
    assert [r.source_id for r in resources] == ["dac46-ssiad-figeac"]


def test_a_repeated_identifier_is_reported() -> None:
    _, problems = parse_plain_csv(f"{HEADER}\n{SSIAD}\n{SSIAD}\n")
    assert [str(p) for p in problems] == ["ligne 3 : identifiant « dac46-ssiad-figeac » en double"]


def test_missing_required_columns_are_reported() -> None:
    resources, problems = parse_plain_csv("nom;adresse\nSSIAD;rue\n")
    assert resources == []
    assert [str(p) for p in problems] == [
        "ligne 1 : colonne(s) manquante(s) : identifiant, categorie"
    ]


def test_a_reunion_resource_keeps_its_reunion_numbers() -> None:
    line = SSIAD.replace(
        "46100;Figeac;46102;05 36 49 10 10 / 05 36 49 10 11",
        "97400;Saint-Denis;97411;0262 90 12 34 / 0692 12 34 56",
    ).replace("46102 | 46128", "97411")

    resources, problems = parse_plain_csv(f"{HEADER}\n{line}\n".encode())

    assert problems == []
    assert [r.phones for r in resources] == [("+262262901234", "+262692123456")]
