"""The indicator table as the store counts it, on SQLite and (with
FRONTDOOR_TEST_POSTGRES_URL) PostgreSQL: the expected tables are the same for both."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from frontdoor.departments import Departments
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.migrate import upgrade
from tests.conftest import POSTGRES_URL
from tests.indicators.conftest import contact
from tests.indicators.random_year import (
    fill_with_random_year,
    lot,
    moselle,
    table_of,
    values,
)

NOW = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


async def test_the_lots_october_counts_requests_and_sets_the_others_apart(
    october: AsyncEngine, departments: Departments
) -> None:
    table = await table_of(october, [lot(departments)])

    assert (table.requests, table.not_requests) == (7, 2)
    assert table.period_label == "octobre 2026"
    assert table.departments == ("dac46",)
    assert values(table, "referrer_types") == {
        "gp": 3, "nurse": 1, "hospital": 1, "social_worker": 1, "carer": 1,
    }  # fmt: skip
    assert values(table, "referrer_groups") == {
        "primary_care": 4, "health_establishment": 1, "social_institutional": 1, "public": 1,
    }  # fmt: skip
    assert values(table, "requests") == {
        "requests": 7, "not_requests": 2, "wrong_number": 1, "test": 1,
    }  # fmt: skip


async def test_response_types_and_no_person_accompanied_by_information_alone(
    october: AsyncEngine, departments: Departments
) -> None:
    table = await table_of(october, [lot(departments)])

    assert values(table, "response_types") == {"information": 1, "orientation": 1, "": 6}
    # The GP's 85-year-old patient with medical and carers' problems got an orientation (and
    # information): accompanied, with no person linked, she counts as one person not
    # identified; the others got no response yet.
    assert values(table, "age_bands") == {"persons": 1, "85+": 1, "unidentified": 1}
    assert values(table, "problems") == {"medical": 1, "carers": 1}


async def test_the_gp_share_counts_distinct_gps_over_the_territorys(
    october: AsyncEngine, departments: Departments
) -> None:
    table = await table_of(october, [lot(departments)])

    # One GP called twice, another wrote; the GPs outside October do not count.
    assert values(table, "gps") == {"gps": 2, "gps_unidentified": 2, "territory_gps": 40}
    assert table.gp_share == 0.05
    assert values(table, "means") == {
        "staff_fte": 4.5, "funding_eur": 350_000, "funding_ars_fir": 300_000,
        "funding_conseil_departemental": 50_000,
    }  # fmt: skip


async def test_calls_answered_abandoned_and_time_to_first_human_contact(
    october: AsyncEngine, departments: Departments
) -> None:
    table = await table_of(october, [lot(departments)])

    assert values(table, "calls") == {"voice": 4, "taken": 2, "abandoned": 1, "voicemail": 1}
    assert table.answered_rate == 0.5
    assert table.abandoned_calls == 1
    # 12 s and 31 s (whole seconds of the clock); the mail answered a day later is not a call.
    assert table.wait_median_s == 21.5
    assert table.wait_p90_s is not None
    assert round(table.wait_p90_s, 6) == 29.1


async def test_callbacks_due_in_the_period_and_done_within_their_deadline(
    october: AsyncEngine, departments: Departments
) -> None:
    table = await table_of(october, [lot(departments)])

    assert values(table, "callbacks") == {"due": 3, "in_time": 1}
    assert table.callbacks_in_time_rate == 1 / 3


async def test_channels_and_out_of_hours(october: AsyncEngine, departments: Departments) -> None:
    table = await table_of(october, [lot(departments)])

    assert values(table, "channels") == {"voice": 4, "sms": 1, "mail": 2}
    assert values(table, "out_of_hours") == {"out_of_hours": 2}


async def test_load_by_local_hour_and_weekday_across_the_end_of_summer_time(
    october: AsyncEngine, departments: Departments
) -> None:
    table = await table_of(october, [lot(departments)])

    # 02:30 on Sunday 25 October happened twice: once in summer time, once in winter time.
    assert values(table, "hours") == {"9": 1, "10": 1, "14": 1, "20": 1, "2": 2, "0": 1}
    assert values(table, "weekdays") == {"0": 1, "1": 1, "2": 1, "3": 1, "5": 1, "6": 2}


async def test_the_regional_table_adds_moselle_and_recomputes_its_shares(
    october: AsyncEngine, departments: Departments
) -> None:
    table = await table_of(october, [lot(departments), moselle(departments)])

    assert table.departments == ("dac46", "dac57")
    assert table.requests == 8
    assert table.answered_rate == 3 / 5
    assert table.wait_median_s == 31.0
    # Moselle entered no figures: no regional GP share rather than the Lot's alone.
    assert table.gp_share is None


async def test_each_department_counts_its_own_local_days(
    october: AsyncEngine, departments: Departments
) -> None:
    paris = lot(departments)
    reunion = replace(paris, calendar=replace(paris.calendar, timezone=ZoneInfo("Indian/Reunion")))

    table = await table_of(october, [reunion])

    # Réunion's October starts at 20:00 UTC on 30 September: the GP of 21:59 UTC is in,
    # and ends at 20:00 UTC on 31 October: the one of 23:30 UTC stays out.
    assert table.requests == 8
    assert values(table, "gps")["gps"] == 3


async def test_a_period_without_requests_gives_zeros_and_no_rates(
    october: AsyncEngine, departments: Departments
) -> None:
    table = await table_of(october, [lot(departments)], period="2026-Q1")

    assert (table.requests, table.not_requests) == (0, 0)
    assert table.answered_rate is None
    assert table.wait_median_s is None
    assert table.callbacks_in_time_rate is None
    assert table.gp_share == 0.0  # the Lot's GPs are entered for 2026: none called


async def test_the_year_takes_the_years_figures(
    october: AsyncEngine, departments: Departments
) -> None:
    table = await table_of(october, [lot(departments)], period="2026")

    assert table.requests == 9  # October's seven, plus 30 September and 1 November
    assert values(table, "gps")["gps"] == 4
    assert values(table, "callbacks") == {"due": 4, "in_time": 2}


@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRES_URL, reason="needs FRONTDOOR_TEST_POSTGRES_URL")
@pytest.mark.parametrize("period", ["2026", "2026-03", "2026-10", "2026-Q2"])
async def test_sqlite_and_postgresql_give_the_same_table(
    engine: AsyncEngine, tmp_path: Path, departments: Departments, period: str
) -> None:
    sqlite_url = f"sqlite+aiosqlite:///{tmp_path / 'same.sqlite3'}"
    sqlite = create_engine(sqlite_url)
    try:
        await upgrade(sqlite)
        for each in (engine, sqlite):
            await fill_with_random_year(each, seed=46)
        chosen = [lot(departments), moselle(departments)]
        on_postgres = await table_of(engine, chosen, period)
        on_sqlite = await table_of(sqlite, chosen, period)
    finally:
        await sqlite.dispose()

    assert engine.dialect.name == "postgresql"
    assert on_postgres.requests > 0
    assert replace(on_postgres, generated_at=NOW) == replace(on_sqlite, generated_at=NOW)


async def test_departments_in_different_zones_each_count_their_local_hours(
    october: AsyncEngine, departments: Departments
) -> None:
    paris = moselle(departments)
    reunion = replace(paris, calendar=replace(paris.calendar, timezone=ZoneInfo("Indian/Reunion")))

    table = await table_of(october, [lot(departments), reunion])

    # Moselle's patient called at 09:00 UTC: 13:00 in Réunion; the Lot's hours are Paris's.
    assert values(table, "hours") == {"9": 1, "10": 1, "14": 1, "20": 1, "2": 2, "0": 1, "13": 1}


async def test_a_department_named_twice_is_counted_once(
    october: AsyncEngine, departments: Departments
) -> None:
    table = await table_of(october, [lot(departments), lot(departments)])

    assert table.departments == ("dac46",)
    assert table.requests == 7


async def test_the_same_table_asked_again_counts_what_came_in_between(
    october: AsyncEngine, departments: Departments
) -> None:
    """Its statements are built once and kept (the console asks for the same table again and
    again); what they count is read afresh every time."""
    before = await table_of(october, [lot(departments)])
    async with session_maker(october)() as session:
        session.add(contact(datetime(2026, 10, 20, 9, 0, tzinfo=UTC), referrer_type="carer"))
        await session.commit()

    after = await table_of(october, [lot(departments)])

    assert after.requests == before.requests + 1
    assert values(after, "referrer_types")["carer"] == values(before, "referrer_types")["carer"] + 1
