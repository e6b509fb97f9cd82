"""The console's changes of the team and the line (core.team), kept for every instance.

Append-only: each row is one change, laid over the department file in order of id by
`core.team.effective_department`, and read back as the team's journal.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.core.roster import Reach
from frontdoor.core.team import TeamChange, TeamChangeKind
from frontdoor.store.models import TeamChangeRow


def as_change(row: TeamChangeRow) -> TeamChange:
    return TeamChange(
        id=row.id or 0,
        kind=TeamChangeKind(row.kind),
        referent_id=row.referent_id,
        name=row.name,
        phone=row.phone,
        file_said=row.file_said,
        starts=row.starts,
        ends=row.ends,
        reason=row.reason,
        closure_change_id=row.closure_change_id,
        reach=Reach(row.reach) if row.reach else None,
        client=row.client,
    )


async def record_change(
    *,
    session: AsyncSession,
    department: str,
    change: TeamChange,
    before: str | None,
    by: str,
    now: datetime,
) -> TeamChangeRow:
    """Store a change (its ``id`` is given by the store) with who made it and when."""
    row = TeamChangeRow(
        department=department,
        kind=change.kind.value,
        referent_id=change.referent_id,
        name=change.name,
        phone=change.phone,
        file_said=change.file_said,
        before=before,
        starts=change.starts,
        ends=change.ends,
        reason=change.reason,
        closure_change_id=change.closure_change_id,
        reach=change.reach.value if change.reach else None,
        client=change.client,
        created_by=by,
        created_at=now,
    )
    session.add(row)
    await session.flush()
    return row


async def stored_team_changes(*, session: AsyncSession) -> Mapping[str, tuple[TeamChange, ...]]:
    """Every department's changes, in the order they were made."""
    rows = (await session.exec(select(TeamChangeRow).order_by(col(TeamChangeRow.id)))).all()
    found: defaultdict[str, list[TeamChange]] = defaultdict(list)
    for row in rows:
        found[row.department].append(as_change(row))
    return {slug: tuple(changes) for slug, changes in found.items()}


async def department_changes(*, session: AsyncSession, department: str) -> tuple[TeamChange, ...]:
    """One department's changes, in the order they were made."""
    rows = (
        await session.exec(
            select(TeamChangeRow)
            .where(TeamChangeRow.department == department)
            .order_by(col(TeamChangeRow.id))
        )
    ).all()
    return tuple(as_change(row) for row in rows)


async def team_journal(
    *, session: AsyncSession, department: str, limit: int = 50
) -> Sequence[TeamChangeRow]:
    """A department's latest changes, the newest first."""
    return (
        await session.exec(
            select(TeamChangeRow)
            .where(TeamChangeRow.department == department)
            .order_by(col(TeamChangeRow.id).desc())
            .limit(limit)
        )
    ).all()
