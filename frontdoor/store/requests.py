"""Reading and writing requests, their events, known contacts and webhook receipts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from annotated_types import MaxLen
from sqlalchemy import String, Table, and_, bindparam, or_, true
from sqlalchemy.orm import aliased
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.core import overflow, transfer
from frontdoor.core.referrers import KnownCaller, ReferrerType
from frontdoor.core.voice_actions import CallUpdate, Reply
from frontdoor.store.match import equal
from frontdoor.store.models import (
    KnownContact,
    Request,
    RequestEvent,
    RequestPublic,
    WebhookReceipt,
)


def public_request(request: Request) -> dict[str, Any]:
    """A request as the API and a person's export show it (models.RequestPublic)."""
    shown = RequestPublic.model_validate(request, from_attributes=True)
    shown.has_recording = bool(request.recording_url or request.recording_key)
    return shown.model_dump(mode="json")


async def request_by_call_sid(
    *, session: AsyncSession, department: str, call_sid: str
) -> Request | None:
    """A department's call: the same CallSid for another department is another call."""
    if call_sid is None:  # a missing CallSid names no call (store.match.equal)
        return None
    params = {"department": department, "call_sid": call_sid}
    result = await session.exec(_REQUEST_OF_CALL, params=params)
    return result.first()


async def request_by_id(*, session: AsyncSession, request_id: int) -> Request | None:
    return await session.get(Request, request_id)


async def events_of(*, session: AsyncSession, request_id: int) -> Sequence[RequestEvent]:
    result = await session.exec(
        select(RequestEvent)
        .where(RequestEvent.request_id == request_id)
        .order_by(col(RequestEvent.at), col(RequestEvent.id))
    )
    return result.all()


async def event_of_request(
    *, session: AsyncSession, request_id: int, event_id: int
) -> RequestEvent | None:
    found = await session.get(RequestEvent, event_id)
    return found if found is not None and found.request_id == request_id else None


async def first_event(*, session: AsyncSession, request_id: int, kind: str) -> RequestEvent | None:
    result = await session.exec(
        select(RequestEvent)
        .where(RequestEvent.request_id == request_id, RequestEvent.kind == kind)
        .order_by(col(RequestEvent.at), col(RequestEvent.id))
        .limit(1)
    )
    return result.first()


class RingEnd(NamedTuple):
    """What the dial action reads of a ring that ended: who pressed 1 during it (overflow.TAKER
    for the overflow line), and whether her leg left the caller's <Dial> for a warm transfer
    (core.transfer.consult)."""

    taker: str | None
    consulting: bool


async def ring_end(
    *, session: AsyncSession, request_id: int, attempt: int, leg_sid: str | None
) -> RingEnd:
    """Who took the ring attempt (on the bridged leg, when known), and whether a warm transfer
    was asked from that leg: one statement, built once, asked of every ring that ends."""
    params: dict[str, object] = {"request_id": request_id, "attempt": attempt}
    statement = _RING_END
    if leg_sid:
        statement, params["leg_sid"] = _RING_END_ON_LEG, leg_sid
    connection = await session.connection()
    rows = (await connection.execute(statement, params)).all()
    first = next((row for row in rows if row.kind == "accepted"), None)
    taker = None
    if first is not None:
        taker = overflow.TAKER if first.detail == overflow.TAKER else first.referent_id
    # Without the leg, no transfer can be told apart from another referent's.
    consulting = bool(leg_sid) and any(row.kind == transfer.REQUESTED for row in rows)
    return RingEnd(taker=taker, consulting=consulting)


def updated_columns(update: CallUpdate, *, source: str = "menu") -> dict[str, Any]:
    """The request columns a core step decided, by name."""
    columns: dict[str, Any] = {}
    if update.referrer_type is not None:
        columns["referrer_type"] = update.referrer_type.value
        columns["referrer_source"] = source
    if update.outcome is not None:
        columns["outcome"] = update.outcome.value
    for name in ("callback_needed", "out_of_hours", "taken_by", "attempts"):
        value = getattr(update, name)
        if value is not None:
            columns[name] = value
    return columns


def apply_update(request: Request, update: CallUpdate, *, source: str = "menu") -> None:
    """Copy the fields a core step decided onto the request row."""
    for name, value in updated_columns(update, source=source).items():
        setattr(request, name, value)


def began_earlier(request: Request, *, at: datetime, out_of_hours: bool) -> None:
    """A contact begins with its earliest message. One stored after a later one (a call's first
    webhook replayed from the journal, an SMS that waited for its sender's conversation) moves
    its request to when it came, in or out of hours as it was then: the day it is counted on."""
    if at < request.received_at:
        request.received_at, request.out_of_hours = at, out_of_hours


