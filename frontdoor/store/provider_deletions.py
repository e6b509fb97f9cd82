"""The queue of Twilio's records to delete there (core.provider_records): written in the
transaction of the erasure or purge that reached them, so that a commit that lands has
queued them and one that fails has not; read and settled by the twilio-records-deletion job
(frontdoor.jobs.provider_records)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Table, delete, func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.core.provider_records import RecordKind
from frontdoor.store.db import dialect_insert
from frontdoor.store.models import ProviderDeletion

_DELETIONS: Table = ProviderDeletion.__table__  # type: ignore[attr-defined]


async def queue_deletions(
    *,
    session: AsyncSession,
    department: str,
    records: Sequence[tuple[RecordKind, str]],
    now: datetime,
) -> None:
    """Queue these records for deletion at Twilio, due at once, in the session's transaction
    (the caller commits). One already queued stays as it is, with its attempts."""
    if not records:
        return
    rows = [
        {"department": department, "kind": kind.value, "sid": sid, "queued_at": now,
         "attempts": 0, "next_attempt_at": now}
        for kind, sid in records
    ]  # fmt: skip
    insert = dialect_insert(await session.connection(), _DELETIONS)
    await session.exec(
        insert.values(rows).on_conflict_do_nothing(index_elements=["department", "sid"])
    )


async def due_deletions(
    *, session: AsyncSession, now: datetime, limit: int, after_id: int = 0
) -> list[ProviderDeletion]:
    """The deletions due at `now` and not given up, oldest first, after `after_id`."""
    query = (
        select(ProviderDeletion)
        .where(
            col(ProviderDeletion.given_up_at).is_(None),
            col(ProviderDeletion.next_attempt_at) <= now,
            col(ProviderDeletion.id) > after_id,
        )
        .order_by(col(ProviderDeletion.id))
        .limit(limit)
    )
    return list((await session.exec(query)).all())


async def deleted(*, session: AsyncSession, deletion_id: int) -> None:
    """Twilio no longer holds the record: the row goes."""
    await session.exec(delete(_DELETIONS).where(_DELETIONS.c.id == deletion_id))


async def refused(
    *,
    session: AsyncSession,
    deletion_id: int,
    attempts: int,
    error: str,
    retry_at: datetime | None,
    now: datetime,
) -> None:
    """Twilio refused or did not answer: try again at `retry_at`, or (None) give up."""
    values: dict[str, object] = {"attempts": attempts, "last_error": error[:200]}
    if retry_at is None:
        values["given_up_at"] = now
    else:
        values["next_attempt_at"] = retry_at
    await session.exec(update(_DELETIONS).where(_DELETIONS.c.id == deletion_id).values(values))


async def given_up_by_department(*, session: AsyncSession) -> dict[str, int]:
    """How many deletions were given up, by department: what the operator has to look at."""
    query = (
        select(ProviderDeletion.department, func.count())
        .where(col(ProviderDeletion.given_up_at).is_not(None))
        .group_by(col(ProviderDeletion.department))
    )
    return {department: int(n) for department, n in await session.exec(query)}
