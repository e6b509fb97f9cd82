"""Mail in the store: the request a mail answers, found by Message-ID or by reference."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.store.models import Message, Request


async def request_of_message_ids(
    *, session: AsyncSession, department: str, message_ids: Sequence[str]
) -> Request | None:
    """The department's request holding one of these mails (received or sent), nearest first."""
    if not message_ids:
        return None
    result = await session.exec(
        select(Message.provider_id, Request)
        .join(Request, col(Request.id) == col(Message.request_id))
        .where(col(Message.provider_id).in_(list(message_ids)), Request.department == department)
    )
    found = {provider_id: request for provider_id, request in result.all()}
    return next((found[i] for i in message_ids if i in found), None)


async def request_of_department(
    *, session: AsyncSession, department: str, request_id: int
) -> Request | None:
    request = await session.get(Request, request_id)
    return request if request is not None and request.department == department else None
