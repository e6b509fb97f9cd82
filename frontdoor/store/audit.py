"""The audit trail of personal data: who saw or changed what, when."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.store.match import equal
from frontdoor.store.models import AuditEvent


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
