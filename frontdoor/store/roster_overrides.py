"""Roster overrides kept in the store (an imported calendar, the console's duty board).

The department files hold the regular rota; these add one-off changes that every instance
must apply, so they live in the database and each instance refreshes its copy.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.core.roster import Override, OverrideKind
from frontdoor.store.models import RosterOverrideRow


async def replace_from_source(
    *,
    session: AsyncSession,
    department: str,
    source: str,
    overrides: Iterable[Override],
    after: datetime,
    now: datetime,
) -> int:
    """Make a source's overrides ending after ``after`` exactly ``overrides`` (a re-import)."""
    await session.exec(
        delete(RosterOverrideRow).where(
            col(RosterOverrideRow.department) == department,
            col(RosterOverrideRow.source) == source,
            col(RosterOverrideRow.ends) > after,
        )
    )
    count = 0
    for override in overrides:
        session.add(override_row(department, override, source=source, now=now))
        count += 1
    return count


def override_row(
    department: str, override: Override, *, source: str, now: datetime
) -> RosterOverrideRow:
    """The stored form of an override; `source` says where it came from (a feed, the console)."""
    return RosterOverrideRow(
        department=department,
        starts=override.starts,
        ends=override.ends,
        kind=override.kind.value,
        referent_id=override.referent_id,
        instead_of=override.instead_of,
        reason=override.reason,
        source=source,
        created_at=now,
    )


def as_override(row: RosterOverrideRow) -> Override:
    return Override(
        starts=row.starts,
        ends=row.ends,
        kind=OverrideKind(row.kind),
        referent_id=row.referent_id,
        instead_of=row.instead_of,
        reason=row.reason,
    )


async def stored_overrides(*, session: AsyncSession) -> Mapping[str, tuple[Override, ...]]:
    """Every stored override, by department slug."""
    rows = (await session.exec(select(RosterOverrideRow))).all()
    found: defaultdict[str, list[Override]] = defaultdict(list)
    for row in rows:
        found[row.department].append(as_override(row))
    return {slug: tuple(overrides) for slug, overrides in found.items()}


async def upcoming_overrides(
    *, session: AsyncSession, department: str, after: datetime
) -> Sequence[RosterOverrideRow]:
    """A department's overrides still to end after `after`, soonest first."""
    result = await session.exec(
        select(RosterOverrideRow)
        .where(RosterOverrideRow.department == department, col(RosterOverrideRow.ends) > after)
        .order_by(col(RosterOverrideRow.starts))
    )
    return result.all()


async def override_of(
    *, session: AsyncSession, department: str, override_id: int | None
) -> RosterOverrideRow | None:
    """One override of a department; None for another department's or none."""
    row = None if override_id is None else await session.get(RosterOverrideRow, override_id)
    return row if row is not None and row.department == department else None


async def keep_override(
    *, session: AsyncSession, department: str, override: Override, source: str, now: datetime
) -> None:
    """Store an override and commit it (the caller then refreshes its copy)."""
    session.add(override_row(department, override, source=source, now=now))
    await session.commit()


async def delete_override(*, session: AsyncSession, row: RosterOverrideRow) -> None:
    """Remove an override and commit (the caller then refreshes its copy)."""
    await session.delete(row)
    await session.commit()
