"""Referents' notes on a request (personal data: purged with the request's contents)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.store.models import RequestNote


async def notes_of(*, session: AsyncSession, request_id: int) -> Sequence[RequestNote]:
    result = await session.exec(
        select(RequestNote)
        .where(RequestNote.request_id == request_id)
        .order_by(col(RequestNote.at))
    )
    return result.all()


def add_note(
    *, session: AsyncSession, request_id: int, at: datetime, author: str, body: str
) -> RequestNote:
    note = RequestNote(request_id=request_id, at=at, author=author, body=body)
    session.add(note)
    return note
