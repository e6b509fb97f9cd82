"""Mail in the store: the request a mail answers, found by Message-ID or by reference; the
outbox of mails to send."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import case, delete, func, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.store.match import equal
from frontdoor.store.models import AutoAnswerRow, MailboxLogin, Message, OutboxMail, Request


async def request_of_department(
    *, session: AsyncSession, department: str, request_id: int
) -> Request | None:
    request = await session.get(Request, request_id)
    return request if request is not None and request.department == department else None


async def present_message_ids(
    *, session: AsyncSession, department: str, message_ids: Sequence[str]
) -> set[str]:
    """Those of these Message-IDs the department already holds (received or sent): taken
    before. Another department's copy of the same mail is its own."""
    if not message_ids:
        return set()
    result = await session.exec(
        select(Message.provider_id).where(
            Message.department == department, col(Message.provider_id).in_(list(message_ids))
        )
    )
    return {provider_id for provider_id in result.all() if provider_id is not None}


async def requests_of_message_ids(
    *, session: AsyncSession, department: str, message_ids: Sequence[str]
) -> dict[str, Request]:
    """Message-ID → the department's request holding that mail, in one query for a batch."""
    if not message_ids:
        return {}
    result = await session.exec(
        select(Message.provider_id, Request)
        .join(Request, col(Request.id) == col(Message.request_id))
        .where(
            col(Message.department) == department, col(Message.provider_id).in_(list(message_ids))
        )
    )
    return {provider_id: request for provider_id, request in result.all() if provider_id}


async def requests_of_department(
    *, session: AsyncSession, department: str, request_ids: Sequence[int]
) -> dict[int, Request]:
    """id → the department's request, for those of these ids that are its own."""
    if not request_ids:
        return {}
    result = await session.exec(
        select(Request).where(
            col(Request.id).in_(list(request_ids)), Request.department == department
        )
    )
    return {request.id: request for request in result.all() if request.id is not None}


async def conversations(
    *, session: AsyncSession, department: str, requests: Sequence[Request]
) -> dict[int, set[str]]:
    """Request id → the addresses of its conversation: its contact address, whoever wrote
    to it by mail and whoever it wrote to. One query for a batch."""
    found = {
        r.id: {r.contact_address.lower()} if r.contact_address else set()
        for r in requests
        if r.id is not None and r.department == department
    }
    if not found:
        return {}
    result = await session.exec(
        select(Message.request_id, Message.address).where(
            Message.department == department,
            col(Message.request_id).in_(list(found)),
            col(Message.address).is_not(None),
        )
    )
    for request_id, address in result.all():
        found[request_id].add((address or "").lower())
    return found


# ----- The outbox: mails to send, claimed by one instance at a time -----


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(kw_only=True, frozen=True)
class Outgoing:
    """A claimed mail of the outbox, with its body (from its `messages` row)."""

    id: int
    message_id: str
    recipient: str
    subject: str
    body: str
    headers: dict[str, str]
    attempts: int
    claimed_until: datetime


@dataclass(kw_only=True, frozen=True)
class Failure:
    message_id: str
    attempts: int  # with this one
    retry_at: datetime | None  # None: given up
    error: str


async def claim_due(
    *, session: AsyncSession, department: str, instance: str, now: datetime,
    until: datetime, limit: int,
) -> list[int]:  # fmt: skip
    """Claim up to `limit` of the department's queued mails that are due and unclaimed (or
    whose claim ran out) for `instance` until `until`; the ids it got. One UPDATE: on
    PostgreSQL rows another instance holds are skipped (and a row claimed meanwhile fails the
    re-checked WHERE), on SQLite writers take turns, so a mail is never claimed twice."""
    free = or_(col(OutboxMail.claimed_until).is_(None), col(OutboxMail.claimed_until) < now)
    due = (
        select(OutboxMail.id)
        .where(OutboxMail.department == department, OutboxMail.status == "queued",
               col(OutboxMail.next_attempt_at) <= now, free)
        .order_by(col(OutboxMail.next_attempt_at), col(OutboxMail.id))
        .limit(limit)
        # PostgreSQL: rows another instance is claiming right now are skipped, not waited
        # for, so that instance takes the next ones instead of none (SQLite ignores it).
        .with_for_update(skip_locked=True)
    )  # fmt: skip
    result = await session.exec(
        update(OutboxMail)
        .where(
            col(OutboxMail.id).in_(due.scalar_subquery()), col(OutboxMail.status) == "queued", free
        )
        .values(claimed_by=instance, claimed_until=until)
        .returning(col(OutboxMail.id))
    )
    return sorted(result.scalars().all())


async def claimed(*, session: AsyncSession, ids: Sequence[int], instance: str) -> list[Outgoing]:
    """The mails of `ids` this instance holds, oldest first, ready to send."""
    if not ids:
        return []
    result = await session.exec(
        select(OutboxMail, Message.body)
        .join(
            Message,
            (col(Message.department) == col(OutboxMail.department))
            & (col(Message.provider_id) == col(OutboxMail.message_id)),
        )
        .where(col(OutboxMail.id).in_(list(ids)), equal(OutboxMail.claimed_by, instance),
               OutboxMail.status == "queued")
        .order_by(col(OutboxMail.id))
    )  # fmt: skip
    return [
        Outgoing(id=row.id or 0, message_id=row.message_id, recipient=row.recipient,
                 subject=row.subject, body=body or "", headers=dict(row.headers or {}),
                 attempts=row.attempts, claimed_until=row.claimed_until or _EPOCH)
        for row, body in result.all()
    ]  # fmt: skip


