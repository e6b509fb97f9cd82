"""Whom a person's rights reach: exactly the identifiers given, and what the journal keeps."""

from __future__ import annotations

from datetime import date

import pytest

from frontdoor.core.persons import (
    COUNTED,
    DETAIL_CHARS,
    Identifiers,
    Named,
    is_the_callers,
    journal_detail,
    keeps_caller,
    names_person,
    preview_digest,
)
from frontdoor.core.retention import pseudonym

NUMBER, OTHER_NUMBER = "+33611223344", "+33699000000"
ADDRESS, OTHER_ADDRESS = "dr.roux@cabinet.mssante.fr", "autre@cabinet.mssante.fr"

# (asked: number, address) × (a row's: number, address) → whether the row is the person's.
MATCHES = [
    ("number-alone-finds-its-number", NUMBER, None, NUMBER, None, True),
    ("number-alone-finds-its-number-beside-an-address", NUMBER, None, NUMBER, OTHER_ADDRESS, True),
    ("number-alone-skips-a-row-without-number", NUMBER, None, None, OTHER_ADDRESS, False),
    ("number-alone-skips-a-row-with-nothing", NUMBER, None, None, None, False),
    ("number-alone-skips-another-number", NUMBER, None, OTHER_NUMBER, None, False),
    ("address-alone-finds-its-address", None, ADDRESS, None, ADDRESS, True),
    ("address-alone-skips-a-row-without-address", None, ADDRESS, OTHER_NUMBER, None, False),
    ("address-alone-skips-a-row-with-nothing", None, ADDRESS, None, None, False),
    ("address-alone-skips-another-address", None, ADDRESS, None, OTHER_ADDRESS, False),
    ("both-find-the-number", NUMBER, ADDRESS, NUMBER, None, True),
    ("both-find-the-address", NUMBER, ADDRESS, None, ADDRESS, True),
    ("both-find-a-row-with-both", NUMBER, ADDRESS, NUMBER, ADDRESS, True),
    ("both-skip-a-row-with-neither", NUMBER, ADDRESS, OTHER_NUMBER, OTHER_ADDRESS, False),
    ("both-skip-a-row-with-nothing", NUMBER, ADDRESS, None, None, False),
]


@pytest.mark.parametrize(
    ("asked_number", "asked_address", "number", "address", "matches"),
    [case[1:] for case in MATCHES],
    ids=[case[0] for case in MATCHES],
)
def test_a_row_is_the_persons_only_through_an_identifier_given(
    asked_number: str | None,
    asked_address: str | None,
    number: str | None,
    address: str | None,
    matches: bool,
) -> None:
    who = Identifiers(number=asked_number, address=asked_address)

    assert who.match(number=number, address=address) is matches


@pytest.mark.parametrize(("number", "address"), [(None, None), ("", ""), ("", None)])
def test_nobody_is_asked_about_without_an_identifier(
    number: str | None, address: str | None
) -> None:
    with pytest.raises(ValueError, match="a number or an address"):
        Identifiers(number=number, address=address)


def test_the_preview_digest_changes_with_any_row_and_not_with_their_order() -> None:
    who = Identifiers(number=NUMBER)
    rows = [("requests", 1), ("messages", 7), ("outbox", 3)]

    digest = preview_digest("dac46", who, rows)

    assert digest == preview_digest("dac46", who, list(reversed(rows)))
    assert digest != preview_digest("dac46", who, [*rows, ("messages", 8)])
    assert digest != preview_digest("dac46", who, rows[:-1])
    assert digest != preview_digest("dac57", who, rows)
    assert digest != preview_digest("dac46", Identifiers(number=OTHER_NUMBER), rows)


def test_the_journal_line_holds_pseudonyms_and_counts_within_its_column() -> None:
    key = b"test-key"
    counts = {name: 1234 for name, _label in COUNTED}

    detail = journal_detail(
        number=pseudonym(NUMBER, key), address=pseudonym(ADDRESS, key), counts=counts
    )

    assert len(detail) <= DETAIL_CHARS
    assert "611223344" not in detail
    assert ADDRESS not in detail
    assert detail.startswith(f"numéro {pseudonym(NUMBER, key)} adresse {pseudonym(ADDRESS, key)}")
    assert "1234 demandes" in detail


# (typed: family, given, birth date, birth year) × (a file's: family, given, born) → match.
BORN = date(1941, 3, 2)
NAMED = [
    ("family-name-folded", ("temoin", None, None, None), ("Témoin", "Ginette", BORN), True),
    ("particles-and-hyphens", ("de la Roche", None, None, None), ("Laroche", None, None), False),
    ("particles-left-out", ("de la Roche", None, None, None), ("Roche", None, None), True),
    ("another-family-name", ("Témoin", None, None, None), ("Témoin-Dubois", None, None), False),
    ("family-name-on-a-file-without", ("Témoin", None, None, None), (None, "Témoin", None), False),
    ("given-names-too", ("Témoin", "ginette", None, None), ("TEMOIN", "Ginette", None), True),
    ("other-given-names", ("Témoin", "Marie", None, None), ("Témoin", "Ginette", None), False),
    ("given-names-asked-file-without", ("Témoin", "Marie", None, None), ("Témoin", None, None),
     False),
    ("birth-date-hers", ("Témoin", None, BORN, 1941), ("Témoin", None, BORN), True),
    ("birth-date-another", ("Témoin", None, BORN, 1941), ("Témoin", None, date(1941, 3, 3)),
     False),
    ("birth-date-asked-file-without", ("Témoin", None, BORN, 1941), ("Témoin", None, None),
     False),
    ("birth-year-hers", ("Témoin", None, None, 1941), ("Témoin", None, BORN), True),
]  # fmt: skip


