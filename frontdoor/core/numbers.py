"""Callers' numbers: recognising a withheld one, which cannot be called back."""

from __future__ import annotations

import re

_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
# What Twilio puts in From when the caller withholds their number.
_WITHHELD = {"", "anonymous", "restricted", "unknown", "unavailable", "+266696687", "+86282452253"}


def is_withheld(number: str | None) -> bool:
    """True when there is no number to call back."""
    if number is None:
        return True
    return number.strip().lower() in _WITHHELD or not _E164.match(number.strip())


# France's country codes: metropolitan France, and the overseas departments, each dialled
# nationally as 0 + the nine digits (+262 692 12 34 56 is 06 92 12 34 56 in Réunion).
_FRENCH_PREFIXES = ("+33", "+262", "+590", "+594", "+596")


def written_number(number: str | None) -> str:
    """A number as a French reader writes it: "06 12 34 56 78" for a French one (+33 and
    the overseas departments), international for a foreign one, "numéro masqué" when withheld."""
    if is_withheld(number):
        return "numéro masqué"
    assert number is not None
    return written_phone(number)


def written_phone(text: str) -> str:
    """A phone number typed by someone (a directory's resource): a French one in E.164
    written nationally, anything else as it was typed ("05 65 …" already is)."""
    number = text.strip()
    for prefix in _FRENCH_PREFIXES:
        national = number[len(prefix) :]
        if number.startswith(prefix) and len(national) == 9 and national.isdigit():
            digits = "0" + national
            return " ".join(digits[i : i + 2] for i in range(0, 10, 2))
    return number
