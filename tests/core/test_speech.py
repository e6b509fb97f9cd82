"""What a caller says at a menu, understood: who calls, what they look for, or nothing.

Real French phrasings, as a speech recogniser transcribes them and as callers put them —
hesitations, politeness, feminine forms, typos — each with the meaning it must get, and
whether it is acted on at once (sure) or read back first.
"""

from __future__ import annotations

import pytest

from frontdoor.core.directory_search import Vocabulary
from frontdoor.core.referrers import ReferrerType as R
from frontdoor.core.speech import (
    INTENT_RULES,
    MAX_HINTS,
    REFERRER_RULES,
    SURE_FROM,
    YES_NO_HINTS,
    Heard,
    Lexicon,
    Place,
    Search,
    Understood,
    menu_hints,
    params_of,
    says_yes,
    understand,
    understood_from,
)
from frontdoor.core.taxonomy import Category as C
from frontdoor.directory.communes import SYNONYMS_FILE, read_synonyms

PLACES = [
    Place(name="Figeac", postal_code="46100"),
    Place(name="Cahors", postal_code="46000"),
    Place(name="Gourdon", postal_code="46300"),
    Place(name="Saint-Céré", postal_code="46400"),
    Place(name="Souillac", postal_code="46200"),
    Place(name="Thionville", postal_code="57100"),
]
LEXICON = Lexicon.build(
    Vocabulary.build(read_synonyms(SYNONYMS_FILE), [p.name for p in PLACES]), PLACES
)
SURE = 0.91

# What was said (at a high confidence), and the referrer type it names.
CALLERS = [
    # Primary care, feminine forms, fillers.
    ("je suis infirmière à domicile", R.NURSE),
    ("euh bonjour, je suis infirmière libérale", R.NURSE),
    ("Infirmier libéral sur Figeac", R.NURSE),
    ("bonjour madame, cabinet infirmier de Souillac", R.NURSE),
    ("je suis infirmière", R.NURSE_TO_CONFIRM),
    ("je suis le médecin traitant de monsieur", R.GP),
    ("oui bonjour, docteur Martin, médecin généraliste", R.GP),
    ("je suis médecin", R.DOCTOR_TO_CONFIRM),
    ("je suis cardiologue", R.SPECIALIST),
    ("c'est la pharmacie du centre", R.PHARMACIST),
    ("je suis pharmacienne", R.PHARMACIST),
    ("je suis kiné", R.PHYSIO),
    ("kinésithérapeute à Cahors", R.PHYSIO),
    ("je suis orthophoniste", R.OTHER_HEALTH),
    ("ergothérapeute", R.OTHER_HEALTH),
    # The establishment speaks, whoever works there.
    ("l'assistante sociale de l'hôpital", R.HOSPITAL),
    ("assistante sociale au centre hospitalier de Cahors", R.HOSPITAL),
    ("je suis infirmière aux urgences", R.HOSPITAL),
    ("je vous appelle de la clinique", R.HOSPITAL),
    ("le médecin coordonnateur de l'EHPAD", R.CARE_HOME),
    ("je suis aide-soignante au SSIAD", R.ESMS),
    ("l'infirmière coordinatrice du service de soins infirmiers à domicile", R.ESMS),
    ("j'appelle de l'hospitalisation à domicile", R.HAD),
    ("je travaille au CMP", R.PSYCHIATRY),
    ("la MDPH", R.MDPH_MDA),
    ("c'est le CCAS de Gourdon", R.CCAS),
    ("je suis conseillère Prado à la CPAM", R.HEALTH_INSURANCE),
    ("je suis mandataire judiciaire", R.LEGAL_GUARDIAN),
    ("je suis la tutrice de madame", R.LEGAL_GUARDIAN),
    ("j'appelle de la maison de santé de Saint-Céré", R.CPTS_MSP),
    ("la régulation du SAMU", R.SAS_SAMU),
    # Social work without an establishment.
    ("je suis assistante sociale", R.SOCIAL_WORKER),
    ("travailleuse sociale du département", R.SOCIAL_WORKER),
    # The public.
    ("c'est pour ma mère", R.CARER),
    ("j'appelle pour mon mari qui sort de l'hôpital", R.CARER),
    ("je suis sa fille", R.CARER),
    ("je suis la fille de madame Dupont", R.CARER),
    ("bah c'est pour mon papa", R.CARER),
    ("je suis aidante", R.CARER),
    ("je suis la patiente du docteur Martin", R.PATIENT),
    ("c'est pour moi", R.PATIENT),
    ("je suis un particulier", R.PATIENT),
    # Typos (typed at the terminal phone, or misheard).
    ("je suis infirmierre libéral", R.NURSE),
    ("pharmacienn", R.PHARMACIST),
    ("asistante sociale de l'hopital", R.HOSPITAL),
    ("kinesitherapeut", R.PHYSIO),
]