@pytest.mark.parametrize(
    ("typed", "file", "matches"),
    [case[1:] for case in NAMED],
    ids=[case[0] for case in NAMED],
)
def test_a_file_is_the_person_named_only_when_each_trait_typed_is_hers(
    typed: tuple[str | None, str | None, date | None, int | None],
    file: tuple[str | None, str | None, date | None],
    matches: bool,
) -> None:
    family, given, birth_date, birth_year = typed
    named = Named(family_name=family, given_names=given, birth_date=birth_date,
                  birth_year=birth_year)  # fmt: skip
    her_family, her_given, born = file

    assert named.match(family_name=her_family, given_names=her_given, birth_date=born,
                       birth_year=born.year if born else None) is matches  # fmt: skip


@pytest.mark.parametrize(("family", "given"), [(None, None), ("", " "), ("-", "'")])
def test_nobody_is_asked_about_by_name_without_a_name(
    family: str | None, given: str | None
) -> None:
    with pytest.raises(ValueError, match="a name"):
        Named(family_name=family, given_names=given)


PROFESSIONALS = {"+33565000001", "dr.roux@cabinet.mssante.fr"}


@pytest.mark.parametrize(
    ("number", "address", "kept"),
    [
        ("+33565000001", None, True),
        (None, "Dr.Roux@cabinet.mssante.fr", True),
        ("+33622000000", None, False),
        (None, None, False),
        ("+33622000000", "fille@gmail.com", False),
    ],
    ids=["gp-by-number", "gp-by-address", "a-stranger", "withheld", "a-stranger-by-both"],
)
def test_a_request_keeps_its_caller_only_when_a_known_professional_called(
    number: str | None, address: str | None, kept: bool
) -> None:
    assert keeps_caller(number=number, address=address, professionals=PROFESSIONALS) is kept


def test_a_persons_preview_digest_is_her_files_and_not_an_identifiers() -> None:
    rows = [("persons", 1), ("requests", 7)]

    assert preview_digest("dac46", 1, rows) != preview_digest("dac46", 2, rows)
    assert preview_digest("dac46", 1, rows) != preview_digest(
        "dac46", Identifiers(number=NUMBER), rows
    )


# (her linked requests, the caller's requests, those where the caller was the person) → goes.
CALLERS = [
    ("she-called-for-herself", {1, 2}, {1, 2, 3}, {1}, True),
    ("the-caller-only-spoke-of-her", {1, 2}, {1, 2}, set(), False),
    ("others-called-about-her-too", {1, 4}, {1, 2}, {1}, False),
    ("a-file-linked-to-nothing", set(), {1, 2}, {1}, False),
    ("she-called-but-not-from-this-number", {4}, {1, 2}, {4}, False),
]


@pytest.mark.parametrize(
    ("linked", "callers", "self_referred", "goes"),
    [case[1:] for case in CALLERS],
    ids=[case[0] for case in CALLERS],
)
def test_a_callers_erasure_reaches_a_file_only_when_the_person_is_that_caller(
    linked: set[int], callers: set[int], self_referred: set[int], goes: bool
) -> None:
    assert is_the_callers(linked=linked, callers=callers, self_referred=self_referred) is goes


# (text, family name, given names) → whether the text names her.
NAMED_IN_TEXTS = [
    ("first-name-then-family", "Ma patiente Ginette Témoin sort jeudi", "Témoin", "Ginette", True),
    ("family-then-first-name", "TEMOIN ginette, 84 ans", "Témoin", "Ginette", True),
    ("one-of-her-given-names", "Mme Témoin (Jeanne) appelle", "Témoin", "Ginette Jeanne", True),
    ("compound-family-name", "M. Jean Dupont-Lajoie est sorti", "Dupont Lajoie", "Jean", True),
    ("family-name-alone", "Mme Témoin sort jeudi", "Témoin", "Ginette", False),
    ("given-name-alone", "Ginette sort jeudi", "Témoin", "Ginette", False),
    ("part-of-a-compound-only", "M. Jean Dupont est sorti", "Dupont Lajoie", "Jean", False),
    ("inside-another-word", "Ginette Témoins de Jéhovah", "Témoin", "Ginette", False),
    ("file-without-given-names", "Ginette Témoin sort jeudi", "Témoin", None, False),
    ("file-without-family-name", "Ginette Témoin sort jeudi", None, "Ginette", False),
]


@pytest.mark.parametrize(
    ("text", "family", "given", "named"),
    [case[1:] for case in NAMED_IN_TEXTS],
    ids=[case[0] for case in NAMED_IN_TEXTS],
)
def test_a_text_names_a_person_by_her_family_name_and_one_given_name_as_words(
    text: str, family: str | None, given: str | None, named: bool
) -> None:
    assert names_person(text, family_name=family, given_names=given) is named
