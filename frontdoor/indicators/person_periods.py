"""Persons accompanied counted per standard period, kept as counts, corrected at read time.

A period counts each person once (frontdoor.indicators.person_tallies): in the highest age
band she had over it, in every problem of her requests. Counted from the monthly tallies,
that is one row per person and month (`person_tallies`) to group at every read: ~450,000
for a year of 110,000 persons. So the fold keeps the counts of each standard period (month, quarter,
year: the only periods there are, frontdoor.indicators.periods) in `person_period_counts`,
and reads correct them for the persons whose changes are not folded yet.

Both are the same arithmetic, `person_deltas`: for the persons of some changes (`moved`),
each one's contribution to each period is computed from her folded tallies before the
changes and after them; the difference (her old contribution removed, her new one added) is
what the changes do to the period's counts. The fold applies it to the stored counts with
the tallies it folds, in one transaction; a read adds it to them for the changes of the
period not folded yet. Exact at every moment: the stored counts are always those of the
folded tallies.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, case, func, literal, select, union_all

from frontdoor.indicators.periods import Period, PeriodKind, month_key
from frontdoor.indicators.person_tallies import DISTINCT_PERSONS, PERSON_AGE, PERSON_PROBLEM
from frontdoor.store.tally_models import PersonPeriodCount, PersonTally, RequestTallyChange

# Persons with at least one problem over the period (the others are "without problem").
PERSONS_WITH_PROBLEM = "persons_with_problem"


@dataclass(kw_only=True, frozen=True)
class PeriodMonths:
    """A standard period by its code, and its local months [first_month, end_month)."""

    code: str  # Period.code: "2026-10", "2026-Q4", "2026"
    first_month: int  # 202610
    end_month: int  # the month after the period, exclusive


def of_period(period: Period) -> PeriodMonths:
    return PeriodMonths(
        code=period.code,
        first_month=month_key(period.first_day),
        end_month=month_key(period.end_day),
    )


def periods_of_months(months: Iterable[date]) -> list[PeriodMonths]:
    """The month, quarter and year of each of these months, each once."""
    periods: dict[str, PeriodMonths] = {}
    for month in months:
        for kind, number in (
            (PeriodKind.MONTH, month.month),
            (PeriodKind.QUARTER, (month.month - 1) // 3 + 1),
            (PeriodKind.YEAR, 1),
        ):
            period = of_period(Period(kind=kind, year=month.year, number=number))
            periods.setdefault(period.code, period)
    return list(periods.values())


def is_distinct_person(measure: Any) -> Any:
    return measure.startswith(DISTINCT_PERSONS, autoescape=True)


def person_deltas(department: str, periods: Sequence[PeriodMonths], moved: Any) -> Any:
    """(period, measure, n): what the changes of `moved` (month, measure, value, n; measures
    of distinct persons only, in the periods' months) do to the counts of the department's
    periods, the persons' tallies before them being the folded ones."""
    table = PersonTally.__table__  # type: ignore[attr-defined]
    tallies = table.c
    spans = union_all(
        *(
            select(
                literal(p.code).label("period"),
                literal(p.first_month).label("first_month"),
                literal(p.end_month).label("end_month"),
            )
            for p in periods
        )
    ).subquery("spans")

    def in_span(month: Any) -> Any:
        return and_(month >= spans.c.first_month, month < spans.c.end_month)

    # Each person's tallies found from her (the index by person), never by month: a period's
    # months hold every person's.
    touched = select(moved.c.value).distinct().subquery("touched")
    hers = touched.join(
        table, and_(tallies.department == department, tallies.value == touched.c.value)
    )
    seen = union_all(
        select(
            spans.c.period,
            tallies.value,
            tallies.measure,
            tallies.n.label("before"),
            literal(0).label("change"),
        )
        .select_from(hers)
        .where(in_span(tallies.month)),
        select(spans.c.period, moved.c.value, moved.c.measure, literal(0), moved.c.n).where(
            in_span(moved.c.month)
        ),
    ).subquery("seen")
    # Each person's presence in each measure of each period, before and after.
    was = case((func.sum(seen.c.before) > 0, 1), else_=0)
    now = case((func.sum(seen.c.before) + func.sum(seen.c.change) > 0, 1), else_=0)
    presence = (
        select(seen.c.period, seen.c.value, seen.c.measure, was.label("was"), now.label("now"))
        .group_by(seen.c.period, seen.c.value, seen.c.measure)
        .subquery("presence")
    )
    is_age = presence.c.measure.startswith(PERSON_AGE, autoescape=True)
    is_problem = presence.c.measure.startswith(PERSON_PROBLEM, autoescape=True)
    # Each person's highest band and whether she had any problem, before and after.
    person = (
        select(
            presence.c.period,
            func.max(case((and_(is_age, presence.c.was == 1), presence.c.measure))).label(
                "band_was"
            ),
            func.max(case((and_(is_age, presence.c.now == 1), presence.c.measure))).label(
                "band_now"
            ),
            func.max(case((is_problem, presence.c.was), else_=0)).label("problem_was"),
            func.max(case((is_problem, presence.c.now), else_=0)).label("problem_now"),
        )
        .group_by(presence.c.period, presence.c.value)
        .subquery("person")
    )
    deltas = union_all(
        select(presence.c.period, presence.c.measure, presence.c.now - presence.c.was).where(
            is_problem
        ),
        select(person.c.period, person.c.band_was, literal(-1)).where(
            person.c.band_was.is_not(None)
        ),
        select(person.c.period, person.c.band_now, literal(1)).where(
            person.c.band_now.is_not(None)
        ),
        select(
            person.c.period,
            literal(PERSONS_WITH_PROBLEM),
            person.c.problem_now - person.c.problem_was,
        ),
    ).subquery("deltas")
    period, measure, n = deltas.c
    return (
        select(period.label("period"), measure.label("measure"), func.sum(n).label("n"))
        .group_by(period, measure)
        .having(func.sum(n) != 0)
    )


def counted_rows(department: str, period: PeriodMonths, starts: int, ends: int) -> Any:
    """(department, measure, "", n) of the persons accompanied in the department's period:
    the stored counts, corrected for the changes of minutes [starts, ends) not folded yet."""
    counts = PersonPeriodCount.__table__.c  # type: ignore[attr-defined]
    changes = RequestTallyChange.__table__.c  # type: ignore[attr-defined]
    unfolded = (
        select(
            literal(period.first_month).label("month"), changes.measure, changes.value, changes.n
        )
        .where(
            changes.department == department,
            changes.minute >= starts,
            changes.minute < ends,
            is_distinct_person(changes.measure),
        )
        .subquery("unfolded")
    )
    deltas = person_deltas(department, [period], unfolded).subquery("corrections")
    both = union_all(
        select(counts.measure, counts.n).where(
            counts.department == department, counts.period == period.code
        ),
        select(deltas.c.measure, deltas.c.n),
    ).subquery("both")
    return select(literal(department), both.c.measure, literal(""), func.sum(both.c.n)).group_by(
        both.c.measure
    )