@pytest.mark.parametrize(("said", "referrer"), CALLERS, ids=[s for s, _ in CALLERS])
def test_who_is_calling_is_understood(said: str, referrer: R) -> None:
    understood = understand(Heard(text=said, confidence=SURE), LEXICON)

    assert (understood.referrer, understood.search, understood.sure) == (referrer, None, True)


# What was said, and the directory question it asks: category, postal code, commune.
SEARCHES = [
    ("je cherche un SSIAD à Figeac", C.SSIAD, "46100", "Figeac"),
    ("je cherche un ssiad sur figeac s'il vous plaît", C.SSIAD, "46100", "Figeac"),
    ("un SSIAD à Figeac", C.SSIAD, "46100", "Figeac"),
    ("je cherche une maison de retraite près de Gourdon", C.EHPAD, "46300", "Gourdon"),
    ("le numéro du CLIC de Cahors", C.CLIC, "46000", "Cahors"),
    ("j'ai besoin d'une aide à domicile à Souillac", C.SAAD, "46200", "Souillac"),
    ("je voudrais les coordonnées d'un EHPAD à Saint-Céré", C.EHPAD, "46400", "Saint-Céré"),
    ("un ehpad a cahors", C.EHPAD, "46000", "Cahors"),
    ("je cherche un psychiatre à Thionville", C.CMP, "57100", "Thionville"),
    ("je recherche des soins palliatifs à Figeac", C.EMSP, "46100", "Figeac"),
    ("je cherche un service de soins infirmiers à domicile 46100", C.SSIAD, "46100", "Figeac"),
    ("je cherche une maison de retraite", C.EHPAD, None, None),
    ("je cherche quelque chose à Figeac", None, "46100", "Figeac"),
    ("je cherche un SSIAD à Figeak", C.SSIAD, "46100", "Figeac"),  # misspelt commune
]


@pytest.mark.parametrize(
    ("said", "category", "postal_code", "place"), SEARCHES, ids=[s[0] for s in SEARCHES]
)
def test_a_directory_question_is_understood(
    said: str, category: C | None, postal_code: str | None, place: str | None
) -> None:
    understood = understand(Heard(text=said, confidence=SURE), LEXICON)

    assert understood.referrer is None
    assert understood.search == Search(category=category, postal_code=postal_code, place=place)
    assert understood.sure


NOTHING = [
    "bonjour",
    "euh",
    "oui allô",
    "je voudrais parler à quelqu'un",
    "quel temps fait-il",
    "",
]


@pytest.mark.parametrize("said", NOTHING)
def test_what_names_nothing_is_not_understood(said: str) -> None:
    understood = understand(Heard(text=said, confidence=SURE), LEXICON)

    assert understood.nothing
    assert not understood.sure


def test_a_professional_needing_help_for_a_patient_is_put_through_not_sent_to_the_directory() -> (
    None
):
    said = "je suis infirmière et j'ai besoin d'aide pour un patient"

    understood = understand(Heard(text=said, confidence=SURE), LEXICON)

    assert (understood.referrer, understood.search) == (R.NURSE_TO_CONFIRM, None)


@pytest.mark.parametrize(
    ("confidence", "sure"),
    [(0.95, True), (SURE_FROM, True), (0.59, False), (0.2, False), (None, False)],
    ids=["high", "threshold", "just-below", "low", "no-confidence-given"],
)
def test_below_the_threshold_what_was_understood_is_read_back(
    confidence: float | None, sure: bool
) -> None:
    understood = understand(
        Heard(text="je suis infirmière à domicile", confidence=confidence), LEXICON
    )

    assert understood.referrer is R.NURSE
    assert understood.sure is sure
    assert understood.confidence == confidence


