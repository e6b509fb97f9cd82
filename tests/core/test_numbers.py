"""Numbers as a French reader writes them."""

from __future__ import annotations

import pytest

from frontdoor.core.numbers import written_number, written_phone


@pytest.mark.parametrize(
    ("number", "written"),
    [
        pytest.param("+33612345678", "06 12 34 56 78", id="french-mobile"),
        pytest.param("+33565367387", "05 65 36 73 87", id="french-landline"),
        pytest.param("+262692123456", "06 92 12 34 56", id="reunion-mobile"),
        pytest.param("+594594123456", "05 94 12 34 56", id="guyane-landline"),
        pytest.param("+442079460958", "+442079460958", id="foreign-stays-international"),
        pytest.param("anonymous", "numéro masqué", id="withheld"),
        pytest.param(None, "numéro masqué", id="none"),
    ],
)
def test_a_number_is_written_the_french_way(number: str | None, written: str) -> None:
    assert written_number(number) == written


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        pytest.param("+33536491001", "05 36 49 10 01", id="e164-french"),
        pytest.param("05 36 49 10 01", "05 36 49 10 01", id="already-national"),
        pytest.param("3977", "3977", id="short-number-as-typed"),
        pytest.param("+442079460958", "+442079460958", id="foreign"),
    ],
)
def test_a_resource_phone_is_written_the_french_way_and_never_masked(
    typed: str, written: str
) -> None:
    assert written_phone(typed) == written
