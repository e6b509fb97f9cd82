"""Offsets of a zone over a period, and the local hour of the week the database computes."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from frontdoor.indicators.local_time import (
    OffsetSpan,
    hour_of_week,
    offset_spans,
    weekday_and_hour,
)
from frontdoor.indicators.periods import Period


def spans(zone: str, period: str) -> tuple[OffsetSpan, ...]:
    tz = ZoneInfo(zone)
    return offset_spans(tz, *Period.parse(period).utc_bounds(tz))


def test_a_paris_year_has_three_spans_changing_at_the_exact_dst_instants() -> None:
    assert spans("Europe/Paris", "2026") == (
        OffsetSpan(starts=datetime(2025, 12, 31, 23, tzinfo=UTC), offset_s=3600),
        OffsetSpan(starts=datetime(2026, 3, 29, 1, tzinfo=UTC), offset_s=7200),
        OffsetSpan(starts=datetime(2026, 10, 25, 1, tzinfo=UTC), offset_s=3600),
    )


@pytest.mark.parametrize(
    ("zone", "offset_s"),
    [
        pytest.param("Indian/Reunion", 4 * 3600, id="reunion"),
        pytest.param("America/Cayenne", -3 * 3600, id="guiana"),
        pytest.param("Indian/Mayotte", 3 * 3600, id="mayotte"),
        pytest.param("America/Martinique", -4 * 3600, id="martinique"),
    ],
)
def test_overseas_zones_without_dst_have_one_span(zone: str, offset_s: int) -> None:
    (only,) = spans(zone, "2026")

    assert only.offset_s == offset_s


def test_a_month_without_a_change_has_one_span() -> None:
    assert len(spans("Europe/Paris", "2026-07")) == 1


@pytest.mark.parametrize(
    ("local", "weekday", "hour"),
    [
        pytest.param(datetime(2026, 10, 5, 0, 0, tzinfo=UTC), 0, 0, id="monday-midnight"),
        pytest.param(datetime(2026, 10, 8, 9, 59, 59, tzinfo=UTC), 3, 9, id="thursday-morning"),
        pytest.param(datetime(2026, 10, 11, 23, 30, tzinfo=UTC), 6, 23, id="sunday-night"),
        pytest.param(datetime(1970, 1, 1, 0, 0, tzinfo=UTC), 3, 0, id="epoch-was-a-thursday"),
    ],
)
def test_hour_of_week_of_a_local_epoch(local: datetime, weekday: int, hour: int) -> None:
    # The local wall clock counted as seconds since 1970, as the database adds the offset.
    local_epoch = int(local.timestamp())

    assert weekday_and_hour(hour_of_week(local_epoch)) == (weekday, hour)