def test_two_types_of_the_same_rank_are_ambiguous_and_read_back_however_sure() -> None:
    understood = understand(Heard(text="je suis médecin ou infirmière", confidence=0.97), LEXICON)

    assert understood.referrer is R.DOCTOR_TO_CONFIRM  # the first said, to confirm
    assert not understood.sure


def test_a_low_confidence_directory_question_is_read_back() -> None:
    understood = understand(Heard(text="je cherche un SSIAD à Figeac", confidence=0.35), LEXICON)

    assert understood.search == Search(category=C.SSIAD, postal_code="46100", place="Figeac")
    assert not understood.sure


@pytest.mark.parametrize(
    ("said", "yes"),
    [
        ("oui", True),
        ("oui c'est ça", True),
        ("tout à fait", True),
        ("exactement", True),
        ("d'accord", True),
        ("ouais", True),
        ("non", False),
        ("non pas du tout", False),
        ("c'est pas ça", False),
        ("je sais pas", False),
        ("euh", False),
    ],
)
def test_a_read_back_is_answered_yes_or_not(said: str, yes: bool) -> None:
    assert says_yes(Heard(text=said, confidence=0.8)) is yes


@pytest.mark.parametrize(
    "understood",
    [
        Understood(referrer=R.NURSE, sure=True, rule="confirmed"),
        Understood(
            search=Search(category=C.SSIAD, postal_code="46100"), sure=True, rule="confirmed"
        ),
        Understood(search=Search(category=C.EHPAD), sure=True, rule="confirmed"),
        Understood(search=Search(postal_code="46000"), sure=True, rule="confirmed"),
    ],
    ids=["referrer", "category-and-place", "category", "place"],
)
def test_a_read_back_carries_its_meaning_in_plain_url_values(understood: Understood) -> None:
    params = params_of(understood)

    assert all(value.replace("_", "").isalnum() for _, value in params)
    assert understood_from(dict(params)) == understood


@pytest.mark.parametrize(
    "params",
    [{"referrer": "surgeon"}, {"search": "1", "category": "boulangerie"},
     {"search": "1", "postal": "46 100"}],
    ids=["unknown-referrer", "unknown-category", "not-a-postal-code"],
)  # fmt: skip
def test_a_read_back_naming_an_unknown_value_is_refused(params: dict[str, str]) -> None:
    with pytest.raises(ValueError):
        understood_from(params)


def test_hints_name_every_referrer_type_and_every_category_within_twilios_limits() -> None:
    hints = menu_hints()

    assert len(hints) <= MAX_HINTS
    assert all(0 < len(hint) <= 100 and "," not in hint for hint in hints)
    for rule in REFERRER_RULES:
        assert rule.phrases[0] in hints, rule.referrer
    assert {"SSIAD", "EHPAD", "CLIC", "MDPH"} <= set(hints)
    assert "oui" in YES_NO_HINTS


def test_every_intent_rule_is_named_and_described() -> None:
    names = [rule.name for rule in INTENT_RULES]

    assert len(set(names)) == len(names)
    assert all(rule.description for rule in INTENT_RULES)


# One sentence decided by each intent rule, in the order the rules are tried.
DECIDED_BY = {
    "asks-for-a-resource": "je suis infirmière et je cherche un SSIAD à Figeac",
    "says-who": "je suis l'infirmière du SSIAD de Figeac",
    "names-a-person": "l'assistante sociale de l'hôpital",
    "a-resource-and-a-place": "un EHPAD à Cahors",
    "names-an-establishment": "l'EHPAD",
    "names-a-resource": "Figeac",
}


def test_each_intent_rule_decides_a_sentence_of_its_own() -> None:
    assert list(DECIDED_BY) == [rule.name for rule in INTENT_RULES]
    for rule, said in DECIDED_BY.items():
        assert understand(Heard(text=said, confidence=SURE), LEXICON).rule == rule, said
