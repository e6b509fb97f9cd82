"""Dates and times as a French voice reads them to a caller."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from frontdoor.core.spoken import spoken_date, spoken_moment, spoken_time

PARIS = ZoneInfo("Europe/Paris")
CAYENNE = ZoneInfo("America/Cayenne")


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("wall", "text"),
    [
        pytest.param(time(8, 30), "8 h 30", id="no-leading-zero-on-hour"),
        pytest.param(time(14, 0), "14 h", id="on-the-hour"),
        pytest.param(time(12, 5), "12 h 05", id="minutes-two-digits"),
        pytest.param(time(9, 0, 59), "9 h", id="seconds-not-spoken"),
    ],
)
def test_spoken_time(wall: time, text: str) -> None:
    assert spoken_time(wall) == text


@pytest.mark.parametrize(
    ("moment", "year", "text"),
    [
        pytest.param(paris(2026, 5, 25, 8, 30), False, "lundi 25 mai", id="weekday-day-month"),
        pytest.param(paris(2026, 5, 1, 8, 30), False, "vendredi 1er mai", id="first-is-1er"),
        pytest.param(paris(2026, 12, 1, 9, 0), False, "mardi 1er décembre", id="accents"),
        pytest.param(paris(2026, 8, 15, 9, 0), False, "samedi 15 août", id="august"),
        pytest.param(paris(2027, 1, 7, 9, 0), True, "jeudi 7 janvier 2027", id="with-year"),
    ],
)
def test_spoken_date(moment: datetime, year: bool, text: str) -> None:
    assert spoken_date(moment, year=year) == text


@pytest.mark.parametrize(
    ("moment", "now", "text"),
    [
        pytest.param(paris(2026, 5, 19, 8, 30), paris(2026, 5, 19, 7, 0),
                     "aujourd'hui à 8 h 30", id="today"),
        pytest.param(paris(2026, 5, 19, 13, 30), paris(2026, 5, 19, 12, 45),
                     "aujourd'hui à 13 h 30", id="after-lunch"),
        pytest.param(paris(2026, 5, 20, 8, 30), paris(2026, 5, 19, 18, 30),
                     "demain, mercredi 20 mai, à 8 h 30", id="tomorrow"),
        pytest.param(paris(2026, 5, 26, 8, 30), paris(2026, 5, 22, 19, 0),
                     "mardi 26 mai à 8 h 30", id="after-a-long-weekend"),
        pytest.param(paris(2027, 1, 4, 8, 30), paris(2026, 12, 24, 14, 0),
                     "lundi 4 janvier à 8 h 30", id="next-year-but-near-no-year"),
        pytest.param(paris(2027, 5, 3, 9, 0), paris(2026, 5, 19, 10, 0),
                     "lundi 3 mai 2027 à 9 h", id="far-date-with-year"),
        # "now" is taken in the moment's zone: 22:30 UTC is already the 20th in Paris.
        pytest.param(paris(2026, 5, 20, 8, 30), datetime(2026, 5, 19, 22, 30, tzinfo=UTC),
                     "aujourd'hui à 8 h 30", id="now-in-utc-paris-already-next-day"),
        pytest.param(datetime(2026, 6, 11, 8, 0, tzinfo=CAYENNE),
                     datetime(2026, 6, 11, 2, 0, tzinfo=UTC),
                     "demain, jeudi 11 juin, à 8 h", id="cayenne-still-the-day-before"),
    ],
)  # fmt: skip
def test_spoken_moment(moment: datetime, now: datetime, text: str) -> None:
    assert spoken_moment(moment, now=now) == text
