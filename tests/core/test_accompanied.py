"""Who counts as a person accompanied, and in which age band (indicators 4 and 5)."""

from __future__ import annotations

from datetime import date

import pytest

from frontdoor.core.accompanied import age_band_on, band_over_period, is_accompanied
from frontdoor.core.request_fields import AgeBand


@pytest.mark.parametrize(
    ("referrer_type", "response_kinds", "accompanied"),
    [
        pytest.param("gp", ["orientation"], True, id="orientation"),
        pytest.param("gp", ["specialised_resources"], True, id="specialised-resources"),
        pytest.param("carer", ["one_off_support"], True, id="one-off-support"),
        pytest.param("gp", ["planning"], True, id="planning-ppcs"),
        pytest.param("hospital", ["follow_up"], True, id="follow-up"),
        pytest.param("gp", ["information"], False, id="information-only"),
        pytest.param("gp", ["out_of_scope"], False, id="out-of-scope-re-oriented-only"),
        pytest.param("gp", ["none"], False, id="sans-suite"),
        pytest.param("gp", [], False, id="no-response-yet"),
        pytest.param("gp", ["information", "follow_up"], True, id="information-then-follow-up"),
        pytest.param("gp", ["orientation", "out_of_scope"], True,
                     id="re-oriented-with-an-orientation"),
        pytest.param("wrong_number", ["follow_up"], False, id="wrong-number"),
        pytest.param("test", ["orientation", "planning"], False, id="test-call"),
    ],
)  # fmt: skip
def test_a_request_accompanies_its_persons_when_any_response_is_more_than_information(
    referrer_type: str, response_kinds: list[str], accompanied: bool
) -> None:
    assert is_accompanied(referrer_type=referrer_type, response_kinds=response_kinds) is accompanied


@pytest.mark.parametrize(
    ("day", "birth_date", "birth_year", "stated", "band"),
    [
        pytest.param(date(2026, 10, 5), date(1941, 10, 5), None, None, AgeBand.FROM_85,
                     id="85-on-her-birthday"),
        pytest.param(date(2026, 10, 4), date(1941, 10, 5), None, None, AgeBand.FROM_75,
                     id="84-the-day-before"),
        pytest.param(date(2026, 2, 28), date(2008, 2, 29), None, None, AgeBand.UNDER_18,
                     id="leap-day-birthday-not-yet-on-28-february"),
        pytest.param(date(2026, 3, 1), date(2008, 2, 29), None, None, AgeBand.FROM_18,
                     id="leap-day-birthday-passed-on-1-march"),
        pytest.param(date(2026, 1, 2), None, 1966, None, AgeBand.FROM_60,
                     id="year-only-counts-the-age-reached-in-the-year"),
        pytest.param(date(2026, 1, 2), date(1966, 12, 31), 1966, None, AgeBand.FROM_18,
                     id="the-date-wins-over-the-year"),
        pytest.param(date(2026, 1, 2), None, None, "75-84", AgeBand.FROM_75,
                     id="no-birth-the-stated-band"),
        pytest.param(date(2026, 1, 2), None, 2030, "60-74", AgeBand.FROM_60,
                     id="a-birth-after-the-request-the-stated-band"),
        pytest.param(date(2026, 1, 2), None, None, None, AgeBand.UNKNOWN, id="nothing-known"),
        pytest.param(date(2026, 1, 2), None, None, "93", AgeBand.UNKNOWN, id="unknown-code"),
    ],
)  # fmt: skip
def test_the_age_band_on_the_day_of_a_request(
    day: date, birth_date: date | None, birth_year: int | None, stated: str | None, band: AgeBand
) -> None:
    assert age_band_on(day, birth_date=birth_date, birth_year=birth_year, stated=stated) == band


def test_over_a_period_a_person_counts_in_her_highest_known_band() -> None:
    assert band_over_period([AgeBand.FROM_75, AgeBand.UNKNOWN, AgeBand.FROM_85]) == AgeBand.FROM_85
    assert band_over_period([AgeBand.UNKNOWN, AgeBand.UNDER_18]) == AgeBand.UNDER_18
    assert band_over_period([]) == AgeBand.UNKNOWN
