"""The requests of one department that answer a search (core.request_search says what a
query asks for), newest first, a page at a time, each with why it answered.

Indexed: a request number (the key), a phone number or an address (requests by department
and caller number or contact address, messages by department and address: migration 0024),
the persons' folded names (persons by department and name_key). Scanned, within the
department: the callers' names (folded in Python, as no column holds them folded) and the
text of notes and messages (a case-insensitive LIKE). A DAC keeps a few thousand requests a
year, and retention empties names, notes and messages after their period: a scan of one
department's is a few milliseconds, not worth a full-text index on two databases.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.core.person_identity import matches_query, name_key
from frontdoor.core.request_search import Match, RequestQuery
from frontdoor.store.audit import record_access
from frontdoor.store.inbox import InboxFilters, InboxRow, inbox_page
from frontdoor.store.match import any_of, equal
from frontdoor.store.models import KnownContact, Message, Request, RequestNote, RequestPerson
from frontdoor.store.person_files import search_persons

# The newest requests each way of matching keeps: past this, the search asks for more words.
MAX_MATCHED = 1000


@dataclass(kw_only=True, frozen=True)
class FoundRequests:
    rows: Sequence[InboxRow]  # the page asked for, newest first
    why: dict[int, list[Match]]  # by request id, for the rows of the page
    total: int  # every request found


async def search_requests(
    *, session: AsyncSession, department: str, query: RequestQuery, page: int, size: int
) -> FoundRequests:
    """Page `page` (from 1) of the department's requests that answer `query`."""
    why: dict[int, list[Match]] = {}
    for match, ids in await _matches(session, department, query):
        for request_id in ids:
            why.setdefault(request_id, []).append(match)
    if not why:
        return FoundRequests(rows=[], why={}, total=0)
    ordered = (
        await session.exec(
            select(Request.id)
            .where(Request.department == department, col(Request.id).in_(list(why)))
            .order_by(col(Request.received_at).desc(), col(Request.id).desc())
        )
    ).all()
    shown = [request_id for request_id in ordered[(page - 1) * size : page * size] if request_id]
    rows = await inbox_page(
        session, department=department, filters=InboxFilters(ids=shown), limit=size
    )
    return FoundRequests(rows=rows, why={i: why[i] for i in shown}, total=len(ordered))


async def _matches(
    session: AsyncSession, department: str, query: RequestQuery
) -> list[tuple[Match, Sequence[int]]]:
    mine = Request.department == department
    found: list[tuple[Match, Sequence[int]]] = []

    async def ids(match: Match, statement: Any) -> None:
        newest = statement.order_by(col(Request.id).desc()).limit(MAX_MATCHED)
        found.append((match, [row for row in (await session.exec(newest)).all() if row]))

    if query.request_id is not None:
        await ids(
            Match.REQUEST_NUMBER, select(Request.id).where(mine, Request.id == query.request_id)
        )
    if query.number is not None:
        await ids(
            Match.NUMBER, select(Request.id).where(mine, equal(Request.caller_number, query.number))
        )
    if query.address is not None:
        await ids(Match.ADDRESS, select(Request.id).where(mine, any_of(
            equal(Request.contact_address, query.address),
            col(Request.id).in_(select(Message.request_id).where(
                Message.department == department, equal(Message.address, query.address))),
        )))  # fmt: skip
    if query.words:
        persons = await search_persons(
            session=session, department=department, query=query.typed, limit=MAX_MATCHED
        )
        await ids(Match.PERSON_NAME, select(Request.id).join(
            RequestPerson, col(RequestPerson.request_id) == col(Request.id)
        ).where(mine, col(RequestPerson.person_id).in_([p.id for p in persons])))  # fmt: skip
        found.append((Match.CALLER_NAME, await _named_callers(session, department, query)))
    if query.text is not None:
        await ids(Match.NOTE, select(Request.id).join(
            RequestNote, col(RequestNote.request_id) == col(Request.id)
        ).where(mine, col(RequestNote.body).icontains(query.text, autoescape=True)))  # fmt: skip
        await ids(Match.MESSAGE, select(Request.id).join(
            Message, col(Message.request_id) == col(Request.id)
        ).where(mine, Message.department == department,
                col(Message.body).icontains(query.text, autoescape=True)))  # fmt: skip
    return found


async def _named_callers(session: AsyncSession, department: str, query: RequestQuery) -> list[int]:
    """Requests whose caller's name answers the query, or whose number or address is a known
    contact's whose name does (a contact saved after her first calls finds them too)."""
    contacts = (
        await session.exec(select(KnownContact).where(KnownContact.department == department))
    ).all()
    known = [c for c in contacts if matches_query(name_key(c.name, None), query.typed)]
    named = (
        await session.exec(
            select(Request.id, Request.caller_name).where(
                Request.department == department, col(Request.caller_name).is_not(None)
            )
        )
    ).all()
    by_name = {
        request_id
        for request_id, name in named
        if request_id and matches_query(name_key(name, None), query.typed)
    }
    numbers = [c.number for c in known if c.number]
    addresses = [c.address for c in known if c.address]
    by_contact = (
        await session.exec(
            select(Request.id).where(
                Request.department == department,
                any_of(col(Request.caller_number).in_(numbers),
                       col(Request.contact_address).in_(addresses)),
            )
        )
    ).all()  # fmt: skip
    return sorted(by_name | {i for i in by_contact if i}, reverse=True)[:MAX_MATCHED]


def record_search(
    session: AsyncSession,
    *,
    at: datetime,
    account: str,
    department: str,
    query: RequestQuery,
    found: FoundRequests,
    key: bytes,
    action: str,
) -> None:
    """The search in the access journal, in the session's transaction: what was asked (a
    pseudonym) and how many requests it found, then one line per request shown."""
    detail = query.journal_detail(key=key, found=found.total)
    record_access(session=session, at=at, account=account, department=department,
                  action=action, detail=detail)  # fmt: skip
    for row in found.rows:
        record_access(session=session, at=at, account=account, department=department,
                      request_id=row.request.id, action=action)  # fmt: skip
