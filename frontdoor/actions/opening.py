"""Opening a request for someone: the department check and the audit row, in one place.

Every action opens its request here, so that no handler can reach a request of another
department, nor read or change one without the journal saying who did.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.actions.actor import Actor, NotFound
from frontdoor.core.access import reaches
from frontdoor.core.department import Department
from frontdoor.kit.runtime import JobRuntime
from frontdoor.store.audit import record_access
from frontdoor.store.models import Request
from frontdoor.store.requests import request_by_id


async def open_request(
    *, session: AsyncSession, actor: Actor, request_id: int | None, at: datetime, purpose: str
) -> Request:
    """The request, if it is one of the actor's departments' (NotFound otherwise), journaled
    under `purpose` and committed before anything of it is returned, changed or refused."""
    found = (
        None if request_id is None else await request_by_id(session=session, request_id=request_id)
    )
    # Another department's request is not shown, nor is its existence.
    if found is None or not reaches(actor.departments, found.department):
        raise NotFound
    journal(session=session, actor=actor, found=found, at=at, purpose=purpose)
    await session.commit()
    return found


async def open_with_department(
    *, session: AsyncSession, actor: Actor, request_id: int | None, runtime: JobRuntime,
    purpose: str,
) -> tuple[Request, Department]:  # fmt: skip
    """The request opened now (open_request), with its department's file: what an answer
    leaves from (its number, its mailbox). NotFound when the department is no longer
    served."""
    found = await open_request(
        session=session, actor=actor, request_id=request_id, at=runtime.clock(), purpose=purpose
    )
    department = runtime.departments.for_slug(found.department)
    if department is None:
        raise NotFound
    return found, department


def journal(
    *, session: AsyncSession, actor: Actor, found: Request, at: datetime, purpose: str
) -> None:
    """An audit row on an opened request, in the session (the caller commits): a second
    access in the same action."""
    record_access(
        session=session,
        at=at,
        account=actor.login,
        department=found.department,
        request_id=found.id,
        action=purpose,
    )
