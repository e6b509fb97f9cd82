"""Callers' numbers: recognising a withheld one, which cannot be called back; reading a typed
one in its department's territory; telling a mobile, which can take an SMS."""

from __future__ import annotations

import re

import phonenumbers

_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
# What Twilio puts in From when the caller withholds their number.
_WITHHELD = {"", "anonymous", "restricted", "unknown", "unavailable", "+266696687", "+86282452253"}


def is_withheld(number: str | None) -> bool:
    """True when there is no number to call back."""
    if number is None:
        return True
    return number.strip().lower() in _WITHHELD or not _E164.match(number.strip())


# France's country codes: metropolitan France, and the overseas departments, each dialled
# nationally as 0 + the nine digits (+262 692 12 34 56 is 06 92 12 34 56 in Réunion;
# Mayotte is +262 too: +269 is the Comoros).
FRENCH_PREFIXES = ("+33", "+262", "+590", "+594", "+596")


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
    for prefix in FRENCH_PREFIXES:
        national = number[len(prefix) :]
        if number.startswith(prefix) and len(national) == 9 and national.isdigit():
            digits = "0" + national
            return " ".join(digits[i : i + 2] for i in range(0, 10, 2))
    return number


# The territory (ISO 3166 code, as the numbering metadata names it) of each overseas
# département or collectivity (INSEE code); every other one is metropolitan France's, "FR".
# La Réunion and Mayotte share +262, Guadeloupe, Saint-Barthélemy and Saint-Martin +590;
# Saint-Pierre-et-Miquelon (+508) has six-digit numbers of its own.
REGION_OF_DEPARTEMENT = {
    "971": "GP", "972": "MQ", "973": "GF", "974": "RE", "976": "YT",
    "975": "PM", "977": "BL", "978": "MF",
}  # fmt: skip
# The territories of the French ten-digit plan, dialled 0 + nine digits from any of them:
# from Paris, 02 62 … reaches La Réunion; from La Réunion, 06 12 … a metropolitan mobile.
_OVERSEAS_PLAN = ("RE", "YT", "GP", "BL", "MF", "MQ", "GF")
_FRENCH_REGIONS = frozenset({"FR", "PM", *_OVERSEAS_PLAN})
_PLACED: frozenset[int] = frozenset(
    {
        phonenumbers.PhoneNumberType.FIXED_LINE,
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    }
)
_MOBILE: frozenset[int] = frozenset(
    {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
)


def region_of(departement: str | None) -> str:
    """The numbering territory of a département ("974" → "RE"); metropolitan France's for
    any other, and when none is known."""
    return REGION_OF_DEPARTEMENT.get((departement or "").strip().upper(), "FR")


def parse_phone(text: str, region: str = "FR") -> str | None:
    """A number as someone typed it, in E.164; None when it is no valid number.

    International forms ("+262 692…", "00 262 692…") are read as written. A national one is
    read in the department's territory (`region`): "41 12 34" in Saint-Pierre-et-Miquelon,
    "0800 …" in La Réunion is La Réunion's. The ten-digit plan being shared, a number of
    another territory's geographic or mobile range is that territory's, wherever it is typed:
    "0262 …" is La Réunion, "0596 …" Martinique, "0269 …" Mayotte, "06 12 …" metropolitan.
    """
    typed = text.strip()
    if typed.startswith("00"):
        typed = "+" + typed[2:]
    if typed.startswith("+"):
        return _valid(typed, None, accept=None)
    others = [r for r in _OVERSEAS_PLAN if r != region]
    tries: list[tuple[str, frozenset[int] | None]] = [(region, None)] if region != "FR" else []
    tries += [(other, _PLACED) for other in others] + [("FR", None)]
    for territory, accept in tries:
        found = _valid(typed, territory, accept=accept)
        if found is not None:
            return found
    return None


def _valid(text: str, region: str | None, *, accept: frozenset[int] | None) -> str | None:
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    if accept is not None and phonenumbers.number_type(number) not in accept:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def is_mobile(number: str | None) -> bool:
    """Whether an E.164 number is a French mobile, which can take an SMS: 06 and 07 in
    metropolitan France, and each overseas territory's own ranges (06 92/06 93 La Réunion,
    06 39 Mayotte, 06 90/06 91 the Antilles, 06 94 Guyane, 55 Saint-Pierre-et-Miquelon…).
    A landline, a foreign or a withheld number is not."""
    if number is None or is_withheld(number):
        return False
    try:
        parsed = phonenumbers.parse(number.strip(), None)
    except phonenumbers.NumberParseException:
        return False
    return (
        phonenumbers.is_valid_number(parsed)
        and phonenumbers.region_code_for_number(parsed) in _FRENCH_REGIONS
        and phonenumbers.number_type(parsed) in _MOBILE
    )
