"""A department's mailbox, taken in: each new mail becomes (or joins) a request.

For each message: fetch (without \\Seen), parse, find its thread, let core.mail decide,
commit the request, its message and events, and only then mark it handled on the server;
then acknowledge by return and tell the referents. A crash before the commit leaves the mail
to be read again; after it, the Message-ID (unique in `messages`) makes the second reading a
no-op that just marks it handled. A mail that cannot be read is parked, with one log line
that says why and nothing of what it holds; the rest goes on.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.core.calendar import opening_at
from frontdoor.core.department import Department
from frontdoor.core.mail import (
    MailAction,
    MailDecision,
    acknowledgement,
    classify_sender,
    inbound,
    referenced_request,
)
from frontdoor.core.reasons import Reason
from frontdoor.mailbox.attachments import AttachmentStore
from frontdoor.mailbox.imap import ImapMailbox
from frontdoor.mailbox.parse import ParsedMail, Unparseable, parse
from frontdoor.outbound.errors import OutboundError
from frontdoor.outbound.mail import MailConnection, Mailer
from frontdoor.store.mail import request_of_department, request_of_message_ids
from frontdoor.store.models import Message, Request
from frontdoor.store.requests import record_event
from frontdoor.store.sms import message_by_provider_id
from frontdoor.store.tasks import ensure_task

log = logging.getLogger(__name__)


@dataclass(kw_only=True, frozen=True)
class Notice:
    """Referents to tell, once the mail is committed, that a request has a new mail."""

    department: Department
    request_id: int
    referent_ids: tuple[str, ...]


@dataclass(kw_only=True)
class PollReport:
    taken: int = 0  # committed now
    duplicates: int = 0  # committed before (a crash, or another instance): marked handled
    parked: int = 0
    acknowledged: int = 0

    def __str__(self) -> str:
        return (
            f"{self.taken} taken, {self.duplicates} already taken, "
            f"{self.parked} parked, {self.acknowledged} acknowledged"
        )


@dataclass(kw_only=True)
class Intake:
    department: Department
    sessions: async_sessionmaker[AsyncSession]
    texts: Mapping[str, str]
    attachments: AttachmentStore | None
    max_bytes: int
    clock: Callable[[], datetime]
    mailer: Mailer | None  # the department's SMTP side, for acknowledgements
    notify: Callable[[Notice], Awaitable[None]] | None = None
    known: Mapping[str, str] = field(default_factory=dict)  # address → referrer type
    batch: int = 200
    # Called at "fetched" and "committed": where a test stops the intake as a crash would.
    checkpoint: Callable[[str], None] = lambda stage: None

    @property
    def slug(self) -> str:
        return self.department.slug

    async def poll(self, box: ImapMailbox) -> PollReport:
        """Take in up to `batch` new mails of the open mailbox."""
        report = PollReport()
        handled_folder = self.department.mailbox.handled_folder if self.department.mailbox else None
        async with self._acknowledgements() as acks:
            for uid in (await box.new_messages())[: self.batch]:
                raw = await box.fetch(uid)
                self.checkpoint("fetched")
                try:
                    mail = parse(raw, max_bytes=self.max_bytes)
                except Unparseable as error:
                    log.warning("%s: mail parked in quarantine (%s)", self.slug, error.code)
                    await box.park(uid)
                    report.parked += 1
                    continue
                outcome = await self._take(mail)
                self.checkpoint("committed")
                await box.mark_handled(uid, handled_folder)
                if outcome is None:
                    report.duplicates += 1
                    continue
                report.taken += 1
                request_id, decision = outcome
                if decision.acknowledge and await self._acknowledge(mail, request_id, acks):
                    report.acknowledged += 1
                if decision.notify and self.notify is not None:
                    await self.notify(
                        Notice(
                            department=self.department,
                            request_id=request_id,
                            referent_ids=decision.notify,
                        )
                    )
        return report

    async def _take(self, mail: ParsedMail) -> tuple[int, MailDecision] | None:
        """Commit the mail under its request; None when it was committed before."""
        at = self.clock()
        async with self.sessions() as session:
            if await message_by_provider_id(session=session, provider_id=mail.message_id):
                return None
            request, threaded_by = await self._thread(session, mail)
            decision = inbound(
                self.department,
                at=at,
                opening=opening_at(at, self.department.calendar),
                headers=mail.headers,
                thread=request.id if request else None,
                threaded_by=threaded_by,
            )
            if request is None:
                request = self._new_request(mail, at, decision)
                session.add(request)
                await session.flush()
            request_id = request.id or 0
            session.add(
                Message(
                    request_id=request_id,
                    channel="mail",
                    direction="in",
                    provider_id=mail.message_id,
                    at=at,
                    body=_stored_body(mail),
                    kind="message",
                    status="received",
                )
            )
            event = record_event(session, request, kind="mail-in", at=at, detail=decision.action)
            event.reasons = [reason.as_dict() for reason in decision.reasons]
            self._keep_attachments(session, request, mail, at)
            if decision.callback_needed:
                request.callback_needed = True
                task = await ensure_task(
                    session=session, request=request, department=self.department
                )
                record_event(session, request, kind="callback-task", at=at).reasons = list(
                    task.reasons
                )
            session.add(request)
            try:
                await session.commit()
            except IntegrityError:  # another instance took the same mail first
                await session.rollback()
                return None
        return request_id, decision

    async def _thread(
        self, session: AsyncSession, mail: ParsedMail
    ) -> tuple[Request | None, str | None]:
        request = await request_of_message_ids(
            session=session, department=self.slug, message_ids=mail.thread_ids
        )
        if request is not None:
            return request, "en-têtes de réponse"
        referenced = referenced_request(mail.subject, self.slug)
        if referenced is not None:
            request = await request_of_department(
                session=session, department=self.slug, request_id=referenced
            )
            if request is not None:
                return request, "référence dans l'objet"
        return None, None

    def _new_request(self, mail: ParsedMail, at: datetime, decision: MailDecision) -> Request:
        domains = self.department.mailbox.domains if self.department.mailbox else {}
        kind, source, _why = classify_sender(mail.sender, known=self.known, domains=domains)
        assert decision.action is MailAction.NEW_REQUEST
        return Request(
            department=self.slug,
            channel="mail",
            referrer_type=kind.value,
            referrer_source=source,
            # Personal data, purged at retention like a caller's name and number.
            caller_name=(mail.sender_name or mail.sender)[:200],
            contact_address=mail.sender[:250],
            received_at=at,
            out_of_hours=decision.out_of_hours,
        )

    def _keep_attachments(
        self, session: AsyncSession, request: Request, mail: ParsedMail, at: datetime
    ) -> None:
        if not mail.attachments:
            return
        reasons = []
        for index, attachment in enumerate(mail.attachments):
            key = None
            if self.attachments is not None:
                key = self.attachments.save(
                    department=self.slug,
                    request_id=request.id or 0,
                    message_id=mail.message_id,
                    index=index,
                    data=attachment.data,
                )
            text = f"{attachment.content_type}, {attachment.size} octets"
            reasons.append({**Reason(code="mail-attachment", text=text).as_dict(), "key": key})
        event = record_event(
            session, request, kind="mail-attachments", at=at, detail=f"{len(reasons)} pièce(s)"
        )
        event.reasons = reasons

    @asynccontextmanager
    async def _acknowledgements(self) -> AsyncIterator[MailConnection | None]:
        """One SMTP connection for the poll's acknowledgements (opened on the first one)."""
        if self.mailer is None or self.mailer.smtp is None:
            yield None
            return
        async with self.mailer.connection() as connection:
            yield connection

    async def _acknowledge(
        self, mail: ParsedMail, request_id: int, acks: MailConnection | None
    ) -> bool:
        """Answer by return, threaded; record what was sent. A failure is logged, not fatal."""
        if acks is None:
            return False
        at = self.clock()
        ack = acknowledgement(
            self.department,
            at=at,
            opening=opening_at(at, self.department.calendar),
            request_id=request_id,
            subject=mail.subject,
            texts=self.texts,
        )
        references = " ".join(dict.fromkeys((*mail.references, mail.message_id)))
        headers = {
            "In-Reply-To": mail.message_id,
            "References": references,
            "Auto-Submitted": "auto-replied",  # RFC 3834: a response, never to be answered
        }
        try:
            sent_id = await acks.send(
                to=mail.sender, subject=ack.subject, body=ack.body, headers=headers
            )
        except OutboundError as error:
            log.warning("%s: request %s not acknowledged: %s", self.slug, request_id, error)
            return False
        async with self.sessions() as session:
            session.add(
                Message(
                    request_id=request_id,
                    channel="mail",
                    direction="out",
                    provider_id=sent_id,
                    at=at,
                    body=ack.body,
                    author="frontdoor",
                    kind="acknowledgement",
                    status="sent",
                )
            )
            await session.commit()
        return True


def _stored_body(mail: ParsedMail) -> str:
    return f"Objet : {mail.subject}\n\n{mail.text}" if mail.subject else mail.text
