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
