"""Reading a query as a person writes it: category, postal code, commune, free text, typos."""

from __future__ import annotations

import pytest

from frontdoor.core.directory_search import DirectoryQuery, Vocabulary, parse_query
from frontdoor.core.taxonomy import Category as C
from frontdoor.directory.communes import SYNONYMS_FILE, default_communes, read_synonyms

VOCABULARY = Vocabulary.build(
    read_synonyms(SYNONYMS_FILE),
    [
        "Figeac",
        "Cahors",
        "Gourdon",
        "Saint-Céré",
        "Puy-l'Évêque",
        "Thionville",
        "Metz",
        "Castelnau-Montratier-Sainte-Alauzie",
        "Lacapelle-Marival",
    ],  # fmt: skip
)

# text, category, postal code, commune, terms
TABLE = [
    ("SSIAD 46100", C.SSIAD, "46100", None, ()),
    ("clic figeac", C.CLIC, None, "figeac", ()),
    ("maison de retraite Cahors", C.EHPAD, None, "cahors", ()),
    ("soins infirmiers à domicile gourdon", C.SSIAD, None, "gourdon", ()),
    ("ehpda 57000", C.EHPAD, "57000", None, ()),
    ("Infirmière à domicile, St-Céré", C.SSIAD, None, "saint cere", ()),
    ("aide ménagère Puy-l'Évêque", C.SAAD, None, "puy l eveque", ()),
    ("un psy à Metz svp", C.CMP, None, "metz", ()),
    ("handicap", C.MDPH, None, None, ()),
    ("alcool thionvile", C.CSAPA, None, "thionville", ()),
    ("soins palliatifs", C.EMSP, None, None, ()),
    ("hospitalisation à domicile 46000", C.HAD, "46000", None, ()),
    ("protection maternelle et infantile", C.PMI, None, None, ()),
    ("centre de santé figeac", C.HEALTH_CENTRE, None, "figeac", ()),
    ("Service de soins infirmiers à domicile", C.SSIAD, None, None, ()),
    ("ssaid gourdn", C.SSIAD, None, "gourdon", ()),
    ("ehpad puy leveque", C.EHPAD, None, "puy l eveque", ()),
    ("ssiad Castelnau-Montratier", C.SSIAD, None, "castelnau montratier sainte alauzie", ()),
    ("ssiad lacapele marival", C.SSIAD, None, "lacapelle marival", ()),
    ("clinique du pont figac", None, None, "figeac", ("clinique", "pont")),
    ("Résidence Bégoulès", None, None, None, ("residence", "begoules")),
    ("", None, None, None, ()),
    ("ehpad 20000", C.EHPAD, "20000", None, ()),
]


@pytest.mark.parametrize(
    ("text", "category", "postal_code", "commune", "terms"), TABLE, ids=[t[0] for t in TABLE]
)
def test_parse_query(
    text: str, category: C | None, postal_code: str | None, commune: str | None, terms: tuple
) -> None:
    query = parse_query(text, VOCABULARY)

    assert (query.category, query.postal_code, query.commune, query.terms) == (
        category,
        postal_code,
        commune,
        terms,
    )


@pytest.mark.parametrize(
    ("text", "corrections"),
    [
        ("ehpda 57000", (("ehpda", "ehpad"),)),
        ("alcool thionvile", (("thionvile", "thionville"),)),
        ("ssaid gourdn", (("ssaid", "ssiad"), ("gourdn", "gourdon"))),
        ("clinique du pont", ()),  # "pont" is too short to be taken for "point"
        (
            "hospitalsation a domicle",
            (("hospitalsation", "hospitalisation"), ("domicle", "domicile")),
        ),
    ],
)
def test_typos_are_corrected_against_the_vocabulary(text: str, corrections: tuple) -> None:
    assert parse_query(text, VOCABULARY).corrections == corrections


def test_every_synonym_reads_as_its_category() -> None:
    synonyms = read_synonyms(SYNONYMS_FILE)
    for value, phrases in synonyms.items():
        for phrase in phrases:
            assert parse_query(phrase, VOCABULARY).category == C(value), phrase


def test_the_first_category_wins_and_the_rest_is_not_free_text() -> None:
    query = parse_query("ssiad ou ehpad figeac", VOCABULARY)
    assert query == DirectoryQuery(text="ssiad ou ehpad figeac", category=C.SSIAD, commune="figeac")


def test_without_a_vocabulary_only_the_categories_own_words_are_known() -> None:
    assert parse_query("SSIAD figeac").category == C.SSIAD
    assert parse_query("SSIAD figeac").terms == ("figeac",)


def test_the_shipped_communes_cover_the_lot_and_the_moselle() -> None:
    communes = default_communes()
    assert communes.find("Figeac") == communes.find("46102") == communes.find("46100")
    assert communes.find("57070") == communes.find("metz")
    assert {c.insee[:2] for c in communes.by_insee.values()} == {"46", "57"}
