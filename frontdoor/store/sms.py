"""SMS in the store: the sender's open request, messages, acknowledgements and opt-outs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, literal, update
from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.core.callbacks import TaskStatus
from frontdoor.core.retention import PSEUDONYM_PREFIX, pseudonym, stored_forms
from frontdoor.core.sms import OPEN_REQUEST_WINDOW
from frontdoor.store.match import equal
from frontdoor.store.models import CallbackTaskRow, Message, Request, RequestEvent, SmsOptOut


async def hold_sender(*, session: AsyncSession, department: str, number: str, key: bytes) -> None:
    """Hold the sender's conversation with the department until the transaction ends.

    A sender's SMS sent together reach several webhooks at once: held, each finds the request
    the one before it opened, and the conversation is one request, acknowledged and told to
    the referents once. PostgreSQL: a lock named by the number's pseudonym, never the number;
    SQLite runs one transaction at a time."""
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        name = literal(f"sms-sender:{department}:{pseudonym(number, key)}")
        await connection.execute(select(func.pg_advisory_xact_lock(func.hashtext(name))))


async def open_sms_request(
    *, session: AsyncSession, department: str, number: str, at: datetime
) -> Request | None:
    """The sender's open request, which a further SMS joins.

    Open: a request of the same number and department, on the SMS channel, received in the
    last 72 hours (core.sms.OPEN_REQUEST_WINDOW), whose callback task, if it has one, is not
    closed. The most recent if there are several. Or received after `at`: an SMS that waited
    for its sender's conversation (hold_sender) joins the one a later SMS opened meanwhile.
    """
    query = (
        select(Request)
        .outerjoin(CallbackTaskRow, col(CallbackTaskRow.request_id) == col(Request.id))
        .where(
            Request.department == department,
            Request.channel == "sms",
            equal(Request.caller_number, number),
            col(Request.received_at) > at - OPEN_REQUEST_WINDOW,
            or_(
                col(CallbackTaskRow.id).is_(None),
                CallbackTaskRow.status == TaskStatus.OPEN.value,
            ),
        )
        .order_by(col(Request.received_at).desc(), col(Request.id).desc())
    )
    return (await session.exec(query)).first()


async def last_acknowledged_at(*, session: AsyncSession, request_id: int) -> datetime | None:
    result = await session.exec(
        select(func.max(Message.at)).where(
            Message.request_id == request_id,
            Message.direction == "out",
            Message.kind == "acknowledgement",
        )
    )
    return result.first()


async def last_notified_at(*, session: AsyncSession, request_id: int) -> datetime | None:
    """When the referents were last told of this request by SMS (kit.referent_notices)."""
    result = await session.exec(
        select(func.max(RequestEvent.at)).where(
            RequestEvent.request_id == request_id, RequestEvent.kind == "sms-notified"
        )
    )
    return result.first()


async def message_by_provider_id(
    *, session: AsyncSession, department: str, provider_id: str
) -> Message | None:
    """The department's message of this provider id (unique per department)."""
    result = await session.exec(
        select(Message).where(
            Message.department == department, equal(Message.provider_id, provider_id)
        )
    )
    return result.first()


async def messages_by_provider_id(*, session: AsyncSession, provider_id: str) -> Sequence[Message]:
    """Every department's message of this provider id: a webhook naming a MessageSid is
    checked against all of them (an SMS's is Twilio's, unique across its accounts)."""
    result = await session.exec(select(Message).where(equal(Message.provider_id, provider_id)))
    return result.all()


async def messages_of(*, session: AsyncSession, request_id: int) -> Sequence[Message]:
    result = await session.exec(
        select(Message)
        .where(Message.request_id == request_id)
        .order_by(col(Message.at), col(Message.id))
    )
    return result.all()


# Opt-outs are kept as keyed pseudonyms (core.retention.pseudonym): what they must answer
# is "did this number say STOP?", which the pseudonym answers without holding the number. An
# erasure or the retention purge thus never has to forget one, and nobody is texted again.


async def is_opted_out(*, session: AsyncSession, department: str, number: str, key: bytes) -> bool:
    result = await session.exec(
        select(SmsOptOut.id).where(
            SmsOptOut.department == department,
            col(SmsOptOut.number).in_(stored_forms(number, key)),
        )
    )
    return result.first() is not None


async def opt_out(
    *, session: AsyncSession, department: str, number: str, at: datetime, key: bytes
) -> None:
    if not await is_opted_out(session=session, department=department, number=number, key=key):
        held = pseudonym(number, key)
        session.add(SmsOptOut(department=department, number=held, opted_out_at=at))


async def opt_in(*, session: AsyncSession, department: str, number: str, key: bytes) -> None:
    await session.exec(
        delete(SmsOptOut).where(
            col(SmsOptOut.department) == department,
            col(SmsOptOut.number).in_(stored_forms(number, key)),
        )
    )


async def pseudonymise_opt_outs(*, session: AsyncSession, key: bytes) -> int:
    """Opt-outs kept before pseudonyms were, with the number itself: pseudonymised now (the
    retention purge's); how many."""
    clear = (
        await session.exec(
            select(SmsOptOut).where(~col(SmsOptOut.number).startswith(PSEUDONYM_PREFIX))
        )
    ).all()
    for row in clear:
        row.number = pseudonym(row.number, key)
        session.add(row)
    return len(clear)


async def text_to_send(*, session: AsyncSession, message_id: int) -> str | None:
    """The text of a stored outgoing SMS still to be sent: None once it was sent or failed
    (another try got there first), or erased."""
    message = await session.get(Message, message_id)
    if message is None or message.status != "sending":
        return None
    return message.body or None


async def record_sms_outcome(
    *, session: AsyncSession, message_id: int, provider_id: str | None
) -> None:
    """Twilio's answer on the stored SMS: its id ("queued", as Twilio says), or "failed".
    Only these two columns are written: a text erased meanwhile stays erased."""
    status = "failed" if provider_id is None else "queued"
    await session.exec(
        update(Message)
        .where(col(Message.id) == message_id)
        .values(status=status, provider_id=provider_id)
    )
