"""What a new password must be: long, not common, not a walk along the keyboard."""

from __future__ import annotations

import pytest

from frontdoor.console.passwords import common_passwords
from frontdoor.core.passwords import (
    COMMON,
    PATTERN,
    REPEATED,
    TOO_LONG,
    TOO_SHORT,
    WALK,
    runs,
    weakness,
)

COMMON_FEW = frozenset({"motdepasse", "soleil", "password", "azerty123456"})


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("court", TOO_SHORT),
        ("x" * 201, TOO_LONG),
        ("aaaaaaaaaaaa", REPEATED),
        ("abababababab", REPEATED),
        ("motdepassemotdepasse", PATTERN),
        ("ab12cd34ab12cd34ab", PATTERN),
        ("123456789012", WALK),
        ("098765432109", WALK),
        ("azertyuiop12", WALK),
        ("AZERTYUIOPQSDF", WALK),
        ("abcdefghijkl", WALK),
        ("qwerty123456", WALK),
        ("&é\"'(-è_çà)=", WALK),
        ("Motdepasse2024!", COMMON),
        ("!!Soleil123456", COMMON),
        ("azerty123456", WALK),  # a walk before it is common
        ("PASSWORD12345", COMMON),
        ("correct horse battery staple", None),
        ("demonstration-frontdoor", None),
        ("Le Lot en hiver 1987 !", None),
        ("tR8#vq2LmZ0p", None),
    ],
)
def test_a_new_password_is_refused_for_what_guessers_try_first(
    password: str, problem: str | None
) -> None:
    assert weakness(password, common=COMMON_FEW) == problem


@pytest.mark.parametrize(
    ("text", "count"),
    [("", 0), ("a", 1), ("abc", 1), ("aaa", 1), ("azerty", 1), ("ab12", 2), ("a1b2", 4)],
)
def test_runs_follow_the_alphabet_the_digits_and_the_keyboard(text: str, count: int) -> None:
    assert runs(text) == count


def test_the_shipped_list_holds_thousands_of_common_passwords_french_ones_too() -> None:
    shipped = common_passwords()

    assert len(shipped) > 5000
    assert {"motdepasse", "azerty", "soleil", "password", "doudou"} <= shipped
    assert all(word == word.casefold() and len(word) >= 4 for word in shipped)
