"""Phone numbers as personal data: recognising withheld ones, masking them for logs."""

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


def masked(number: str | None) -> str:
    """A number as it may appear in a log: country code and last two digits only."""
    if is_withheld(number):
        return "masqué"
    assert number is not None
    return f"{number[:3]}…{number[-2:]}"
