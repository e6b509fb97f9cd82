"""Folding the triggers' changes into monthly tallies, and reading both for a period.

The triggers (tally_triggers) write each change as a UTC minute; only the application knows
a department's time zone, so the fold turns minutes into local months and local hours of the
week here, with the zone's offsets over the minutes folded (local_time.offset_spans) — the
same integer arithmetic on SQLite and PostgreSQL. Changes not folded yet are read as they
are, so that the table is exact at any moment; the fold only makes it fast.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    cast,
    delete,
    false,
    func,
    literal,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy import String as SqlString
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col

from frontdoor.core.department import Department
from frontdoor.indicators.local_time import OffsetSpan, hour_of_week, offset_spans
from frontdoor.indicators.periods import local_midnight, month_key
from frontdoor.indicators.person_periods import (
    PeriodMonths,
    counted_rows,
    is_distinct_person,
    periods_of_months,
    person_deltas,
)
from frontdoor.indicators.person_tallies import DISTINCT_PERSONS
from frontdoor.store.models import KnownContact
from frontdoor.store.tally_models import (
    PersonPeriodCount,
    PersonTally,
    RequestTally,
    RequestTallyChange,
)

# The measure the triggers write for every request; folded, it is counted by local hour.
REQUEST = "request"
HOUR_OF_WEEK = "hour_of_week"


@dataclass(kw_only=True, frozen=True)
class TallyScope:
    """One department over a period: its local months and the UTC minutes they span."""

    department: str
    period: str  # its code: "2026-10", "2026-Q4", "2026"
    first_month: int  # 202610, inclusive
    end_month: int  # the month after the period, exclusive
    starts_minute: int  # inclusive
    ends_minute: int  # exclusive
    spans: tuple[OffsetSpan, ...]


def epoch_minute(at: datetime) -> int:
    return int(at.timestamp()) // 60


# Distinct values, not sums: a GP who called in March and in May is one GP of the quarter.
GP_CONTACT = "gp_contact"
# What distinct_rows counts of the GPs: by how they are known (GPS + "rpps", "contact" or
# "unidentified").
GPS = "gp."


def _counted_apart(measure: Any) -> ColumnElement[bool]:
    """The measures whose values are counted distinct over the period, not summed."""
    return or_(measure == GP_CONTACT, measure.startswith(DISTINCT_PERSONS, autoescape=True))


def _in_scopes(table: Any, column: str, bounds: Sequence[tuple[str, int, int]]) -> Any:
    """Rows of each (department, low, high) with low <= column < high."""
    return or_(
        false(),
        *(
            and_(table.department == department, table[column] >= low, table[column] < high)
            for department, low, high in bounds
        ),
    )


def _folded_in(scopes: Sequence[TallyScope]) -> ColumnElement[bool]:
    tallies = RequestTally.__table__.c  # type: ignore[attr-defined]
    months = [(s.department, s.first_month, s.end_month) for s in scopes]
    return _in_scopes(tallies, "month", months)


def _unfolded_in(scopes: Sequence[TallyScope]) -> ColumnElement[bool]:
    changes = RequestTallyChange.__table__.c  # type: ignore[attr-defined]
    minutes = [(s.department, s.starts_minute, s.ends_minute) for s in scopes]
    return _in_scopes(changes, "minute", minutes)


def folded_rows(scopes: Sequence[TallyScope]) -> Select[Any]:
    """(department, measure, value, n) of the folded tallies of the scopes' months."""
    tallies = RequestTally.__table__.c  # type: ignore[attr-defined]
    columns = (tallies.department, tallies.measure, tallies.value)
    return (
        select(*columns, func.sum(tallies.n))
        .where(_folded_in(scopes), ~_counted_apart(tallies.measure))
        .group_by(*columns)
    )


def unfolded_rows(scopes: Sequence[TallyScope]) -> Select[Any]:
    """(department, measure, value, n) of the changes not folded yet in the scopes' minutes,
    "request" already turned into the local hour of the week."""
    changes = RequestTallyChange.__table__.c  # type: ignore[attr-defined]
    measure, value = _folded_measure_and_value(changes, _offset_by_department(scopes))
    return (
        select(changes.department, measure, value, func.sum(changes.n))
        .where(_unfolded_in(scopes), ~_counted_apart(changes.measure))
        .group_by(changes.department, measure, value)
    )


def _still_counted(scopes: Sequence[TallyScope], measures: Any) -> Any:
    """(department, measure, value) of the values of these measures still counted in the
    scopes' months, folded or not."""
    tallies = RequestTally.__table__.c  # type: ignore[attr-defined]
    changes = RequestTallyChange.__table__.c  # type: ignore[attr-defined]
    both = union_all(
        select(tallies.department, tallies.measure, tallies.value, tallies.n).where(
            _folded_in(scopes), measures(tallies.measure)
        ),
        select(changes.department, changes.measure, changes.value, changes.n).where(
            _unfolded_in(scopes), measures(changes.measure)
        ),
    ).subquery()
    columns = (both.c.department, both.c.measure, both.c.value)
    return select(*columns).group_by(*columns).having(func.sum(both.c.n) > 0).subquery()


