"""Whether a new password is good enough: long, not common, not a keyboard walk.

Length first (NIST SP 800-63B and the ANSSI both put it first), then what guessers try
before anything else: the common passwords of public leaks (the list is given by the caller,
frontdoor/console/common_passwords.txt), alone or with digits and signs around them
("Soleil2024!"), a pattern repeated ("abcabcabcabc"), and runs along the keyboard or the
alphabet ("123456789012", "azertyuiop12").
"""

from __future__ import annotations

import string
from collections.abc import Collection

MIN_LENGTH = 12
# Past this, a passphrase is long enough and the checks below are not worth their time.
MAX_LENGTH = 200
# Fewer distinct characters than this: a repetition ("aaaaaaaaaaaa", "abababababab").
MIN_DISTINCT = 5
# A password made of fewer runs than this (each run a walk along one of SEQUENCES, or one
# character repeated) is a walk: "123456789012" is one run, "azertyuiop12" two.
MIN_RUNS = 4
SEQUENCES = (
    string.ascii_lowercase,
    "01234567890",  # and on again: 9, 0, 1
    "azertyuiop",
    "qsdfghjklm",
    "wxcvbn",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
    "&é\"'(-è_çà)=",  # the French keyboard's top row, unshifted
)
_NEIGHBOURS = frozenset(
    pair
    for sequence in SEQUENCES
    for a, b in zip(sequence, sequence[1:], strict=False)
    for pair in ((a, b), (b, a))
)
# What people put around a common word to pass a rule: "Motdepasse2024!".
_AROUND = string.digits + string.punctuation + " "

TOO_SHORT = f"au moins {MIN_LENGTH} caractères"
TOO_LONG = f"au plus {MAX_LENGTH} caractères"
REPEATED = "trop de caractères répétés"
PATTERN = "un motif répété se devine trop facilement"
WALK = "une suite de touches, de lettres ou de chiffres se devine trop facilement"
COMMON = "ce mot de passe (ou le mot qu'il contient) est parmi les plus courants"


def weakness(password: str, *, common: Collection[str]) -> str | None:
    """Why a new password is refused, in French; None when it is acceptable. `common` holds
    the common passwords in lower case."""
    if len(password) < MIN_LENGTH:
        return TOO_SHORT
    if len(password) > MAX_LENGTH:
        return TOO_LONG
    folded = password.casefold()
    if len(set(folded)) < MIN_DISTINCT:
        return REPEATED
    if _repeats_a_pattern(folded):
        return PATTERN
    if runs(folded) < MIN_RUNS:
        return WALK
    stem = folded.strip(_AROUND)
    if folded in common or (stem and stem in common):
        return COMMON
    return None


def runs(text: str) -> int:
    """How many runs `text` is made of: a run goes on while each character repeats the one
    before or is its neighbour in one of SEQUENCES (either way)."""
    count = 1 if text else 0
    for before, after in zip(text, text[1:], strict=False):
        if before != after and (before, after) not in _NEIGHBOURS:
            count += 1
    return count


def _repeats_a_pattern(text: str) -> bool:
    """`text` is one shorter piece over and over ("motdepassemotdepasse", "ab12ab12ab12")."""
    return any(
        text == (text[:size] * (len(text) // size + 1))[: len(text)]
        for size in range(1, len(text) // 2 + 1)
    )
