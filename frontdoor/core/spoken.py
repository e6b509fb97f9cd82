"""Dates and times written the way a French speaker says them ("lundi 25 mai à 8 h 30")."""

from __future__ import annotations

from datetime import date, datetime, time

from frontdoor.core.calendar import WEEKDAY_NAMES_FR
from frontdoor.core.numbers import FRENCH_PREFIXES

MONTH_NAMES_FR = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip


def spoken_time(wall: time) -> str:
    """ "8 h 30", "14 h", "12 h 05"."""
    if wall.minute == 0:
        return f"{wall.hour} h"
    return f"{wall.hour} h {wall.minute:02d}"


def spoken_date(moment: date, *, year: bool = False) -> str:
    """ "lundi 25 mai", "vendredi 1er mai", "jeudi 7 janvier 2027"."""
    day = "1er" if moment.day == 1 else str(moment.day)
    text = f"{WEEKDAY_NAMES_FR[moment.weekday()]} {day} {MONTH_NAMES_FR[moment.month - 1]}"
    return f"{text} {moment.year}" if year else text


def spoken_moment(moment: datetime, *, now: datetime) -> str:
    """When something happens, relative to ``now`` as a person would say it.

    Both are aware; the words use ``moment``'s own time zone (the department's).
    """
    local_now = now.astimezone(moment.tzinfo)
    days_ahead = (moment.date() - local_now.date()).days
    at = spoken_time(moment.time())
    if days_ahead == 0:
        return f"aujourd'hui à {at}"
    if days_ahead == 1:
        return f"demain, {spoken_date(moment)}, à {at}"
    # A date more than ~10 months away would be ambiguous without its year.
    return f"{spoken_date(moment, year=days_ahead > 300)} à {at}"


_UNITS = (
    "zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf",
    "dix", "onze", "douze", "treize", "quatorze", "quinze", "seize",
)  # fmt: skip
_TENS = {2: "vingt", 3: "trente", 4: "quarante", 5: "cinquante", 6: "soixante"}


def spoken_number(n: int) -> str:
    """0–99 as French speakers say them: "soixante et onze", "quatre-vingt-dix-neuf"."""
    if n < 17:
        return _UNITS[n]
    if n < 20:
        return f"dix-{_UNITS[n - 10]}"
    if n >= 80:
        rest = n - 80
        return "quatre-vingts" if rest == 0 else f"quatre-vingt-{spoken_number(rest)}"
    tens, unit = divmod(n, 10)
    if tens == 7:
        tens, unit = 6, unit + 10
    word = _TENS[tens]
    if unit == 0:
        return word
    if unit in (1, 11):
        return f"{word} et {_UNITS[unit]}"
    return f"{word}-{spoken_number(unit)}"


def _pair(digits: str) -> str:
    # "05" is said "zéro cinq", "00" "zéro zéro": a leading zero is its own word.
    if digits[0] == "0":
        return " ".join(_UNITS[int(d)] for d in digits)
    return spoken_number(int(digits))


def spoken_phone(number: str) -> str:
    """ "+33565341200" → "zéro cinq, soixante-cinq, trente-quatre, douze, zéro zéro".

    French numbers are read in pairs; short numbers ("15", "3919") too; a foreign number,
    which a French speaker would not group this way, digit by digit.
    """
    compact = "".join(c for c in number if c.isdigit() or c == "+")
    for prefix in FRENCH_PREFIXES:
        if compact.startswith(prefix) and len(compact) == len(prefix) + 9:
            compact = "0" + compact[-9:]
            break
    if compact.startswith("+") or not compact:
        return ", ".join(_UNITS[int(d)] for d in compact if d.isdigit())
    if len(compact) % 2:  # "115": the first digit alone, then pairs ("un, quinze")
        head, compact = compact[0], compact[1:]
        return ", ".join([_UNITS[int(head)], *(_pair(p) for p in _pairs(compact))])
    return ", ".join(_pair(p) for p in _pairs(compact))


def _pairs(digits: str) -> list[str]:
    return [digits[i : i + 2] for i in range(0, len(digits), 2)]
