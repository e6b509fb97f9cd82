"""Dates as the console writes them, in the department's time zone, in French."""

from __future__ import annotations

from datetime import datetime, tzinfo

from frontdoor.core.numbers import written_number, written_phone
from frontdoor.core.spoken import spoken_date

__all__ = ["full_moment", "short_moment", "written_number", "written_phone"]

WEEKDAYS_SHORT_FR = ("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim.")
MONTHS_SHORT_FR = (
    "janv.", "févr.", "mars", "avr.", "mai", "juin",
    "juil.", "août", "sept.", "oct.", "nov.", "déc.",
)  # fmt: skip


def short_moment(moment: datetime, *, timezone: tzinfo, now: datetime) -> str:
    """ "14:05" today, "mar. 24 nov. 14:05" this year, "24/11/2025 14:05" before."""
    local, today = moment.astimezone(timezone), now.astimezone(timezone)
    if local.date() == today.date():
        return f"{local:%H:%M}"
    if local.year == today.year:
        weekday, month = WEEKDAYS_SHORT_FR[local.weekday()], MONTHS_SHORT_FR[local.month - 1]
        return f"{weekday} {local.day} {month} {local:%H:%M}"
    return f"{local:%d/%m/%Y %H:%M}"


def full_moment(moment: datetime, *, timezone: tzinfo) -> str:
    """ "mardi 24 novembre 2026 à 14:05"."""
    local = moment.astimezone(timezone)
    return f"{spoken_date(local, year=True)} à {local:%H:%M}"
