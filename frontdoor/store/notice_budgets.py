"""Each recipient's notice budget (core.notice_budget), kept in `notice_budgets`.

A notice is decided under the recipient's row, locked (PostgreSQL: SELECT … FOR UPDATE, after
an INSERT … ON CONFLICT DO NOTHING that makes sure it exists; SQLite has one writer): two
instances deciding at once for the same referent decide one after the other, from what the
first wrote. The caller commits, then sends.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.core.notice_budget import NOTICES, Budget, Choice, Policy, consider, summary_due
from frontdoor.store.db import dialect_insert
from frontdoor.store.models import NoticeBudgetRow


async def spend(
    *, session: AsyncSession, department: str, recipient: str, at: datetime,
    policy: Policy = NOTICES,
) -> Choice:  # fmt: skip
    """One more notice for this recipient: sent as it is, as a summary, or held."""
    row = await _locked(session, department, recipient)
    choice = consider(budget_of(row), at=at, policy=policy)
    _write(session, row, choice.budget)
    return choice


async def take_summary(
    *, session: AsyncSession, department: str, recipient: str, at: datetime,
    policy: Policy = NOTICES,
) -> Choice | None:  # fmt: skip
    """The summary of what was held back from this recipient, if it is due at ``at``; spent
    from the budget (the caller commits, then sends)."""
    row = await _locked(session, department, recipient)
    choice = summary_due(budget_of(row), at=at, policy=policy)
    if choice is not None:
        _write(session, row, choice.budget)
    return choice


async def held_back(*, session: AsyncSession) -> list[tuple[str, str]]:
    """(department, recipient) of every recipient with notices held back."""
    rows = await session.exec(
        select(NoticeBudgetRow.department, NoticeBudgetRow.recipient)
        .where(col(NoticeBudgetRow.held) > 0)
        .order_by(col(NoticeBudgetRow.department), col(NoticeBudgetRow.recipient))
    )
    return [(department, recipient) for department, recipient in rows.all()]


def budget_of(row: NoticeBudgetRow) -> Budget:
    return Budget(
        sent=tuple(datetime.fromisoformat(at) for at in row.sent),
        held=row.held,
        held_since=row.held_since,
    )


def _write(session: AsyncSession, row: NoticeBudgetRow, budget: Budget) -> None:
    row.sent = [at.isoformat() for at in budget.sent]
    row.held = budget.held
    row.held_since = budget.held_since
    session.add(row)


async def _locked(session: AsyncSession, department: str, recipient: str) -> NoticeBudgetRow:
    table: Any = NoticeBudgetRow.__table__  # type: ignore[attr-defined]
    await session.exec(
        dialect_insert(await session.connection(), table)
        .values(department=department, recipient=recipient, sent=[], held=0)
        .on_conflict_do_nothing(index_elements=["department", "recipient"])
    )
    statement = (
        select(NoticeBudgetRow)
        .where(NoticeBudgetRow.department == department)
        .where(NoticeBudgetRow.recipient == recipient)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await session.exec(statement)).one()
