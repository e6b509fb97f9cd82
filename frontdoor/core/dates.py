"""Dates, times and instants that people type or links carry: read in one place, and only
within the years the service can mean.

Calendars, deadlines, retention and reports add days and years to what they are given, and
a year such as 9999 or 0001 takes them past what a datetime holds: so every date read from a
form, a query string, a signed webhook field or the command line goes through these
functions, which refuse anything outside 2000–2100 with a French message (ValueError).
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

FIRST_YEAR = 2000
LAST_YEAR = 2100
# Longest text quoted back in a message.
_QUOTED = 32


class DateRefused(ValueError):
    """Not a date, time or instant the service can mean; the message says why, in French."""


def quoted(text: str) -> str:
    """`text` as a message quotes it back: a huge number is cut short."""
    return text if len(text) <= _QUOTED else text[:_QUOTED] + "…"


def checked_year(year: int, text: str) -> int:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise DateRefused(f"« {quoted(text)} » : l'année doit aller de {FIRST_YEAR} à {LAST_YEAR}")
    return year


def parse_year(text: str) -> int:
    """ "2026"."""
    cleaned = text.strip()
    if not (cleaned.isascii() and cleaned.isdigit() and len(cleaned) <= 4):
        raise DateRefused(f"« {quoted(text)} » n'est pas une année (attendu : 2026)")
    return checked_year(int(cleaned), text)


def parse_day(text: str) -> date:
    """ "2026-05-12", as a date field sends it."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise DateRefused(f"« {quoted(text)} » n'est pas une date (attendu : 2026-05-12)") from None
    checked_year(day.year, text)
    return day


def parse_wall_time(text: str) -> time:
    """ "08:30", as a time field sends it (seconds allowed, no offset)."""
    try:
        wall = time.fromisoformat(text.strip())
    except ValueError:
        raise DateRefused(f"« {quoted(text)} » n'est pas une heure (attendu : 08:30)") from None
    if wall.tzinfo is not None:
        raise DateRefused(f"« {quoted(text)} » : une heure sans fuseau est attendue (08:30)")
    return wall


def parse_instant(text: str) -> datetime:
    """ "2026-05-12T10:00:00+02:00": an instant with its UTC offset."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise DateRefused(
            f"« {quoted(text)} » n'est pas un instant (attendu : 2026-05-12T10:00:00+02:00)"
        ) from None
    if moment.tzinfo is None:
        raise DateRefused(f"« {quoted(text)} » : il manque le décalage horaire (+02:00)")
    # Within these years, moving it to UTC or to a department's zone never leaves what a
    # datetime holds (9999-12-31T23:59-14:00 would be in year 10000 in UTC).
    checked_year(moment.year, text)
    return moment


def local_instant(day: date, wall: time, timezone: ZoneInfo) -> datetime:
    """The instant a wall clock of `timezone` shows on `day` (both read by the functions above)."""
    checked_year(day.year, day.isoformat())
    return datetime.combine(day, wall, tzinfo=timezone)


def parse_local(text: str, timezone: ZoneInfo) -> datetime:
    """ "2026-05-14 19:05" on the wall clocks of `timezone` (the command line's --at, --from)."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise DateRefused(
            f"« {quoted(text)} » n'est pas une heure locale (attendu : 2026-05-14 19:05)"
        ) from None
    if moment.tzinfo is not None:
        raise DateRefused(f"« {quoted(text)} » : une heure locale, sans décalage, est attendue")
    return local_instant(moment.date(), moment.time(), timezone)
