"""Repeats of a request (requests.repeat_of): the requests a referent may choose from, and
marking or clearing a repeat under the core's rule (core.repeats)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import ColumnElement, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.core.numbers import is_withheld
from frontdoor.core.repeats import RequestInChain, repeat_refusal
from frontdoor.store.match import equal
from frontdoor.store.models import Request, RequestPerson


def _in_chain(request: Request) -> RequestInChain:
    return RequestInChain(
        id=request.id or 0,
        department=request.department,
        received_at=request.received_at,
        repeat_of=request.repeat_of,
    )


async def repeat_candidates(
    *, session: AsyncSession, request: Request, window: timedelta, limit: int = 10
) -> Sequence[Request]:
    """The requests of its department received within `window` before it from the same
    caller (number or address) or about one of the same persons, newest first."""
    same: list[ColumnElement[bool]] = []
    if not is_withheld(request.caller_number):
        same.append(equal(Request.caller_number, request.caller_number))
    if request.contact_address:
        same.append(equal(Request.contact_address, request.contact_address))
    its_persons = select(RequestPerson.person_id).where(RequestPerson.request_id == request.id)
    about_them = select(RequestPerson.request_id).where(
        col(RequestPerson.person_id).in_(its_persons)
    )
    same.append(col(Request.id).in_(about_them))
    result = await session.exec(
        select(Request)
        .where(
            col(Request.department) == request.department,
            col(Request.id) != request.id,
            col(Request.received_at) >= request.received_at - window,
            or_(
                col(Request.received_at) < request.received_at,
                (col(Request.received_at) == request.received_at)
                & (col(Request.id) < (request.id or 0)),
            ),
            or_(*same),
        )
        .order_by(col(Request.received_at).desc(), col(Request.id).desc())
        .limit(limit)
    )
    return result.all()


async def repeats_of(*, session: AsyncSession, request_id: int) -> Sequence[Request]:
    """The requests marked a repeat of this one, oldest first."""
    result = await session.exec(
        select(Request)
        .where(equal(Request.repeat_of, request_id))
        .order_by(col(Request.received_at), col(Request.id))
    )
    return result.all()


async def mark_repeat(*, session: AsyncSession, request: Request, original_id: int) -> str | None:
    """The request marked a repeat of `original_id`, or why not (in French; nothing is
    changed then)."""
    original = await session.get(Request, original_id)
    # The chain from the original, as stored: each request it repeats in turn.
    chain: dict[int, int | None] = {}
    following = original.repeat_of if original is not None else None
    while following is not None and following not in chain:
        row = await session.get(Request, following)
        chain[following] = row.repeat_of if row is not None else None
        following = chain[following]
    refusal = repeat_refusal(
        _in_chain(request), None if original is None else _in_chain(original), chain.get
    )
    if refusal is None:
        request.repeat_of = original_id
        session.add(request)
    return refusal


def clear_repeat(*, session: AsyncSession, request: Request) -> int | None:
    """The request no longer a repeat; the request it repeated (None: it was not one)."""
    previous = request.repeat_of
    request.repeat_of = None
    session.add(request)
    return previous
