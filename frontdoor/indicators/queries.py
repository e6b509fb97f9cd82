"""What the store counts for the indicator table: monthly tallies, assembled in Python.

The database keeps, per department and local month, how many requests count in each value of
each measure (frontdoor.indicators.tallies, written by triggers): a year is a few thousand
rows, whatever the number of requests. One statement reads the folded tallies, one the
changes not folded yet (so that the table is exact to the last request), one counts the
distinct GPs of both and reads the persons accompanied of the period as the fold counted them
(frontdoor.indicators.person_periods, corrected for the persons with changes not folded
yet), one reads `department_figures`. SQLite and PostgreSQL run the same
statements and give the same table.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import CompoundSelect, Select
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.core.accompanied import BAND_ORDER
from frontdoor.core.department import Department
from frontdoor.core.figures import EnteredFigures
from frontdoor.core.indicators import DepartmentCounts, IndicatorTable
from frontdoor.core.indicators import indicator_table as table_of
from frontdoor.indicators.local_time import offset_spans, weekday_and_hour
from frontdoor.indicators.periods import Period, month_key
from frontdoor.indicators.person_periods import PERSONS_WITH_PROBLEM
from frontdoor.indicators.person_tallies import (
    PERSON_AGE,
    PERSON_PROBLEM,
    UNIDENTIFIED_AGE,
    UNIDENTIFIED_PROBLEM,
    UNIDENTIFIED_WITHOUT_PROBLEM,
)
from frontdoor.indicators.tallies import (
    GPS,
    HOUR_OF_WEEK,
    TallyScope,
    distinct_rows,
    epoch_minute,
    folded_rows,
    unfolded_rows,
)
from frontdoor.store.figures import entered, figures_of


async def indicator_table(
    session: AsyncSession, *, departments: Sequence[Department], period: Period
) -> IndicatorTable:
    """The indicator table of these departments over the period (a regional consolidation
    when there are several), each department counting its own local days."""
    return table_of(
        await department_counts(session, departments=departments, period=period),
        period=period.code,
        period_label=period.label,
        generated_at=datetime.now(UTC),
    )


async def department_counts(
    session: AsyncSession, *, departments: Sequence[Department], period: Period
) -> list[DepartmentCounts]:
    """What the store counted for each department (named twice, counted once) over the
    period."""
    if not departments:
        raise ValueError("an indicator table needs at least one department")
    unique = {department.slug: department for department in departments}
    scopes = [_Scope(department, period) for department in unique.values()]
    connection = await session.connection()  # PostgreSQL's JIT is off (store.db)
    counts = {s.slug: _Tally() for s in scopes}
    for statement in _statements(tuple(s.tally for s in scopes)):
        for department, measure, value, n in await connection.execute(statement):
            counts[department].add(measure, value, int(n))
    figures = await _figures(session, scopes, period.year)
    return [counts[s.slug].counts(s.department, figures.get(s.slug)) for s in scopes]


@functools.lru_cache(maxsize=64)
def _statements(scopes: tuple[TallyScope, ...]) -> tuple[Select[Any] | CompoundSelect[Any], ...]:
    """The table's statements for these departments and period, built once: building them
    (unions, a CASE per change of offset, the persons' deltas) took more of the event loop
    than running them, and a console asking for the same table again builds nothing."""
    return tuple(rows_of(list(scopes)) for rows_of in (folded_rows, unfolded_rows, distinct_rows))


class _Scope:
    """One department over the period: its UTC bounds, months and offsets."""

    def __init__(self, department: Department, period: Period) -> None:
        self.department = department
        self.slug = department.slug
        zone = department.calendar.timezone
        self.starts, self.ends = period.utc_bounds(zone)
        self.tally = TallyScope(
            department=self.slug,
            period=period.code,
            first_month=month_key(period.first_day),
            end_month=month_key(period.end_day),
            starts_minute=epoch_minute(self.starts),
            ends_minute=epoch_minute(self.ends),
            spans=offset_spans(zone, self.starts, self.ends),
        )


class _Tally:
    """Counts of one department as the rows come in (a value may come twice: folded and
    not folded yet)."""

    def __init__(self) -> None:
        self.referrers: Counter[str] = Counter()
        self.responses: Counter[str | None] = Counter()
        self.persons: Counter[str] = Counter()
        self.person_problems: Counter[str] = Counter()
        self.gps: Counter[str] = Counter()
        self.channels: Counter[str] = Counter()
        self.voice_outcomes: Counter[str] = Counter()
        self.by_hour: Counter[int] = Counter()
        self.by_weekday: Counter[int] = Counter()
        self.waits: Counter[int] = Counter()
        self.queue_waits: Counter[int] = Counter()
        self.queue_abandoned = 0
        self.out_of_hours = self.callbacks_due = self.callbacks_in_time = self.repeats = 0
        self.unidentified = self.unidentified_without_problem = 0
        self.identified = self.identified_with_problem = 0

    def add(self, measure: str, value: str, n: int) -> None:
        if measure == "referrer":
            self.referrers[value] += n
        elif measure == "response":
            self.responses[value or None] += n
        elif measure == "channel":
            self.channels[value] += n
        elif measure == "voice_outcome":
            self.voice_outcomes[value] += n
        elif measure == "out_of_hours":
            self.out_of_hours += n
        elif measure == "repeat":
            self.repeats += n
        elif measure == HOUR_OF_WEEK:
            weekday, hour = weekday_and_hour(int(value))
            self.by_weekday[weekday] += n
            self.by_hour[hour] += n
        elif measure == "wait":
            self.waits[max(int(value), 0)] += n
        elif measure == "queue_wait":
            self.queue_waits[max(int(value), 0)] += n
        elif measure == "queue_abandoned":
            self.queue_abandoned += n
        elif measure == "callback_due":
            self.callbacks_due += n
        elif measure == "callback_in_time":
            self.callbacks_in_time += n
        else:
            self._add_person_or_gp(measure, value, n)

    def _add_person_or_gp(self, measure: str, value: str, n: int) -> None:
        if measure.startswith(PERSON_AGE):
            self.persons[BAND_ORDER[int(measure.removeprefix(PERSON_AGE))]] += n
            self.identified += n
        elif measure.startswith(PERSON_PROBLEM):
            self.person_problems[measure.removeprefix(PERSON_PROBLEM)] += n
        elif measure == PERSONS_WITH_PROBLEM:
            self.identified_with_problem += n
        elif measure == UNIDENTIFIED_AGE:
            self.persons[BAND_ORDER[int(value)]] += n
            self.unidentified += n
        elif measure == UNIDENTIFIED_PROBLEM:
            self.person_problems[value] += n
        elif measure == UNIDENTIFIED_WITHOUT_PROBLEM:
            self.unidentified_without_problem += n
        elif measure.startswith(GPS):
            self.gps[measure.removeprefix(GPS)] += n

    def counts(self, department: Department, figures: EnteredFigures | None) -> DepartmentCounts:
        return DepartmentCounts(
            department=department.slug,
            name=department.name,
            referrers=_nonzero(self.referrers),
            repeats=self.repeats,
            responses=_nonzero(self.responses),
            persons=_nonzero(self.persons),
            persons_unidentified=self.unidentified,
            person_problems=_nonzero(self.person_problems),
            persons_without_problem=(
                self.unidentified_without_problem + self.identified - self.identified_with_problem
            ),
            gps=_nonzero(self.gps),
            channels=_nonzero(self.channels),
            voice_outcomes=_nonzero(self.voice_outcomes),
            out_of_hours=self.out_of_hours,
            waits=_nonzero(self.waits),
            queue_waits=_nonzero(self.queue_waits),
            queue_abandoned=self.queue_abandoned,
            callbacks_due=self.callbacks_due,
            callbacks_in_time=self.callbacks_in_time,
            by_hour=_nonzero(self.by_hour),
            by_weekday=_nonzero(self.by_weekday),
            figures=figures,
        )


def _nonzero(counter: Counter[Any]) -> dict[Any, int]:
    """What counts: a request corrected since its change was written leaves a zero."""
    return {key: n for key, n in counter.items() if n > 0}


async def _figures(
    session: AsyncSession, scopes: Sequence[_Scope], year: int
) -> dict[str, EnteredFigures]:
    rows = await figures_of(session, departments=[s.slug for s in scopes], year=year)
    return {department: entered(row) for department, row in rows.items()}


def table_statements(departments: Sequence[Department], period: Period, dialect: str) -> list[str]:
    """The SQL indicator_table sends, with its parameters inlined (for benchmarks and
    EXPLAIN)."""
    from sqlalchemy.dialects import postgresql, sqlite

    compiler = {"postgresql": postgresql.dialect(), "sqlite": sqlite.dialect()}[dialect]
    scopes = tuple(_Scope(department, period).tally for department in departments)
    compiled = (
        statement.compile(dialect=compiler, compile_kwargs={"literal_binds": True})
        for statement in _statements(scopes)
    )
    # asyncpg's paramstyle doubles the modulo sign; inlined SQL runs without parameters.
    return [str(sql).replace("%%", "%") for sql in compiled]
