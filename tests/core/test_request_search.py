"""What one search box query asks for: a request number, a phone number (exactly, in E.164),
a mail address, the folded words of a name, a text for notes and messages; and what the
access journal keeps of it (never what was typed)."""

from __future__ import annotations

import pytest

from frontdoor.core.request_search import QueryError, RequestQuery, pages, read_query

KEY = b"k" * 32


@pytest.mark.parametrize(
    ("typed", "as_number", "expected"),
    [
        ("1234", None, RequestQuery(typed="1234", request_id=1234)),
        ("n° 1234", None, RequestQuery(typed="n° 1234", request_id=1234)),
        ("#12", None, RequestQuery(typed="#12", request_id=12)),
        ("06 12 34 56 78", "+33612345678",
         RequestQuery(typed="06 12 34 56 78", number="+33612345678")),
        ("+33 6.12.34.56.78", "+33612345678",
         RequestQuery(typed="+33 6.12.34.56.78", number="+33612345678")),
        ("Dr.Roux@Medecin.MSSante.fr", None,
         RequestQuery(typed="Dr.Roux@Medecin.MSSante.fr", address="dr.roux@medecin.mssante.fr",
                      text="Dr.Roux@Medecin.MSSante.fr")),
        ("  Hélène   de La Roux ", None,
         RequestQuery(typed="Hélène de La Roux", words=("helene", "roux"),
                      text="Hélène de La Roux")),
        ("12 rue des Lilas", None,
         RequestQuery(typed="12 rue des Lilas", words=("12", "rue", "lilas"),
                      text="12 rue des Lilas")),
        ("Li", None, RequestQuery(typed="Li", words=("li",))),
    ],
    ids=["digits", "n°", "hash", "national number", "international with dots", "address",
         "name", "postal address", "too short for text"],
)  # fmt: skip
def test_a_query_is_read_as_what_it_can_be(
    typed: str, as_number: str | None, expected: RequestQuery
) -> None:
    assert read_query(typed, as_number=as_number) == expected


@pytest.mark.parametrize("typed", ["", "   ", "x" * 201], ids=["empty", "blank", "too long"])
def test_a_query_that_cannot_be_made_says_why_in_french(typed: str) -> None:
    with pytest.raises(QueryError, match="recherche|tapez"):
        read_query(typed, as_number=None)


@pytest.mark.parametrize(
    ("typed", "as_number", "kind"),
    [
        ("42", None, "demande n° 42"),
        ("06 12 34 56 78", "+33612345678", "numéro pseudo:"),
        ("dr.roux@medecin.mssante.fr", None, "adresse pseudo:"),
        ("Hélène Roux", None, "texte pseudo:"),
    ],
)
def test_the_journal_keeps_the_kind_and_a_pseudonym_never_what_was_typed(
    typed: str, as_number: str | None, kind: str
) -> None:
    detail = read_query(typed, as_number=as_number).journal_detail(key=KEY, found=3)

    assert detail.startswith(f"recherche {kind}")
    assert detail.endswith(": 3 demandes")
    for secret in ("12 34", "+336", "roux", "Roux", "lène"):
        assert secret not in detail


def test_the_same_name_typed_two_ways_is_one_pseudonym() -> None:
    one = read_query("Hélène ROUX", as_number=None).journal_detail(key=KEY, found=1)
    other = read_query("helene roux", as_number=None).journal_detail(key=KEY, found=1)
    assert one == other


@pytest.mark.parametrize(("total", "expected"), [(0, 1), (1, 1), (25, 1), (26, 2), (51, 3)])
def test_results_fill_pages(total: int, expected: int) -> None:
    assert pages(total, 25) == expected
