"""The person a request is about: her names folded as referents type them, her traits
checked, her age band, the persons suggested for a request, and the plan of a merge."""

from __future__ import annotations

from datetime import date

import pytest

from frontdoor.core.person_identity import (
    MAX_NAME_CHARS,
    MAX_NAME_KEY_CHARS,
    Candidate,
    MergeRefused,
    MergeSide,
    Probe,
    Sex,
    TraitsError,
    age_band_at,
    changed_traits,
    fold,
    matches_query,
    merge_plan,
    name_key,
    parse_ins,
    parse_traits,
    rank_suggestions,
)
from frontdoor.core.request_fields import AgeBand

TODAY = date(2026, 5, 12)


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("Dupont", ["dupont"]),
        ("DUPONT", ["dupont"]),
        ("Hélène-Éloïse", ["helene", "eloise"]),
        ("de La Fontaine", ["fontaine"]),
        ("Lafontaine", ["lafontaine"]),
        ("D'Arc", ["arc"]),
        ("d’Arc", ["arc"]),
        ("Van Gogh", ["gogh"]),
        ("Saint-Exupéry", ["saint", "exupery"]),
        ("St Exupery", ["saint", "exupery"]),
        ("Lœtitia", ["loetitia"]),
        ("  Le  ", ["le"]),  # only a particle: kept
        ("", []),
    ],
    ids=lambda value: repr(value),
)
def test_names_fold_as_a_referent_types_them(typed: str, folded: list[str]) -> None:
    assert fold(typed) == folded


def test_the_name_key_is_family_names_then_given_names() -> None:
    assert name_key("Dupont-Lajoie", "Marie Ève") == "dupont lajoie marie eve"
    assert name_key(None, None) is None


@pytest.mark.parametrize(
    ("family", "given"),
    [
        ("Œ" * MAX_NAME_CHARS, "Œ" * MAX_NAME_CHARS),  # each "oe" folded: 801 characters
        (("Cœur " * 40).strip(), ("Œdipe-Bœuf " * 18).strip()),
        ("ﬃ" * MAX_NAME_CHARS, "Marie"),  # "ffi" folded
    ],
)
def test_a_name_key_fits_its_column_however_long_the_names_fold(family: str, given: str) -> None:
    traits = parse_traits({"nom": family, "prenoms": given}, today=TODAY)  # each within bounds
    key = traits.name_key

    assert key is not None
    assert len(key) <= MAX_NAME_KEY_CHARS
    assert key.startswith(fold(family)[0][:50])
    assert fold(given)[0][:50] in key  # the given names keep their part
    assert matches_query(key, family[:20])


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("dup", True),
        ("Dupont", True),
        ("marie dupont", True),
        ("dup mar", True),
        ("DUPONT-LAJOIE", True),
        ("Éve", True),
        ("durand", False),
        ("dupont jeanne", False),
        ("", False),
    ],
)
def test_a_search_finds_a_person_when_every_word_begins_one_of_her_names(
    query: str, found: bool
) -> None:
    assert matches_query("dupont lajoie marie eve", query) is found


def test_traits_are_parsed_from_the_console_form() -> None:
    traits = parse_traits(
        {"nom": " Dupont ", "prenoms": "Marie  Ève", "naissance": "1942-03-01", "sexe": "female",
         "commune": "Cahors", "insee": "46042", "ins": "2 69 02 99 123 456 14"},
        today=TODAY,
    )  # fmt: skip

    assert traits.family_name == "Dupont"
    assert traits.given_names == "Marie Ève"
    assert (traits.birth_date, traits.birth_year) == (date(1942, 3, 1), 1942)
    assert traits.sex is Sex.FEMALE
    assert traits.ins == "269029912345614"
    assert traits.name_key == "dupont marie eve"


def test_every_trait_is_optional() -> None:
    traits = parse_traits({}, today=TODAY)

    assert all(value is None for value in traits.as_fields().values())


def test_a_birth_date_may_be_typed_the_french_way_or_only_its_year_known() -> None:
    assert parse_traits({"naissance": "1/3/1942"}, today=TODAY).birth_date == date(1942, 3, 1)
    only_year = parse_traits({"annee": "1942"}, today=TODAY)
    assert (only_year.birth_date, only_year.birth_year) == (None, 1942)


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"naissance": "2026-05-13"}, "date de naissance : dans le futur"),
        ({"naissance": "1899-12-31"}, "date de naissance : avant 1900"),
        ({"naissance": "31/02/1950"}, "date de naissance : à écrire JJ/MM/AAAA"),
        ({"naissance": "hier"}, "date de naissance : à écrire JJ/MM/AAAA"),
        ({"annee": "2027"}, "année de naissance : entre 1900 et 2026"),
        ({"annee": "42"}, "année de naissance : quatre chiffres"),
        ({"naissance": "1942-03-01", "annee": "1943"}, "ne correspond pas"),
        ({"sexe": "f"}, "sexe : valeur inconnue"),
        ({"insee": "4604"}, "code INSEE"),
        ({"nom": "x" * 201}, "nom : au plus 200 caractères"),
        ({"ins": "1 85 05 78 006 084 92"}, "INS : la clé ne correspond pas"),
        ({"ins": "1850578006084"}, "INS : 15 caractères"),
    ],
    ids=lambda value: str(value)[:40],
)
def test_traits_that_cannot_be_kept_are_refused_in_french(
    form: dict[str, str], message: str
) -> None:
    with pytest.raises(TraitsError, match=message):
        parse_traits(form, today=TODAY)


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("1 85 05 78 006 084 91", "185057800608491"),
        ("1.80.02.2A.004.321.55", "180022A004321" + "55"),  # Corsica: 2A counts as 19
        ("", None),
    ],
)
def test_the_ins_is_kept_without_spaces_once_its_key_is_checked(
    typed: str, kept: str | None
) -> None:
    assert parse_ins(typed) == kept


