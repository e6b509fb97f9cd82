"""A referent qualifies a request: only the vocabulary's values, and a trace of each change."""

from __future__ import annotations

import pytest

from frontdoor.core.qualification import (
    QualificationError,
    changes,
    confirms_referrer,
    parse_qualification,
)
from frontdoor.core.referrers import ReferrerType
from frontdoor.core.request_fields import AgeBand, Problem


def test_the_form_becomes_a_qualification_with_problems_once_each_and_sorted() -> None:
    wanted = parse_qualification(
        referrer_type="nurse",
        age_band="85+",
        problems=["social", "carers", "social", ""],
    )

    assert wanted.referrer_type is ReferrerType.NURSE
    assert wanted.age_band is AgeBand.FROM_85
    assert wanted.problems == (Problem.CARERS, Problem.SOCIAL)


def test_empty_fields_stay_unsaid() -> None:
    wanted = parse_qualification(referrer_type="gp", age_band="", problems=[])

    assert (wanted.age_band, wanted.problems) == (None, ())


@pytest.mark.parametrize(
    "fields",
    [
        {"referrer_type": "dentist"},
        {"referrer_type": "gp", "age_band": "100-120"},
        {"referrer_type": "gp", "problems": ["weather"]},
    ],
)
def test_a_value_outside_the_vocabulary_is_refused(fields: dict[str, object]) -> None:
    arguments = {"age_band": None, "problems": [], **fields}

    with pytest.raises(QualificationError):
        parse_qualification(**arguments)  # type: ignore[arg-type]


def test_each_change_is_one_french_reason_and_no_change_is_none() -> None:
    wanted = parse_qualification(
        referrer_type="specialist",
        age_band="60-74",
        problems=["medical"],
    )

    reasons = changes(
        referrer_type="gp",
        age_band="60-74",
        problems=[],
        wanted=wanted,
        by="am",
    )
    same = changes(
        referrer_type="specialist",
        age_band="60-74",
        problems=["medical"],
        wanted=wanted,
        by="am",
    )

    assert [reason.text for reason in reasons] == [
        "type d'adresseur corrigé par am : Médecin généraliste → Médecin spécialiste",
        "problématiques : Médicale, soins",
    ]
    assert same == []


def test_saving_confirms_a_guessed_referrer_type_once() -> None:
    wanted = parse_qualification(referrer_type="gp", age_band=None, problems=[])

    assert confirms_referrer(referrer_source="menu", wanted=wanted, referrer_type="gp")
    assert not confirms_referrer(referrer_source="referent", wanted=wanted, referrer_type="gp")


# (id, the referrer type the form sends, the request's referrer type and where it came from)
LEFT_EMPTY = [
    ("unknown stays unknown", "", "unknown", "menu"),
    ("a guess stays a guess", "", "gp", "known_contact"),
    ("a confirmed type stays confirmed", "", "nurse", "referent"),
    ("unknown sent as such is the empty choice", "unknown", "unknown", "menu"),
]


@pytest.mark.parametrize(
    ("sent", "referrer_type", "source"), [c[1:] for c in LEFT_EMPTY], ids=[c[0] for c in LEFT_EMPTY]
)
def test_a_referrer_type_left_empty_records_nothing_and_confirms_nothing(
    sent: str, referrer_type: str, source: str
) -> None:
    wanted = parse_qualification(referrer_type=sent, age_band="85+", problems=[])

    assert wanted.referrer_type is None
    assert not confirms_referrer(referrer_source=source, wanted=wanted, referrer_type=referrer_type)
    reasons = changes(
        referrer_type=referrer_type,
        age_band=None,
        problems=[],
        wanted=wanted,
        by="am",
    )
    assert [reason.code for reason in reasons] == ["age-band"]