def record_event(
    session: AsyncSession,
    request: Request,
    *,
    kind: str,
    at: datetime,
    reply: Reply | None = None,
    **fields: str | int | None,
) -> RequestEvent:
    event = RequestEvent(**event_row(request, kind=kind, at=at, reply=reply, **fields))
    session.add(event)
    return event


def event_row(
    request: Request,
    *,
    kind: str,
    at: datetime,
    reply: Reply | None = None,
    **fields: str | int | None,
) -> dict[str, Any]:
    """A `request_events` row of this request, by column: what record_event adds to the
    session, or insert_events writes."""
    assert request.id is not None, "flush the request before recording its events"
    # Each field's own type: the provider's traces, fitted to their columns.
    traces: dict[str, Any] = {name: _fitted(name, value) for name, value in fields.items()}
    return {
        "request_id": request.id,
        "department": request.department,
        "at": at,
        "kind": kind,
        "reasons": [reason.as_dict() for reason in reply.reasons] if reply else [],
        **traces,
    }


async def insert_events(session: AsyncSession, rows: Sequence[Mapping[str, Any]]) -> None:
    """Write events (event_row) at once, in one statement on the session's transaction: no
    ORM object is made of them, and the session's later reads see them."""
    if not rows:
        return
    # Every row names every column: one statement, whichever traces each event has.
    whole = [{**_NO_TRACES, **row} for row in rows]
    connection = await session.connection()
    await connection.execute(_INSERT_EVENT, whole)


class RequestChanges:
    """A step's changes to a request loaded in the session, written by one UPDATE of the
    columns that changed (write), not by the ORM's flush. Each change shows on the loaded
    row at once (its later reads see it), without marking the row for a flush."""

    def __init__(self, request: Request) -> None:
        self.request = request
        self._before: dict[str, Any] = {}  # each changed column's value as loaded

    def set(self, columns: Mapping[str, Any]) -> None:
        for name, value in columns.items():
            self._before.setdefault(name, getattr(self.request, name))
            set_committed_value(self.request, name, value)

    async def write(self, session: AsyncSession) -> None:
        changed = {
            name: getattr(self.request, name)
            for name, before in self._before.items()
            if getattr(self.request, name) != before
        }
        self._before.clear()
        if not changed:
            return
        connection = await session.connection()
        await connection.execute(_UPDATE_REQUEST, {**changed, "request_id": self.request.id})


# An event's traces come from the provider's fields and query strings, whatever they hold:
# clipped to their columns (PostgreSQL refuses longer text, or integers past 32 bits) rather
# than failing the write of the step they trace.
_EVENT_LENGTHS = {
    name: limit.max_length
    for name, field in RequestEvent.model_fields.items()
    for limit in field.metadata
    if isinstance(limit, MaxLen)
}
_INTEGER = 2**31


def _fitted(name: str, value: str | int | None) -> str | int | None:
    if isinstance(value, str) and name in _EVENT_LENGTHS:
        return value[: _EVENT_LENGTHS[name]]
    if isinstance(value, int) and not -_INTEGER <= value < _INTEGER:
        return None
    return value


async def known_caller(
    *, session: AsyncSession, department: str, number: str
) -> KnownCaller | None:
    result = await session.exec(
        select(KnownContact).where(
            KnownContact.department == department, equal(KnownContact.number, number)
        )
    )
    contact = result.first()
    if contact is None:
        return None
    return KnownCaller(
        name=contact.name,
        referrer_type=ReferrerType(contact.referrer_type),
        profession=contact.profession,
        rpps=contact.rpps,
    )


async def upsert_contact(*, session: AsyncSession, contact: KnownContact) -> bool:
    """Insert or update a known contact, found by its number or else its address; True: new."""
    key = (
        equal(KnownContact.number, contact.number)
        if contact.number
        else equal(KnownContact.address, contact.address)
    )
    result = await session.exec(
        select(KnownContact).where(KnownContact.department == contact.department, key)
    )
    existing = result.first()
    if existing is None:
        session.add(contact)
        return True
    existing.name = contact.name
    existing.referrer_type = contact.referrer_type
    existing.number = contact.number or existing.number
    existing.address = contact.address or existing.address
    existing.rpps = contact.rpps or existing.rpps
    # A contact the RPPS import made, changed by the department's own list, is the
    # department's now: the next RPPS import leaves it as it is.
    existing.edited_locally = existing.edited_locally or existing.imported_from is not None
    session.add(existing)
    return False


