"""Dates, times and instants as people type them or links carry them: read within the years
the service can mean, refused in French otherwise."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from frontdoor.core.dates import (
    DateRefused,
    local_instant,
    parse_day,
    parse_instant,
    parse_local,
    parse_wall_time,
    parse_year,
)

PARIS = ZoneInfo("Europe/Paris")
HUGE = "9" * 40

# (id, parser, text, what it reads)
READ: list[tuple[str, Callable[[str], Any], str, Any]] = [
    ("a day", parse_day, "2026-05-12", date(2026, 5, 12)),
    ("the first day", parse_day, "2000-01-01", date(2000, 1, 1)),
    ("the last day", parse_day, "2100-12-31", date(2100, 12, 31)),
    ("a time", parse_wall_time, "08:30", time(8, 30)),
    ("a time with seconds", parse_wall_time, "23:59:59", time(23, 59, 59)),
    ("a year", parse_year, "2026", 2026),
    ("a year with spaces", parse_year, " 2026 ", 2026),
    (
        "an instant",
        parse_instant,
        "2026-05-12T10:00:00+02:00",
        datetime(2026, 5, 12, 8, 0, tzinfo=UTC),
    ),
    (
        "an instant in UTC",
        parse_instant,
        "2026-05-12T08:00:00Z",
        datetime(2026, 5, 12, 8, 0, tzinfo=UTC),
    ),
    (
        "the last instant far west",
        parse_instant,
        "2100-12-31T23:59:59-12:00",
        datetime(2100, 12, 31, 23, 59, 59, tzinfo=timezone(timedelta(hours=-12))),
    ),
]


@pytest.mark.parametrize(("parse", "text", "read"), [r[1:] for r in READ], ids=[r[0] for r in READ])
def test_what_people_type_is_read(parse: Callable[[str], Any], text: str, read: Any) -> None:
    assert parse(text) == read


# (id, parser, text, what the French message says)
REFUSED: list[tuple[str, Callable[[str], Any], str, str]] = [
    ("day 9999", parse_day, "9999-12-31", "l'année doit aller de 2000 à 2100"),
    ("day 0001", parse_day, "0001-01-01", "l'année doit aller de 2000 à 2100"),
    ("day 1999", parse_day, "1999-12-31", "l'année doit aller de 2000 à 2100"),
    ("day 2101", parse_day, "2101-01-01", "l'année doit aller de 2000 à 2100"),
    ("day garbage", parse_day, "demain", "n'est pas une date"),
    ("day huge", parse_day, HUGE, "n'est pas une date"),
    ("day 30 February", parse_day, "2026-02-30", "n'est pas une date"),
    ("time 25:00", parse_wall_time, "25:00", "n'est pas une heure"),
    ("time huge", parse_wall_time, HUGE, "n'est pas une heure"),
    ("time with an offset", parse_wall_time, "08:30+02:00", "sans fuseau"),
    ("year 9999", parse_year, "9999", "l'année doit aller de 2000 à 2100"),
    ("year 0001", parse_year, "0001", "l'année doit aller de 2000 à 2100"),
    ("year huge", parse_year, HUGE, "n'est pas une année"),
    ("year negative", parse_year, "-5", "n'est pas une année"),
    ("year in other digits", parse_year, "٢٠٢٦", "n'est pas une année"),
    ("instant 9999 far east", parse_instant, "9999-12-31T23:59:59-14:00", "2000 à 2100"),
    ("instant 0001 far west", parse_instant, "0001-01-01T00:00:00+14:00", "2000 à 2100"),
    ("instant without an offset", parse_instant, "2026-05-12T10:00:00", "décalage horaire"),
    ("instant garbage", parse_instant, "maintenant", "n'est pas un instant"),
    ("instant huge", parse_instant, HUGE, "n'est pas un instant"),
    ("instant offset beyond a day", parse_instant, "2026-05-12T10:00:00+25:00", "n'est pas"),
]


@pytest.mark.parametrize(
    ("parse", "text", "says"), [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED]
)
def test_what_the_service_cannot_mean_is_refused_in_french(
    parse: Callable[[str], Any], text: str, says: str
) -> None:
    with pytest.raises(DateRefused, match=says) as refused:
        parse(text)

    assert len(str(refused.value)) < 120  # a huge number is not quoted back in full


def test_a_local_time_is_read_on_the_departments_wall_clocks() -> None:
    assert parse_local("2026-05-14 19:05", PARIS) == datetime(2026, 5, 14, 19, 5, tzinfo=PARIS)
    assert local_instant(date(2026, 3, 29), time(2, 30), PARIS).tzinfo is PARIS
    with pytest.raises(DateRefused, match="2000 à 2100"):
        parse_local("9999-12-31 23:00", PARIS)
    with pytest.raises(DateRefused, match="sans décalage"):
        parse_local("2026-05-14T19:05+02:00", PARIS)
