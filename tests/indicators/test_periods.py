"""Periods as a coordinator types them, and the UTC intervals each department counts."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from frontdoor.indicators.periods import Period, PeriodKind


@pytest.mark.parametrize(
    ("text", "kind", "year", "number", "label"),
    [
        pytest.param("2026-10", PeriodKind.MONTH, 2026, 10, "octobre 2026", id="month"),
        pytest.param("2026-02", PeriodKind.MONTH, 2026, 2, "février 2026", id="february"),
        pytest.param("2026-8", PeriodKind.MONTH, 2026, 8, "août 2026", id="month-one-digit"),
        pytest.param("2026-Q3", PeriodKind.QUARTER, 2026, 3, "3e trimestre 2026", id="quarter"),
        pytest.param("2026-q1", PeriodKind.QUARTER, 2026, 1, "1er trimestre 2026", id="first-q"),
        pytest.param("2026-T4", PeriodKind.QUARTER, 2026, 4, "4e trimestre 2026", id="trimestre"),
        pytest.param(" 2026 ", PeriodKind.YEAR, 2026, 1, "année 2026", id="year"),
    ],
)
def test_a_period_is_read_from_what_a_coordinator_types(
    text: str, kind: PeriodKind, year: int, number: int, label: str
) -> None:
    period = Period.parse(text)

    assert (period.kind, period.year, period.number, period.label) == (kind, year, number, label)
    assert Period.parse(period.code) == period


@pytest.mark.parametrize(
    ("text", "says"),
    [
        pytest.param("octobre", "n'est pas une période", id="words"),
        pytest.param("2026-13", "le mois doit aller de 01 à 12", id="month-13"),
        pytest.param("2026-00", "le mois doit aller de 01 à 12", id="month-0"),
        pytest.param("2026-Q5", "le trimestre doit aller de 1 à 4", id="quarter-5"),
        pytest.param("10/2026", "n'est pas une période", id="slashes"),
        pytest.param("", "n'est pas une période", id="empty"),
        pytest.param("1900", "l'année doit aller de 2000 à 2100", id="too-old"),
        pytest.param("9999", "l'année doit aller de 2000 à 2100", id="year-9999"),
        pytest.param("9999-12", "l'année doit aller de 2000 à 2100", id="december-9999"),
        pytest.param("0001-Q1", "l'année doit aller de 2000 à 2100", id="year-1"),
    ],
)
def test_a_bad_period_is_refused_in_french(text: str, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        Period.parse(text)


@pytest.mark.parametrize(
    ("text", "first", "end"),
    [
        pytest.param("2026-10", date(2026, 10, 1), date(2026, 11, 1), id="month"),
        pytest.param("2026-12", date(2026, 12, 1), date(2027, 1, 1), id="december"),
        pytest.param("2026-Q1", date(2026, 1, 1), date(2026, 4, 1), id="q1"),
        pytest.param("2026-Q4", date(2026, 10, 1), date(2027, 1, 1), id="q4"),
        pytest.param("2026", date(2026, 1, 1), date(2027, 1, 1), id="year"),
    ],
)
def test_a_period_covers_whole_local_days(text: str, first: date, end: date) -> None:
    period = Period.parse(text)

    assert (period.first_day, period.end_day) == (first, end)


PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.parametrize(
    ("text", "zone", "starts", "ends"),
    [
        pytest.param(
            "2026-10", PARIS,
            datetime(2026, 9, 30, 22, tzinfo=UTC), datetime(2026, 10, 31, 23, tzinfo=UTC),
            id="paris-october-ends-in-winter-time",
        ),
        pytest.param(
            "2026-03", PARIS,
            datetime(2026, 2, 28, 23, tzinfo=UTC), datetime(2026, 3, 31, 22, tzinfo=UTC),
            id="paris-march-ends-in-summer-time",
        ),
        pytest.param(
            "2026", PARIS,
            datetime(2025, 12, 31, 23, tzinfo=UTC), datetime(2026, 12, 31, 23, tzinfo=UTC),
            id="paris-year",
        ),
        pytest.param(
            "2026-Q3", ZoneInfo("America/Cayenne"),
            datetime(2026, 7, 1, 3, tzinfo=UTC), datetime(2026, 10, 1, 3, tzinfo=UTC),
            id="guiana-utc-minus-3",
        ),
        pytest.param(
            "2026-10", ZoneInfo("Indian/Reunion"),
            datetime(2026, 9, 30, 20, tzinfo=UTC), datetime(2026, 10, 31, 20, tzinfo=UTC),
            id="reunion-utc-plus-4",
        ),
        pytest.param(
            "2026-01", ZoneInfo("Pacific/Noumea"),
            datetime(2025, 12, 31, 13, tzinfo=UTC), datetime(2026, 1, 31, 13, tzinfo=UTC),
            id="new-caledonia-starts-the-day-before-in-utc",
        ),
    ],
)  # fmt: skip
def test_local_days_become_a_half_open_utc_interval(
    text: str, zone: ZoneInfo, starts: datetime, ends: datetime
) -> None:
    assert Period.parse(text).utc_bounds(zone) == (starts, ends)
