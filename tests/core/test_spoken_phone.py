# ruff: noqa: E501  (one number and its words to a line)
"""Phone numbers read as French speakers say them: in pairs."""

from __future__ import annotations

import pytest

from frontdoor.core.spoken import spoken_number, spoken_phone


@pytest.mark.parametrize(
    ("number", "spoken"),
    [
        ("+33565341200", "zéro cinq, soixante-cinq, trente-quatre, douze, zéro zéro"),
        ("05 65 34 12 00", "zéro cinq, soixante-cinq, trente-quatre, douze, zéro zéro"),
        ("05.65.34.12.00", "zéro cinq, soixante-cinq, trente-quatre, douze, zéro zéro"),
        ("+33387717180", "zéro trois, quatre-vingt-sept, soixante et onze, soixante et onze, quatre-vingts"),
        ("+33612999091", "zéro six, douze, quatre-vingt-dix-neuf, quatre-vingt-dix, quatre-vingt-onze"),
        ("+262262213040", "zéro deux, soixante-deux, vingt et un, trente, quarante"),
        ("3919", "trente-neuf, dix-neuf"),
        ("15", "quinze"),
        ("115", "un, quinze"),
        ("+4420", "quatre, quatre, deux, zéro"),
    ],
    ids=["e164", "spaced", "dotted", "moselle", "mobile", "reunion", "short", "samu", "odd", "foreign"],
)  # fmt: skip
def test_spoken_phone(number: str, spoken: str) -> None:
    assert spoken_phone(number) == spoken


@pytest.mark.parametrize(
    ("n", "words"),
    [(0, "zéro"), (7, "sept"), (17, "dix-sept"), (21, "vingt et un"), (22, "vingt-deux"),
     (60, "soixante"), (70, "soixante-dix"), (71, "soixante et onze"), (79, "soixante-dix-neuf"),
     (80, "quatre-vingts"), (81, "quatre-vingt-un"), (91, "quatre-vingt-onze")],
)  # fmt: skip
def test_spoken_number(n: int, words: str) -> None:
    assert spoken_number(n) == words