_RECEIPTS: Table = WebhookReceipt.__table__  # type: ignore[attr-defined]
_EVENTS: Table = RequestEvent.__table__  # type: ignore[attr-defined]
_REQUESTS: Table = Request.__table__  # type: ignore[attr-defined]
# An event's traces it does not name (event_row).
_NO_TRACES = {"referent_id": None, "attempt": None, "leg_sid": None, "detail": None}

# The statements every step of a call sends, built once with their values as parameters:
# building one per webhook, and its cache key, cost more Python than executing it.
# A step of a call holds its call's row until it commits (FOR NO KEY UPDATE on PostgreSQL;
# SQLite runs one transaction at a time): the steps of one call, which Twilio may send at
# once, each read the facts the others committed, and none settles the call without them.
# NO KEY: the row's events and tasks can still be inserted meanwhile (their foreign key).
_REQUEST_OF_CALL = (
    select(Request)
    .where(
        _REQUESTS.c.department == bindparam("department"),
        _REQUESTS.c.call_sid == bindparam("call_sid"),
    )
    .with_for_update(key_share=True)
)
_RECEIPT_OF_KEY = select(_RECEIPTS.c.body, _RECEIPTS.c.status).where(
    _RECEIPTS.c.key == bindparam("key")
)
_INSERT_RECEIPT = _RECEIPTS.insert()
# One row whatever is found: the key asked, its receipt if any, the call's request if any.
_ASKED = select(bindparam("key", type_=String).label("key")).subquery("asked")
# The call's row is locked in a subquery: PostgreSQL locks no row of an outer join's
# nullable side.
_LOCKED_CALL = _REQUEST_OF_CALL.subquery("call")
_CALL = aliased(Request, _LOCKED_CALL)
_RECEIPT_AND_CALL = (
    select(_CALL, _RECEIPTS.c.body, _RECEIPTS.c.status)
    .select_from(_ASKED)
    .outerjoin(_RECEIPTS, _RECEIPTS.c.key == _ASKED.c.key)
    .outerjoin(_LOCKED_CALL, true())
)
_INSERT_EVENT = _EVENTS.insert()
# A ring attempt's presses of 1, and the warm transfers asked from a leg (ring_end).
_RING_END = (
    select(_EVENTS.c.kind, _EVENTS.c.referent_id, _EVENTS.c.detail)
    .where(
        _EVENTS.c.request_id == bindparam("request_id"),
        or_(
            and_(_EVENTS.c.kind == "accepted", _EVENTS.c.attempt == bindparam("attempt")),
            and_(
                _EVENTS.c.kind == transfer.REQUESTED,
                _EVENTS.c.detail.startswith(transfer.Mode.WARM.value + ":"),
            ),
        ),
    )
    .order_by(_EVENTS.c.id)
)
_RING_END_ON_LEG = _RING_END.where(_EVENTS.c.leg_sid == bindparam("leg_sid"))
# The columns set are those of the parameters given (RequestChanges.write).
_UPDATE_REQUEST = _REQUESTS.update().where(_REQUESTS.c.id == bindparam("request_id"))


class StoredAnswer(NamedTuple):
    """The answer a webhook was given, as its receipt keeps it."""

    body: str
    status: int


async def receipt(*, session: AsyncSession, key: str) -> StoredAnswer | None:
    """The answer given to the webhook with this key, if it was answered (a retry)."""
    # A plain statement on the session's transaction: no ORM object is made of it.
    connection = await session.connection()
    row = (await connection.execute(_RECEIPT_OF_KEY, {"key": key})).first()
    return None if row is None else StoredAnswer(body=row.body, status=row.status)


async def receipt_and_call(
    *, session: AsyncSession, key: str, department: str, call_sid: str
) -> tuple[StoredAnswer | None, Request | None]:
    """receipt, and the department's call (request_by_call_sid) the webhook names, in one
    statement: a step of a call reads both before anything else."""
    params = {"key": key, "department": department, "call_sid": call_sid}
    row = (await session.exec(_RECEIPT_AND_CALL, params=params)).one()
    request, body, status = row
    return (None if body is None else StoredAnswer(body=body, status=status)), request


async def keep_receipt(
    *,
    session: AsyncSession,
    key: str,
    received_at: datetime,
    provider_sid: str | None,
    content_type: str,
    body: str,
) -> None:
    """Write a webhook's answer in its transaction (committed with its changes, or not at
    all); IntegrityError, at once or at the commit, when this key has one already."""
    connection = await session.connection()
    await connection.execute(
        _INSERT_RECEIPT,
        {"key": key, "received_at": received_at, "provider_sid": provider_sid, "status": 200,
         "content_type": content_type, "body": body},
    )  # fmt: skip
