"""Dates and times written the way a French speaker says them ("lundi 25 mai à 8 h 30")."""

from __future__ import annotations

from datetime import datetime, time

from frontdoor.core.calendar import WEEKDAY_NAMES_FR

MONTH_NAMES_FR = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip


def spoken_time(wall: time) -> str:
    """ "8 h 30", "14 h", "12 h 05"."""
    if wall.minute == 0:
        return f"{wall.hour} h"
    return f"{wall.hour} h {wall.minute:02d}"


def spoken_date(moment: datetime, *, year: bool = False) -> str:
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