async def settle(
    *, session: AsyncSession, department: str, instance: str, now: datetime,
    sent: Sequence[Outgoing], failed: Sequence[Failure],
) -> None:  # fmt: skip
    """After a round of sending: what the SMTP server accepted is sent (and so is its
    message), what failed waits for its retry or is given up. Only rows this instance still
    holds are touched. Keyed by Message-ID: a caller that queued the mails in this very
    round knows them without reading them back."""
    mine = (col(OutboxMail.department) == department) & equal(OutboxMail.claimed_by, instance)
    if sent:
        await session.exec(
            update(OutboxMail)
            .where(col(OutboxMail.message_id).in_([m.message_id for m in sent]), mine)
            .values(status="sent", sent_at=now, claimed_by=None, claimed_until=None,
                    attempts=OutboxMail.attempts + 1)
        )  # fmt: skip
        await _message_status(session, department, [m.message_id for m in sent], "sent")
    for failure in failed:
        values: dict[str, object] = {
            "attempts": failure.attempts,
            "last_error": failure.error[:300],
            "claimed_by": None,
            "claimed_until": None,
        }
        if failure.retry_at is None:
            values["status"] = "failed"
        else:
            values["next_attempt_at"] = failure.retry_at
        await session.exec(
            update(OutboxMail)
            .where(col(OutboxMail.message_id) == failure.message_id, mine)
            .values(values)
        )
    given_up = [f.message_id for f in failed if f.retry_at is None]
    if given_up:
        await _message_status(session, department, given_up, "failed")


async def _message_status(
    session: AsyncSession, department: str, message_ids: Sequence[str], status: str
) -> None:
    await session.exec(
        update(Message)
        .where(
            col(Message.department) == department, col(Message.provider_id).in_(list(message_ids))
        )
        .values(status=status)
    )


async def purge_settled(*, session: AsyncSession, queued_before: datetime) -> int:
    """Forget the mails sent or given up that were queued before this instant: their
    recipients are personal data, and their messages stay under their requests."""
    result = await session.exec(
        delete(OutboxMail).where(
            col(OutboxMail.status) != "queued", col(OutboxMail.created_at) < queued_before
        )
    )
    return int(result.rowcount)


# ----- Automatic answers: one per sender and period (core.mail.may_answer) -----


async def last_auto_answers(
    *, session: AsyncSession, department: str, senders: Sequence[str]
) -> dict[str, datetime]:
    """Sender pseudonym → when the department last answered them automatically."""
    if not senders:
        return {}
    result = await session.exec(
        select(AutoAnswerRow.sender, AutoAnswerRow.answered_at).where(
            AutoAnswerRow.department == department, col(AutoAnswerRow.sender).in_(list(senders))
        )
    )
    return dict(result.all())


async def claim_auto_answer(
    *, session: AsyncSession, department: str, sender: str, at: datetime, threshold: datetime
) -> bool:
    """Record that the department answers this sender at `at`, unless it answered them after
    `threshold` (core.mail.auto_answer_threshold); whether it may. One statement: of two
    instances answering the same sender at once, one wins (PostgreSQL locks the row until
    the first commits, then re-checks; SQLite has one writer)."""
    table = AutoAnswerRow.__table__  # type: ignore[attr-defined]
    insert = await _upsert(session, table)
    statement = (
        insert.values(department=department, sender=sender, answered_at=at)
        .on_conflict_do_update(
            index_elements=["department", "sender"],
            set_={"answered_at": insert.excluded.answered_at},
            where=table.c.answered_at <= threshold,
        )
        .returning(table.c.sender)
    )
    result = await session.exec(statement)
    return result.first() is not None


async def purge_auto_answers(*, session: AsyncSession, answered_before: datetime) -> int:
    """Forget the answers older than the period: they no longer hold anyone back."""
    result = await session.exec(
        delete(AutoAnswerRow).where(col(AutoAnswerRow.answered_at) < answered_before)
    )
    return int(result.rowcount)


async def _upsert(session: AsyncSession, table: Any) -> Any:
    """An INSERT that can say ON CONFLICT, in the session's dialect."""
    connection = await session.connection()
    return (postgresql if connection.dialect.name == "postgresql" else sqlite).insert(table)


# ----- Whether each department's mailbox logs in -----


async def record_mailbox_login(
    *, session: AsyncSession, department: str, failure: str | None, at: datetime, instance: str
) -> None:
    """The outcome of an attempt to open the department's mailbox (failure None: it opened)."""
    table = MailboxLogin.__table__  # type: ignore[attr-defined]
    insert = await _upsert(session, table)
    ok = failure is None
    await session.exec(
        insert.values(
            department=department, ok=ok, failure=failure, checked_at=at,
            failing_since=None if ok else at, instance=instance,
        ).on_conflict_do_update(
            index_elements=["department"],
            set_={
                "ok": insert.excluded.ok,
                "failure": insert.excluded.failure,
                "checked_at": insert.excluded.checked_at,
                "instance": insert.excluded.instance,
                # Kept from the first failure of a run of them; cleared by a success.
                "failing_since": case(
                    (insert.excluded.ok, None),
                    else_=func.coalesce(table.c.failing_since, insert.excluded.failing_since),
                ),
            },
        )
    )  # fmt: skip


async def mailbox_logins(*, session: AsyncSession) -> dict[str, MailboxLogin]:
    result = await session.exec(select(MailboxLogin))
    return {row.department: row for row in result.all()}


async def mail_thread(*, session: AsyncSession, request_id: int) -> Sequence[Message]:
    """The mails of a request, oldest first: what an answer is threaded under."""
    result = await session.exec(
        select(Message)
        .where(Message.request_id == request_id, Message.channel == "mail")
        .order_by(col(Message.at), col(Message.id))
    )
    return result.all()
