"""The audit trail of personal data: who saw or changed what, when; and the directory's
editors' journal: who corrected which resource, from what to what."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.store.match import equal
from frontdoor.store.models import AuditEvent, Resource, ResourceEdit


def record_access(
    *,
    session: AsyncSession,
    at: datetime,
    account: str,
    department: str,
    action: str,
    request_id: int | None = None,
    detail: str | None = None,
) -> None:
    """Added to the session's transaction: the access and its trace commit together."""
    session.add(
        AuditEvent(
            at=at,
            account=account,
            department=department,
            request_id=request_id,
            action=action,
            detail=detail,
        )
    )


async def audit_of(
    *,
    session: AsyncSession,
    department: str,
    request_id: int | None = None,
    limit: int = 200,
) -> Sequence[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.department == department)
    if request_id is not None:
        query = query.where(equal(AuditEvent.request_id, request_id))
    result = await session.exec(query.order_by(col(AuditEvent.at).desc()).limit(limit))
    return result.all()


def record_resource_edit(
    *,
    session: AsyncSession,
    at: datetime,
    account: str,
    resource_id: int,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
) -> None:
    """Added to the edit's transaction: the fields that changed, as they were and became."""
    changed = [name for name in after if before.get(name) != after[name]]
    session.add(
        ResourceEdit(
            at=at,
            account=account,
            resource_id=resource_id,
            before={name: before.get(name) for name in changed},
            after={name: after[name] for name in changed},
        )
    )


async def resource_edits_in(
    *, session: AsyncSession, departements: Collection[str], limit: int = 200
) -> Sequence[tuple[ResourceEdit, Resource]]:
    """The latest edits of the resources located in these départements, newest first."""
    if not departements:
        return []
    result = await session.exec(
        select(ResourceEdit, Resource)
        .join(Resource, col(Resource.id) == col(ResourceEdit.resource_id))
        .where(col(Resource.departement).in_(list(departements)))
        .order_by(col(ResourceEdit.at).desc(), col(ResourceEdit.id).desc())
        .limit(limit)
    )
    return result.all()