def test_what_changed_is_named_never_valued() -> None:
    assert changed_traits(
        {"family_name": "Dupont", "sex": None}, {"family_name": "Dupond", "sex": None}
    ) == ["family_name"]


@pytest.mark.parametrize(
    ("birth_date", "birth_year", "band"),
    [
        (date(1941, 5, 12), None, AgeBand.FROM_85),  # 85 today
        (date(1941, 5, 13), None, AgeBand.FROM_75),  # 85 tomorrow
        (date(2008, 5, 12), None, AgeBand.FROM_18),
        (date(2008, 5, 13), None, AgeBand.UNDER_18),
        (None, 1966, AgeBand.FROM_60),  # 60 reached this year
        (None, 1967, AgeBand.FROM_18),
        (None, 1951, AgeBand.FROM_75),
        (None, None, AgeBand.UNKNOWN),
    ],
    ids=str,
)
def test_the_age_band_at_a_date(
    birth_date: date | None, birth_year: int | None, band: AgeBand
) -> None:
    assert age_band_at(TODAY, birth_date=birth_date, birth_year=birth_year) is band


def _candidate(person_id: int, key: str | None, **rest: object) -> Candidate:
    fields: dict[str, object] = {"birth_date": None, "birth_year": None, **rest}
    return Candidate(person_id=person_id, name_key=key, **fields)  # type: ignore[arg-type]


def test_suggestions_rank_the_same_identity_then_the_same_caller_then_names() -> None:
    probe = Probe(name_key="dupont marie", birth_year=1942)
    candidates = [
        _candidate(1, "durand paul"),  # nothing in common: left out
        _candidate(2, "dupond marie"),  # a typo away
        _candidate(3, "dupont marie", birth_year=1950),  # same name, another birth
        _candidate(4, "martin rose", same_caller=True),
        _candidate(5, "dupont marie", birth_date=date(1942, 3, 1)),
    ]

    ranked = rank_suggestions(candidates, probe)

    assert [(s.person_id, [r.code for r in s.reasons]) for s in ranked] == [
        (5, ["same-identity"]),
        (4, ["same-caller"]),
        (3, ["same-name"]),
        (2, ["similar-name"]),
    ]
    assert ranked[0].reasons[0].text == "même nom et même date ou année de naissance"


def test_two_dates_of_birth_must_be_the_same_day_a_year_matches_either() -> None:
    probe = Probe(name_key="dupont marie", birth_date=date(1942, 3, 1))
    candidates = [
        _candidate(1, "dupont marie", birth_date=date(1942, 3, 2)),
        _candidate(2, "dupont marie", birth_year=1942),
    ]

    ranked = rank_suggestions(candidates, probe)

    assert [(s.person_id, s.reasons[0].code) for s in ranked] == [
        (2, "same-identity"),
        (1, "same-name"),
    ]


def test_names_typed_in_another_order_are_the_same_name() -> None:
    ranked = rank_suggestions(
        [_candidate(1, "dupont marie", birth_year=1942)],
        Probe(name_key="marie dupont", birth_year=1942),
    )

    assert [s.reasons[0].code for s in ranked] == ["same-identity"]


def test_without_a_name_typed_only_the_same_caller_is_suggested() -> None:
    ranked = rank_suggestions(
        [_candidate(1, "dupont marie"), _candidate(2, None, same_caller=True)], Probe()
    )

    assert [s.person_id for s in ranked] == [2]


def _side(person_id: int, department: str = "dac46", merged_into: int | None = None,
          **fields: object) -> MergeSide:  # fmt: skip
    return MergeSide(
        person_id=person_id, department=department, merged_into=merged_into, fields=fields
    )


def test_a_merge_fills_the_kept_file_blanks_and_keeps_its_own_values() -> None:
    kept = _side(1, family_name="Dupont", given_names=None, birth_year=1942, sex="female")
    absorbed = _side(2, family_name="Dupond", given_names="Marie", birth_date=date(1942, 3, 1),
                     birth_year=1942, gp_contact_id=7, sex="female")  # fmt: skip

    plan = merge_plan(kept, absorbed)

    assert (plan.kept, plan.absorbed) == (1, 2)
    assert plan.fills == {
        "given_names": "Marie",
        "birth_date": date(1942, 3, 1),
        "gp_contact_id": 7,
        "name_key": "dupont marie",
    }
    assert plan.conflicts == ["family_name"]


def test_a_date_of_birth_that_contradicts_the_kept_year_is_a_conflict_not_a_fill() -> None:
    plan = merge_plan(_side(1, birth_year=1943), _side(2, birth_date=date(1942, 3, 1),
                                                       birth_year=1942))  # fmt: skip

    assert plan.fills == {}
    assert plan.conflicts == ["birth_year", "birth_date"]


@pytest.mark.parametrize(
    ("kept", "absorbed", "message"),
    [
        (_side(1), _side(1), "elle-même"),
        (_side(1), _side(2, department="dac57"), "pas du même département"),
        (_side(1), _side(2, merged_into=3), "déjà été fusionnée"),
        (_side(1, merged_into=3), _side(2), "déjà été fusionnée"),
    ],
    ids=["itself", "another-department", "absorbed-already-merged", "kept-already-merged"],
)
def test_merges_that_cannot_be(kept: MergeSide, absorbed: MergeSide, message: str) -> None:
    with pytest.raises(MergeRefused, match=message):
        merge_plan(kept, absorbed)