def _gp_rows(scopes: Sequence[TallyScope]) -> Select[Any]:
    """(department, "gp.<how known>", "", n): the distinct GPs of the numbers and addresses
    still counted — one per RPPS number of their known contact, else one per known contact,
    else one per number or address ("unidentified")."""
    counted = _still_counted(scopes, lambda measure: measure == GP_CONTACT)
    contacts = KnownContact.__table__  # type: ignore[attr-defined]
    by_number, by_address = contacts.alias("by_number"), contacts.alias("by_address")
    same_department = counted.c.department
    joined = counted.outerjoin(
        by_number,
        and_(by_number.c.department == same_department, by_number.c.number == counted.c.value),
    ).outerjoin(
        by_address,
        and_(by_address.c.department == same_department, by_address.c.address == counted.c.value),
    )
    rpps = func.coalesce(by_number.c.rpps, by_address.c.rpps)
    contact = func.coalesce(by_number.c.id, by_address.c.id)
    how = case(
        (rpps.is_not(None), literal(GPS + "rpps")),
        (contact.is_not(None), literal(GPS + "contact")),
        else_=literal(GPS + "unidentified"),
    )
    doctor = case(
        (rpps.is_not(None), literal("rpps:") + rpps),
        (contact.is_not(None), literal("contact:") + cast(contact, SqlString)),
        else_=counted.c.value,
    )
    return (
        select(counted.c.department, how, literal(""), func.count(doctor.distinct()))
        .select_from(joined)
        .group_by(counted.c.department, how)
    )


def distinct_rows(scopes: Sequence[TallyScope]) -> Any:
    """(department, measure, value, n) of what is counted distinct over the period: the GPs
    who made a request, the persons accompanied by age band and by problem."""
    return union_all(
        _gp_rows(scopes),
        *(
            counted_rows(
                s.department,
                PeriodMonths(code=s.period, first_month=s.first_month, end_month=s.end_month),
                s.starts_minute,
                s.ends_minute,
            )
            for s in scopes
        ),
    )


async def fold_changes(connection: AsyncConnection, department: Department) -> int:
    """Move the department's changes into its monthly tallies, and what they do to its
    persons into the counts of its periods, in the caller's transaction; returns how many
    changes were folded. Safe beside writers and beside another fold."""
    changes = RequestTallyChange.__table__.c  # type: ignore[attr-defined]
    mine = changes.department == department.slug
    postgres = connection.dialect.name == "postgresql"
    if postgres:
        # One fold of a department at a time: a person's counts are recomputed from the
        # tallies as the last fold left them (SQLite has one writer at a time anyway).
        key = literal(f"indicator-tallies:{department.slug}")
        await connection.execute(select(func.pg_advisory_xact_lock(func.hashtext(key))))
    low, high, last_id, count = (
        await connection.execute(
            select(
                func.min(changes.minute),
                func.max(changes.minute),
                func.max(changes.id),
                func.count(),
            ).where(mine)
        )
    ).one()
    if low is None:
        return 0
    zone = department.calendar.timezone
    starts = datetime.fromtimestamp(low * 60, UTC)
    ends = datetime.fromtimestamp((high + 1) * 60, UTC)
    spans = offset_spans(zone, starts, ends)
    months = _local_months(zone, starts, ends)
    in_range = and_(mine, changes.minute >= low, changes.minute <= high)
    if postgres:
        # The rows deleted are exactly the rows folded, whatever commits meanwhile.
        source: Any = (
            delete(RequestTallyChange)
            .where(in_range)
            .returning(changes.minute, changes.measure, changes.value, changes.n)
            .cte("moved")
        ).c
        make_insert: Any = postgres_insert
    else:
        # SQLite has one writer at a time: nothing commits between the insert and the delete.
        in_range = and_(in_range, changes.id <= last_id)
        source = changes
        make_insert = sqlite_insert
    month = _month_of_minute(source.minute, zone, months)
    measure, value = _folded_measure_and_value(source, _offset_of_minute(source.minute, spans))
    summed = ~is_distinct_person(source.measure)  # the persons' go to their own tallies
    sums = select(literal(department.slug), month, measure, value, func.sum(source.n))
    persons = select(month.label("month"), source.measure, source.value, source.n)
    if source is changes:
        sums, persons = sums.where(in_range), persons.where(in_range)
    upsert = _upserted(make_insert, RequestTally, sums.where(summed), month, measure, value)
    upsert_persons = _upserted(make_insert, PersonTally, sums.where(~summed), month, measure, value)
    persons = persons.where(~summed)
    # Read before the tallies are updated: on PostgreSQL every part of one statement sees
    # the tallies as they were, on SQLite this statement runs first.
    deltas = person_deltas(department.slug, periods_of_months(months), persons.subquery())
    moved = deltas.subquery("deltas")
    insert_counts = make_insert(PersonPeriodCount).from_select(
        ["department", "period", "measure", "n"],
        # (A WHERE: SQLite reads "ON CONFLICT" after a bare join as the join's constraint.)
        select(literal(department.slug), moved.c.period, moved.c.measure, moved.c.n).where(
            moved.c.n != 0
        ),
    )
    upsert_counts = insert_counts.on_conflict_do_update(
        index_elements=["department", "period", "measure"],
        set_={"n": col(PersonPeriodCount.n) + insert_counts.excluded.n},
    )
    if postgres:
        folded = upsert.returning(literal(1)).cte("folded")
        folded_persons = upsert_persons.returning(literal(1)).cte("folded_persons")
        await connection.execute(upsert_counts.add_cte(folded).add_cte(folded_persons))
    else:
        for statement in (upsert_counts, upsert, upsert_persons):
            await connection.execute(statement)
        await connection.execute(delete(RequestTallyChange).where(in_range))
    # A GP's number whose requests were all corrected or pseudonymised goes with its count,
    # a person unlinked from every request of a month with hers.
    tables: tuple[Any, ...] = (RequestTally, PersonTally, PersonPeriodCount)
    for counts in (table.__table__ for table in tables):
        await connection.execute(
            delete(counts).where(counts.c.department == department.slug, counts.c.n == 0)
        )
    return int(count)


