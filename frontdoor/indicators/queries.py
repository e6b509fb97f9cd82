"""What the store counts for the indicator table: a few GROUP BYs, assembled in Python.

The database does the counting; Python only adds up the few thousand rows they return. Four
statements read `requests` over the period (the cube of its low-cardinality columns; lists
of problems; local hours of the week with the waits before a referent took the call;
distinct GPs),
one reads `callback_tasks`, one `department_figures`. SQLite and PostgreSQL run the same
statements but for the epoch of a timestamp, and give the same table.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Select,
    Text,
    and_,
    case,
    cast,
    distinct,
    false,
    func,
    literal,
    or_,
    select,
    text,
    true,
)
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.core.callbacks import TaskStatus
from frontdoor.core.department import Department
from frontdoor.core.indicators import (
    NOT_A_REQUEST,
    DepartmentCounts,
    EnteredFigures,
    IndicatorTable,
)
from frontdoor.core.indicators import indicator_table as table_of
from frontdoor.core.referrers import ReferrerType
from frontdoor.indicators.local_time import (
    OffsetSpan,
    hour_of_week,
    offset_spans,
    weekday_and_hour,
)
from frontdoor.indicators.periods import Period
from frontdoor.store.models import CallbackTaskRow, DepartmentFigures, Request


async def indicator_table(
    session: AsyncSession, *, departments: Sequence[Department], period: Period
) -> IndicatorTable:
    """The indicator table of these departments over the period (a regional consolidation
    when there are several), each department counting its own local days."""
    if not departments:
        raise ValueError("an indicator table needs at least one department")
    # A department named twice is counted once.
    unique = {department.slug: department for department in departments}
    scopes = [_Scope(department, period) for department in unique.values()]
    connection = await session.connection()
    dialect = connection.dialect.name
    if dialect == "postgresql":
        # Compiling these one-off aggregates costs more than it saves (0.2–0.8 s at 1 M rows).
        await connection.execute(text("SET LOCAL jit = off"))
    counts = {s.slug: _Tally() for s in scopes}
    for statement, add in _STATEMENTS:
        for row in await connection.execute(statement(scopes, dialect)):
            add(counts[row[0]], row[1:])
    figures = await _figures(connection, scopes, period.year)
    return table_of(
        [counts[s.slug].counts(s.department, figures.get(s.slug)) for s in scopes],
        period=period.code,
        period_label=period.label,
        generated_at=datetime.now(UTC),
    )


class _Scope:
    """One department over the period: its UTC bounds and offsets."""

    def __init__(self, department: Department, period: Period) -> None:
        self.department = department
        self.slug = department.slug
        self.starts, self.ends = period.utc_bounds(department.calendar.timezone)
        self.spans = offset_spans(department.calendar.timezone, self.starts, self.ends)


class _Tally:
    """Counts of one department as the rows come in."""

    def __init__(self) -> None:
        self.referrers: Counter[str] = Counter()
        self.responses: Counter[str | None] = Counter()
        self.age_bands: Counter[str | None] = Counter()
        self.channels: Counter[str] = Counter()
        self.voice_outcomes: Counter[str] = Counter()
        self.problems: Counter[str] = Counter()
        self.by_hour: Counter[int] = Counter()
        self.by_weekday: Counter[int] = Counter()
        self.waits: Counter[int] = Counter()
        self.out_of_hours = self.without_problem = self.gp_contacts = 0
        self.callbacks_due = self.callbacks_in_time = 0

    def counts(self, department: Department, figures: EnteredFigures | None) -> DepartmentCounts:
        return DepartmentCounts(
            department=department.slug,
            name=department.name,
            referrers=dict(self.referrers),
            responses=dict(self.responses),
            age_bands=dict(self.age_bands),
            problems=dict(self.problems),
            without_problem=self.without_problem,
            gp_contacts=self.gp_contacts,
            channels=dict(self.channels),
            voice_outcomes=dict(self.voice_outcomes),
            out_of_hours=self.out_of_hours,
            waits=dict(self.waits),
            callbacks_due=self.callbacks_due,
            callbacks_in_time=self.callbacks_in_time,
            by_hour=dict(self.by_hour),
            by_weekday=dict(self.by_weekday),
            figures=figures,
        )


def _in_period(scopes: Iterable[_Scope]) -> ColumnElement[bool]:
    """Requests received in their department's period; departments sharing bounds (the same
    zone) in one IN list, so that the index on (department, received_at) serves."""
    by_bounds: dict[tuple[datetime, datetime], list[str]] = {}
    for scope in scopes:
        by_bounds.setdefault((scope.starts, scope.ends), []).append(scope.slug)
    received = col(Request.received_at)
    return or_(
        false(),
        *(
            and_(col(Request.department).in_(slugs), received >= starts, received < ends)
            for (starts, ends), slugs in by_bounds.items()
        ),
    )


def _is_request() -> ColumnElement[bool]:
    return col(Request.referrer_type).not_in(sorted(NOT_A_REQUEST))


def _epoch_s(column: ColumnElement[datetime], dialect: str) -> ColumnElement[int]:
    """Whole seconds since 1970 (UTC), truncated, as an integer on both databases."""
    if dialect == "sqlite":  # naive UTC text, which strftime reads
        return cast(func.strftime("%s", column), BigInteger)
    return cast(func.floor(func.date_part("epoch", column)), BigInteger)


def _cube(scopes: Sequence[_Scope], dialect: str) -> Select[Any]:
    """Contacts by every low-cardinality column at once: a few thousand rows, from which each
    split is a sum."""
    columns = (
        col(Request.department),
        col(Request.referrer_type),
        col(Request.response_type),
        col(Request.age_band),
        col(Request.channel),
        col(Request.outcome),
        col(Request.out_of_hours),
    )
    return select(*columns, func.count()).where(_in_period(scopes)).group_by(*columns)


def _add_cube(tally: _Tally, row: Sequence[Any]) -> None:
    referrer, response, age_band, channel, outcome, out_of_hours, n = row
    tally.referrers[referrer] += n
    if referrer in NOT_A_REQUEST:
        return
    tally.responses[response] += n
    tally.age_bands[age_band] += n
    tally.channels[channel] += n
    if channel == "voice":
        tally.voice_outcomes[outcome] += n
    if out_of_hours:
        tally.out_of_hours += n


def _problems(scopes: Sequence[_Scope], dialect: str) -> Select[Any]:
    """Requests by list of problems, as stored (a few hundred distinct lists)."""
    problems = cast(col(Request.problems), Text)
    return (
        select(col(Request.department), problems, func.count())
        .where(_in_period(scopes), _is_request())
        .group_by(col(Request.department), problems)
    )


def _add_problems(tally: _Tally, row: Sequence[Any]) -> None:
    problems_json, n = row
    problems = set(json.loads(problems_json) or ()) if problems_json else set()
    if not problems:
        tally.without_problem += n
    for problem in problems:
        tally.problems[problem] += n


def _hours_and_waits(scopes: Sequence[_Scope], dialect: str) -> Select[Any]:
    """Requests by local hour of the week and, for voice requests a referent took, whole
    seconds from arrival to answer (None for the others): one pass for both, a few thousand
    rows. The hour is the UTC epoch plus the offset of its span, in whole hours since a
    Monday 00:00."""
    received = col(Request.received_at)
    # The same formula as in Python, on a column: integer arithmetic on both databases.
    local_epoch = _epoch_s(received, dialect) + _local_offset(scopes)
    hour_index = hour_of_week(local_epoch)  # type: ignore[arg-type]
    answered = col(Request.answered_at)
    wait = case(
        (
            and_(col(Request.channel) == "voice", answered.is_not(None)),
            _epoch_s(answered, dialect) - _epoch_s(received, dialect),
        ),
        else_=None,
    )
    return (
        select(col(Request.department), hour_index, wait, func.count())
        .where(_in_period(scopes), _is_request())
        .group_by(col(Request.department), hour_index, wait)
    )


def _add_hours_and_waits(tally: _Tally, row: Sequence[Any]) -> None:
    hour_index, wait, n = row
    weekday, hour = weekday_and_hour(int(hour_index))
    tally.by_weekday[weekday] += n
    tally.by_hour[hour] += n
    if wait is not None:
        tally.waits[max(int(wait), 0)] += n


def _local_offset(scopes: Sequence[_Scope]) -> ColumnElement[int]:
    """Each request's UTC offset in seconds: the span it falls in, of its department's zone.
    Departments sharing a zone share its spans; with one zone, no department is compared."""
    by_zone: dict[tuple[OffsetSpan, ...], list[str]] = {}
    for scope in scopes:
        by_zone.setdefault(scope.spans, []).append(scope.slug)
    received = col(Request.received_at)
    branches: list[tuple[ColumnElement[bool], int]] = []
    for index, (spans, slugs) in enumerate(by_zone.items()):
        last = index == len(by_zone) - 1
        in_zone = true() if last else col(Request.department).in_(slugs)
        branches += [
            (and_(in_zone, received < following.starts), span.offset_s)
            for span, following in zip(spans, spans[1:], strict=False)
        ]
        branches.append((in_zone, spans[-1].offset_s))
    if len(branches) == 1:
        return literal(branches[0][1])
    return case(*branches[:-1], else_=branches[-1][1])


def _gp_contacts(scopes: Sequence[_Scope], dialect: str) -> Select[Any]:
    """Distinct GPs: the numbers and mail addresses (or their pseudonyms) of GP requests.
    A GP who both called and wrote counts twice, and so does one whose number was
    pseudonymised within the period (retention passed between two calls): the numerator can
    only err upwards, by few."""
    contact = func.coalesce(col(Request.caller_number), col(Request.contact_address))
    return (
        select(col(Request.department), func.count(distinct(contact)))
        .where(_in_period(scopes), col(Request.referrer_type) == ReferrerType.GP.value)
        .group_by(col(Request.department))
    )


def _add_gp_contacts(tally: _Tally, row: Sequence[Any]) -> None:
    tally.gp_contacts += row[0]


def _callbacks(scopes: Sequence[_Scope], dialect: str) -> Select[Any]:
    """Callback tasks due in the period, and those done by their deadline."""
    due = col(CallbackTaskRow.due_at)
    in_time = and_(
        col(CallbackTaskRow.status) == TaskStatus.DONE.value,
        col(CallbackTaskRow.closed_at) <= due,
    )
    return (
        select(
            col(CallbackTaskRow.department),
            func.count(),
            func.coalesce(func.sum(case((in_time, 1), else_=0)), 0),
        )
        .where(
            or_(
                false(),
                *(
                    and_(
                        col(CallbackTaskRow.department) == scope.slug,
                        due >= scope.starts,
                        due < scope.ends,
                    )
                    for scope in scopes
                ),
            )
        )
        .group_by(col(CallbackTaskRow.department))
    )


def _add_callbacks(tally: _Tally, row: Sequence[Any]) -> None:
    tally.callbacks_due += row[0]
    tally.callbacks_in_time += int(row[1])


async def _figures(
    connection: AsyncConnection, scopes: Sequence[_Scope], year: int
) -> dict[str, EnteredFigures]:
    rows = await connection.execute(
        select(
            col(DepartmentFigures.department),
            col(DepartmentFigures.staff_fte),
            col(DepartmentFigures.funding_eur),
            col(DepartmentFigures.territory_gps),
        ).where(
            col(DepartmentFigures.department).in_([s.slug for s in scopes]),
            col(DepartmentFigures.year) == year,
        )
    )
    return {
        department: EnteredFigures(staff_fte=fte, funding_eur=funding, territory_gps=gps)
        for department, fte, funding, gps in rows
    }


# Each statement, and how its rows (department first) add to a department's tally.
_STATEMENTS: tuple[
    tuple[Callable[[Sequence[_Scope], str], Select[Any]], Callable[[_Tally, Sequence[Any]], None]],
    ...,
] = (
    (_cube, _add_cube),
    (_problems, _add_problems),
    (_hours_and_waits, _add_hours_and_waits),
    (_gp_contacts, _add_gp_contacts),
    (_callbacks, _add_callbacks),
)


def table_statements(departments: Sequence[Department], period: Period, dialect: str) -> list[str]:
    """The SQL indicator_table sends, with its parameters inlined (for benchmarks and
    EXPLAIN)."""
    from sqlalchemy.dialects import postgresql, sqlite

    compiler = {"postgresql": postgresql.dialect(), "sqlite": sqlite.dialect()}[dialect]
    scopes = [_Scope(department, period) for department in departments]
    compiled = (
        statement(scopes, dialect).compile(dialect=compiler, compile_kwargs={"literal_binds": True})
        for statement, _ in _STATEMENTS
    )
    # asyncpg's paramstyle doubles the modulo sign; inlined SQL runs without parameters.
    return [str(sql).replace("%%", "%") for sql in compiled]
