"""The figures the coordinator enters per department and year (department_figures): read
for the indicator table and the console's form, saved from the form, imported from a count
file."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.core.figures import (
    ENTERED_BY_HAND,
    EnteredFigures,
    FundingSource,
    GpCount,
)
from frontdoor.store.models import DepartmentFigures


def _funding_column(source: FundingSource) -> str:
    return f"funding_{source.value}"


def entered(row: DepartmentFigures) -> EnteredFigures:
    funding = {
        source.value: value
        for source in FundingSource
        if (value := getattr(row, _funding_column(source))) is not None
    }
    return EnteredFigures(
        staff_fte=row.staff_fte,
        funding=funding,
        territory_gps=row.territory_gps,
        territory_gps_source=row.territory_gps_source,
    )


async def figures_of(
    session: AsyncSession, *, departments: Sequence[str], year: int
) -> dict[str, DepartmentFigures]:
    rows = await session.exec(
        select(DepartmentFigures).where(
            col(DepartmentFigures.department).in_(departments), DepartmentFigures.year == year
        )
    )
    return {row.department: row for row in rows}


async def _row(session: AsyncSession, department: str, year: int) -> DepartmentFigures:
    found = (await figures_of(session, departments=[department], year=year)).get(department)
    return found or DepartmentFigures(department=department, year=year)


async def save_figures(
    session: AsyncSession,
    *,
    department: str,
    year: int,
    staff_fte: float | None,
    funding: Mapping[FundingSource, int | None],
    territory_gps: int | None,
    territory_gps_source: str | None,
    by: str,
    at: datetime,
) -> None:
    """What the console's form says. A GP count typed over an imported one becomes "saisie"
    unless another source is given with it; an unchanged count keeps its source."""
    row = await _row(session, department, year)
    row.staff_fte = staff_fte
    for funded_by in FundingSource:
        setattr(row, _funding_column(funded_by), funding.get(funded_by))
    source = (territory_gps_source or "").strip()[:200] or ENTERED_BY_HAND
    if territory_gps != row.territory_gps and source == row.territory_gps_source:
        source = ENTERED_BY_HAND
    if territory_gps is None:
        row.territory_gps_source = row.territory_gps_by = row.territory_gps_at = None
    elif (territory_gps, source) != (row.territory_gps, row.territory_gps_source):
        row.territory_gps_source, row.territory_gps_by, row.territory_gps_at = source, by, at
    row.territory_gps = territory_gps
    row.updated_by, row.updated_at = by, at
    session.add(row)
    await session.commit()


async def import_gp_counts(
    session: AsyncSession, *, counts: Sequence[GpCount], by: str, at: datetime
) -> None:
    """Each department's GP count for its year, with its source (one transaction)."""
    for count in counts:
        row = await _row(session, count.department, count.year)
        row.territory_gps, row.territory_gps_source = count.count, count.source
        row.territory_gps_by, row.territory_gps_at = by, at
        session.add(row)
    await session.commit()