def _upserted(
    make_insert: Any, table: type, sums: Select[Any], *grouped: ColumnElement[Any]
) -> Any:
    """Sums (department, month, measure, value, n) added to `table`'s counts."""
    insert = make_insert(table).from_select(
        ["department", "month", "measure", "value", "n"], sums.group_by(*grouped)
    )
    return insert.on_conflict_do_update(
        index_elements=["department", "month", "measure", "value"],
        set_={"n": table.__table__.c.n + insert.excluded.n},  # type: ignore[attr-defined]
    )


def _folded_measure_and_value(
    changes: Any, offset_s: ColumnElement[int]
) -> tuple[ColumnElement[str], ColumnElement[str]]:
    is_request = changes.measure == REQUEST
    hour = cast(hour_of_week(changes.minute * 60 + offset_s), SqlString)
    measure = case((is_request, literal(HOUR_OF_WEEK)), else_=changes.measure)
    value = case((is_request, hour), else_=changes.value)
    return measure, value


def _offset_of_minute(minute: Any, spans: Sequence[OffsetSpan]) -> ColumnElement[int]:
    """A change's UTC offset in seconds: the span its minute falls in."""
    if len(spans) == 1:
        return literal(spans[0].offset_s)
    return case(
        *(
            (minute < epoch_minute(following.starts), span.offset_s)
            for span, following in zip(spans, spans[1:], strict=False)
        ),
        else_=spans[-1].offset_s,
    )


def _offset_by_department(scopes: Sequence[TallyScope]) -> ColumnElement[int]:
    """Each change's offset, of its department's zone (departments sharing spans share
    branches; with one set of spans, no department is compared)."""
    changes = RequestTallyChange.__table__.c  # type: ignore[attr-defined]
    by_spans: dict[tuple[OffsetSpan, ...], list[str]] = {}
    for scope in scopes:
        by_spans.setdefault(scope.spans, []).append(scope.department)
    branches: list[tuple[ColumnElement[bool], int]] = []
    for index, (spans, slugs) in enumerate(by_spans.items()):
        last = index == len(by_spans) - 1
        in_zone = true() if last else changes.department.in_(slugs)
        branches += [
            (and_(in_zone, changes.minute < epoch_minute(following.starts)), span.offset_s)
            for span, following in zip(spans, spans[1:], strict=False)
        ]
        branches.append((in_zone, spans[-1].offset_s))
    if len(branches) == 1:
        return literal(branches[0][1])
    return case(*branches[:-1], else_=branches[-1][1])


def _local_months(zone: ZoneInfo, starts: datetime, ends: datetime) -> list[date]:
    """The first days of the local months of [starts, ends)."""
    first = starts.astimezone(zone).date().replace(day=1)
    last = (ends - timedelta(seconds=1)).astimezone(zone).date().replace(day=1)
    return list(_months(first, last))


def _month_of_minute(minute: Any, zone: ZoneInfo, months: Sequence[date]) -> ColumnElement[int]:
    """The local month (202610) of a change's minute, for minutes in these local months."""
    if len(months) == 1:
        return literal(month_key(months[0]))
    return case(
        *(
            (minute < epoch_minute(local_midnight(following, zone)), month_key(month))
            for month, following in zip(months, months[1:], strict=False)
        ),
        else_=month_key(months[-1]),
    )


def _months(first: date, last: date) -> Iterable[date]:
    month = first
    while month <= last:
        yield month
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
