"""A department's mailbox, taken in: each new mail becomes (or joins) a request.

For each chunk of messages: fetch (without \\Seen, in one command), parse (in a worker process,
off the event loop), find each one's thread, let core.mail decide, commit the requests, their
messages, events and queued acknowledgements in one transaction, and only then mark them
handled on the server (one command); then send the acknowledgements
(frontdoor.mailbox.outbox) and tell the referents.
The attachments are written (off the loop) under the flushed mail, before the commit; if the
transaction does not commit, they are deleted. A transaction writes at most
`files_per_commit` of them: on SQLite it holds the one connection every webhook waits for.
A crash before the commit leaves the mails to be read again; after it, the Message-ID
(unique in `messages` per department) makes the second reading a no-op that just marks them
handled, and the acknowledgements already queued are sent by the `mail-outbox` job. The same
mail sent to two departments sharing the database is taken in by each.

A mail that cannot be read (broken MIME, over the size limit — decided from the server's
RFC822.SIZE, its body never fetched —, more parts or attachments than mailbox.parts allows,
no sender, an unknown charset, text its charset cannot decode) is parked: a keyword, and
the department's parking folder. One log line says why without anything it holds; if it
has a sender, a request is opened or joined with a note that its content could not be read
(to be called back), and the sender is told so instead of the acknowledgement; the rest
goes on.

Automatic answers (acknowledgements, unreadable notices) go to a sender once a day at most
(core.mail.may_answer), recorded in `auto_answers` in the mail's transaction, so that an
autoresponder that sets no automatic header gets one answer, whichever instance reads it.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

from aioimaplib import AioImapException
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.core.calendar import Opening, opening_at
from frontdoor.core.callbacks import new_task
from frontdoor.core.department import Department
from frontdoor.core.mail import (
    BY_HEADERS,
    BY_REFERENCE,
    AutoAnswer,
    Cited,
    MailAction,
    MailDecision,
    Threading,
    acknowledgement,
    auto_answer_threshold,
    cited_reason,
    classify_sender,
    inbound,
    linked_reason,
    referenced_request,
    threading,
    unreadable_note,
    unreadable_notice,
)
from frontdoor.core.reasons import Reason
from frontdoor.core.referrers import KnownCaller
from frontdoor.core.retention import pseudonym
from frontdoor.cpu import CpuProcesses
from frontdoor.mailbox.imap import ImapMailbox, MailboxError
from frontdoor.mailbox.outbox import queue, send_claimed
from frontdoor.mailbox.parse import HEADER_LIMIT, ParsedMail, read_mail
from frontdoor.mailbox.parts import MAX_ATTACHMENTS
from frontdoor.outbound.mail import MailConnection, Mailer
from frontdoor.store.attachments import AttachmentStore
from frontdoor.store.mail import (
    Outgoing,
    claim_auto_answer,
    conversations,
    last_auto_answers,
    present_message_ids,
    request_of_department,
    requests_of_department,
    requests_of_message_ids,
    settle,
)
from frontdoor.store.models import CallbackTaskRow, Message, Request
from frontdoor.store.requests import record_event
from frontdoor.store.tasks import copy_task

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
    told_unreadable: int = 0  # senders of mails parked, told so (instead of acknowledged)

    @property
    def read(self) -> int:
        return self.taken + self.duplicates + self.parked

    def add(self, other: PollReport) -> None:
        self.taken += other.taken
        self.duplicates += other.duplicates
        self.parked += other.parked
        self.acknowledged += other.acknowledged
        self.told_unreadable += other.told_unreadable

    def __str__(self) -> str:
        told = f", {self.told_unreadable} told unreadable" if self.told_unreadable else ""
        return (
            f"{self.taken} taken, {self.duplicates} already taken, "
            f"{self.parked} parked, {self.acknowledged} acknowledged{told}"
        )


@dataclass(kw_only=True, frozen=True)
class _Read:
    """One message of a chunk as read: its mail, or what could be read of it and why not."""

    uid: str
    size: int
    mail: ParsedMail | None  # None: not even a sender could be read
    unreadable: str | None = None  # the parser's code when the content could not be read
    detail: str | None = None  # what failed, for the log (an exception's type): no content


@dataclass(kw_only=True)
class _Taken:
    read: _Read
    request: Request
    decision: MailDecision
    linked: Request | None = None  # a request it pointed to but could not join
    linked_by: str | None = None  # how it pointed to it (core.mail.BY_HEADERS, BY_REFERENCE)
    answer: Outgoing | None = None  # its automatic answer, queued with it, claimed by us


@dataclass
class _Written:
    """The attachment files a transaction wrote: (request id, Message-ID, key) each."""

    files: list[tuple[int, str, str]] = field(default_factory=list)
    committing: bool = False  # its COMMIT was sent: it may have gone through


@dataclass(kw_only=True)
class Intake:
    department: Department
    sessions: async_sessionmaker[AsyncSession]
    texts: Mapping[str, str]
    attachments: AttachmentStore | None
    max_bytes: int
    clock: Callable[[], datetime]
    mailer: Mailer | None  # the department's SMTP side, for acknowledgements
    # The key of the pseudonyms under which senders answered are remembered (auto_answers).
    pseudonym_key: bytes
    processes: CpuProcesses  # where mails are parsed, off the event loop
    notify: Callable[[Notice], Awaitable[None]] | None = None
    known: Mapping[str, KnownCaller] = field(default_factory=dict)  # by address
    batch: int = 200
    # Most attachment files written in one transaction (each fsynced while it holds the
    # store): a chunk's mails are committed in several when they carry more.
    files_per_commit: int = 2 * MAX_ATTACHMENTS
    instance: str = "frontdoor"  # who claims the acknowledgements it queues
    # Most bytes of bodies fetched in one command (and held in memory) beyond one mail.
    fetch_bytes: int = 16_000_000
    # Called at "fetched" and "committed": where a test stops the intake as a crash would.
    checkpoint: Callable[[str], None] = lambda stage: None
    # Told, for each mail taken, the seconds from its arrival in the mailbox to its commit.
    observe_lag: Callable[[float], None] = lambda seconds: None

    @property
    def slug(self) -> str:
        return self.department.slug

    async def poll(self, box: ImapMailbox) -> PollReport:
        """Take in up to `batch` new mails of the open mailbox.

        Their sizes first (one FETCH), then the mails in chunks of at most `fetch_bytes`
        (one FETCH each; a mail over `max_bytes` by its header only), each chunk committed
        in one transaction, then flagged (one STORE), then acknowledged and told.
        """
        report = PollReport()
        uids = (await box.new_messages())[: self.batch]
        if not uids:
            return report
        sizes, arrivals = await box.sizes(uids)
        async with self._acknowledgements() as acks:
            for chunk in self._chunks([uid for uid in uids if uid in sizes], sizes):
                await self._chunk(box, chunk, sizes, acks, report, arrivals)
        return report

    def _chunks(self, uids: list[str], sizes: Mapping[str, int]) -> list[list[str]]:
        chunks: list[list[str]] = []
        held = 0
        for uid in uids:
            size = sizes[uid] if sizes[uid] <= self.max_bytes else HEADER_LIMIT
            if not chunks or held + size > self.fetch_bytes:
                chunks.append([])
                held = 0
            chunks[-1].append(uid)
            held += size
        return chunks

    async def _chunk(
        self,
        box: ImapMailbox,
        uids: list[str],
        sizes: Mapping[str, int],
        acks: MailConnection | None,
        report: PollReport,
        arrivals: Mapping[str, datetime],
    ) -> None:
        whole = [uid for uid in uids if sizes[uid] <= self.max_bytes]
        raws = await box.fetch(whole)
        heads = await box.fetch([u for u in uids if u not in whole], header_only=HEADER_LIMIT)
        self.checkpoint("fetched")
        found = [await self._read(uid, sizes[uid], raws, heads) for uid in uids]
        reads = [read for read in found if read is not None]  # vanished meanwhile
        taken: list[_Taken] = []
        duplicates = 0
        for group in self._groups(reads):
            more, again = await self._take(group)
            taken += more
            duplicates += again
        self.checkpoint("committed")
        committed_at = self.clock()
        for item in taken:
            arrived = arrivals.get(item.read.uid)
            if arrived is not None:
                self.observe_lag((committed_at - arrived).total_seconds())
        parked = [read for read in reads if read.mail is None or read.unreadable]
        handled = [read.uid for read in reads if read.mail is not None and not read.unreadable]
        mailbox = self.department.mailbox
        # What was committed is answered and told whatever the server does next: a flag or a
        # move it refuses fails the poll (logged by the caller) after that, not before; a mail
        # left unflagged is read again, as a duplicate.
        try:
            await box.mark_handled(handled, mailbox.handled_folder if mailbox else None)
            await box.park([r.uid for r in parked], mailbox.parked_folder if mailbox else None)
        except (MailboxError, AioImapException, OSError, TimeoutError) as error:
            refused: Exception | None = error
        else:
            refused = None
        by_read = {id(t.read): t for t in taken}
        for read in parked:
            self._log_parked(read, by_read.get(id(read)))
        report.parked += len(parked)
        report.duplicates += duplicates
        report.taken += sum(1 for t in taken if not t.read.unreadable)
        sent = await self._send([t.answer for t in taken if t.answer is not None], acks)
        for item in taken:
            if item.answer is not None and item.answer.message_id in sent:
                if item.decision.answer is AutoAnswer.UNREADABLE:
                    report.told_unreadable += 1
                else:
                    report.acknowledged += 1
        for item in taken:
            if item.decision.notify and self.notify is not None:
                await self.notify(
                    Notice(department=self.department, request_id=item.request.id or 0,
                           referent_ids=item.decision.notify)
                )  # fmt: skip
        if refused is not None:
            raise refused

    def _groups(self, reads: list[_Read]) -> list[list[_Read]]:
        """The chunk's mails in transactions of at most `files_per_commit` attachments."""
        groups: list[list[_Read]] = []
        files = 0
        for read in reads:
            count = len(read.mail.attachments) if read.mail is not None else 0
            if not groups or (groups[-1] and files + count > self.files_per_commit):
                groups.append([])
                files = 0
            groups[-1].append(read)
            files += count
        return groups

    async def _read(
        self, uid: str, size: int, raws: Mapping[str, bytes], heads: Mapping[str, bytes]
    ) -> _Read | None:
        """One mail read in a worker process (a large one with attachments takes tens of
        milliseconds of pure Python): waiting for a place, never refused; None if it vanished
        meanwhile. A worker lost meanwhile (WorkerLost) fails the poll before anything is
        committed or flagged: the mail is read again at the next one."""
        fetched = heads if size > self.max_bytes else raws
        if uid not in fetched:
            return None
        reading = await self.processes.run_waiting(
            "mail_parse", read_mail, fetched[uid], size=size, max_bytes=self.max_bytes
        )
        return _Read(uid=uid, size=size, mail=reading.mail, unreadable=reading.unreadable,
                     detail=reading.detail)  # fmt: skip

    def _log_parked(self, read: _Read, taken: _Taken | None) -> None:
        """One line per parked mail: its UID, a hash of its Message-ID, why; no content."""
        why = read.unreadable or "unreadable"
        if read.detail:
            why = f"{why}: {read.detail}"
        if read.mail is None:
            log.warning("%s: mail uid %s parked (%s), no request: no sender could be read",
                        self.slug, read.uid, why)  # fmt: skip
            return
        outcome = f"request {taken.request.id}" if taken else "taken before"
        log.warning("%s: mail uid %s (%s) parked (%s, %d bytes), %s", self.slug, read.uid,
                    mail_ref(read.mail.message_id), why, read.size, outcome)  # fmt: skip

    async def _take(self, reads: list[_Read]) -> tuple[list[_Taken], int]:
        """Commit the chunk's mails under their requests in one transaction; returns what was
        taken now and how many had been taken before. If another instance commits one of them
        first, the chunk is taken again mail by mail (each then a no-op or its own commit)."""
        try:
            return await self._take_together(reads)
        except IntegrityError:
            if len(reads) == 1:
                if await self._stored(reads[0]):
                    return [], 1
                raise  # not a mail taken meanwhile: never flag it handled unstored
        taken, duplicates = [], 0
        for read in reads:
            one, again = await self._take([read])
            taken += one
            duplicates += again
        return taken, duplicates

    async def _stored(self, read: _Read) -> bool:
        if read.mail is None:
            return False
        async with self.sessions() as session:
            ids = [read.mail.message_id]
            present = await present_message_ids(
                session=session, department=self.slug, message_ids=ids
            )
            return bool(present)

    async def _take_together(self, reads: list[_Read]) -> tuple[list[_Taken], int]:
        """One transaction; the attachment files it wrote go with it when it fails."""
        written = _Written()
        try:
            return await self._commit_together(reads, written)
        except BaseException:
            await self._discard(written)
            raise

    async def _commit_together(
        self, reads: list[_Read], written: _Written
    ) -> tuple[list[_Taken], int]:
        at = self.clock()
        opening = opening_at(at, self.department.calendar)
        mails = [read.mail for read in reads if read.mail is not None]
        async with self.sessions() as session:
            before = await present_message_ids(
                session=session, department=self.slug, message_ids=[m.message_id for m in mails]
            )
            threads = await requests_of_message_ids(
                session=session,
                department=self.slug,
                message_ids=list({i for m in mails for i in m.thread_ids}),
            )
            named = await requests_of_department(
                session=session,
                department=self.slug,
                request_ids=list({n for m in mails if (n := self._named(m)) is not None}),
            )
            talked = await conversations(
                session=session,
                department=self.slug,
                requests=list({r.id: r for r in (*named.values(), *threads.values())}.values()),
            )
            answered = await last_auto_answers(
                session=session,
                department=self.slug,
                senders=list({self._sender_key(m) for m in mails}),
            )
            taken: list[_Taken] = []
            duplicates = 0
            for read in reads:
                mail = read.mail
                if mail is None:
                    continue
                if mail.message_id in before:
                    duplicates += 1
                    continue
                before.add(mail.message_id)  # the same mail twice in the chunk: once
                request, way, linked = await self._thread(session, mail, threads, named, talked)
                decide = partial(
                    inbound,
                    self.department,
                    at=at,
                    opening=opening,
                    headers=mail.headers,
                    thread=request.id if request else None,
                    threaded_by=way.by,
                    unreadable=read.unreadable,
                    linked_to=way.linked_to,
                )
                sender = self._sender_key(mail)
                decision = decide(last_answered=answered.get(sender))
                if decision.answer is not None:
                    answered[sender] = at
                    won = await claim_auto_answer(
                        session=session, department=self.slug, sender=sender, at=at,
                        threshold=auto_answer_threshold(at),
                    )  # fmt: skip
                    if not won:  # another instance answered them meanwhile
                        decision = decide(last_answered=at)
                if request is None:
                    request = self._new_request(mail, at, decision)
                    session.add(request)
                elif request.id in talked:  # its sender is part of its conversation now
                    talked[request.id].add(mail.sender)
                threads[mail.message_id] = request  # a later mail of the chunk may answer it
                taken.append(
                    _Taken(read=read, request=request, decision=decision, linked=linked,
                           linked_by=way.by)
                )  # fmt: skip
            await session.flush()  # the new requests, in one INSERT: their ids
            for item in taken:
                await self._rows(session, item, at, opening, written)
            await session.flush()  # what the store refuses, refused before the COMMIT
            written.committing = True
            await session.commit()
        return taken, duplicates

    async def _discard(self, written: _Written) -> None:
        """Delete the attachment files of a transaction that did not commit: their request
        may never exist (another instance took the mail: this one rolled back). After a
        failed COMMIT, which may have gone through, those of a mail the store holds under
        the same request stay; if the store cannot say, all stay (never a stored mail's)."""
        if self.attachments is None or not written.files:
            return
        kept: set[str] = set()
        if written.committing:
            try:
                async with self.sessions() as session:
                    stored = await requests_of_message_ids(
                        session=session, department=self.slug,
                        message_ids=list({mail for _, mail, _ in written.files}),
                    )  # fmt: skip
            except (SQLAlchemyError, OSError) as error:
                log.warning("%s: %d attachment files kept, their commit unknown (%s)",
                            self.slug, len(written.files), type(error).__name__)  # fmt: skip
                return
            kept = {
                key
                for request_id, mail, key in written.files
                if mail in stored and stored[mail].id == request_id
            }
        for _, _, key in written.files:
            if key not in kept:
                try:
                    await asyncio.to_thread(self.attachments.discard, key)
                except OSError as error:
                    log.warning("%s: an attachment file of a transaction not committed "
                                "left behind (%s)", self.slug, type(error).__name__)  # fmt: skip

    def _sender_key(self, mail: ParsedMail) -> str:
        """How auto_answers remembers a sender: a keyed pseudonym of the address."""
        return pseudonym(mail.sender.lower(), self.pseudonym_key)

    def _named(self, mail: ParsedMail) -> int | None:
        return referenced_request(mail.subject, self.slug)

    async def _thread(
        self,
        session: AsyncSession,
        mail: ParsedMail,
        threads: Mapping[str, Request],
        named: dict[int, Request],
        talked: dict[int, set[str]],
    ) -> tuple[Request | None, Threading, Request | None]:
        """The request the mail joins (None: a new one), why (core.mail.threading), and the
        request the new one is linked to (one it pointed to but may not join). The requests
        it points to: those of the mails it answers (In-Reply-To, References), then the one
        its subject names; each with who is part of its conversation. Requests opened
        earlier in the chunk count."""
        pointed: list[tuple[Request, str]] = [
            (threads[i], BY_HEADERS) for i in mail.thread_ids if i in threads
        ]
        number = self._named(mail)
        found = None if number is None else named.get(number)
        if number is not None and found is None:  # a request opened earlier in this chunk?
            await session.flush()
            found = await request_of_department(
                session=session, department=self.slug, request_id=number
            )
            if found is not None:
                named[number] = found
        if found is not None:
            pointed.append((found, BY_REFERENCE))
        if any(request.id is None for request, _ in pointed):  # opened earlier in this chunk
            await session.flush()
        by_id = {request.id: request for request, _ in reversed(pointed) if request.id}
        unknown = [request for request in by_id.values() if request.id not in talked]
        if unknown:
            talked |= await conversations(session=session, department=self.slug, requests=unknown)
        way = threading(
            sender=mail.sender,
            cited=[
                Cited(request=request.id, by=by, conversation=talked.get(request.id, ()))
                for request, by in pointed
                if request.id is not None
            ],
        )
        joined = by_id.get(way.joins) if way.joins is not None else None
        linked = by_id.get(way.linked_to) if way.linked_to is not None else None
        return joined, way, linked

    async def _rows(
        self, session: AsyncSession, item: _Taken, at: datetime, opening: Opening,
        written: _Written,
    ) -> None:  # fmt: skip
        """The message, its events, attachments, callback task and acknowledgement under a
        flushed request."""
        mail, request, decision = item.read.mail, item.request, item.decision
        assert mail is not None
        session.add(
            Message(
                request_id=request.id or 0,
                department=self.slug,
                channel="mail",
                direction="in",
                provider_id=mail.message_id,
                address=mail.sender[:250],
                at=at,
                body=self._stored_body(item),
                kind="message",
                status="received",
            )
        )
        event = record_event(session, request, kind="mail-in", at=at, detail=decision.action)
        event.reasons = [reason.as_dict() for reason in decision.reasons]
        if item.linked is not None and item.linked.id is not None:
            # Linked both ways, each naming the other; no content, no address.
            here = record_event(session, request, kind="mail-linked", at=at,
                                detail=f"demande n° {item.linked.id}")  # fmt: skip
            why = linked_reason(item.linked.id, item.linked_by or BY_REFERENCE)
            here.reasons = [{**why.as_dict(), "request": item.linked.id}]
            there = record_event(session, item.linked, kind="mail-linked", at=at,
                                 detail=f"demande n° {request.id}")  # fmt: skip
            there.reasons = [{**cited_reason(request.id or 0).as_dict(), "request": request.id}]
        await self._keep_attachments(session, request, mail, at, written)
        if decision.callback_needed:
            request.callback_needed = True
            task = new_task(
                request_id=request.id or 0, department=self.department,
                created_at=request.received_at,
            )  # fmt: skip
            row = CallbackTaskRow(
                request_id=request.id or 0,
                department=self.slug,
                created_at=task.created_at,
                due_at=task.due_at,
            )
            copy_task(task, row)
            session.add(row)
            record_event(session, request, kind="callback-task", at=at).reasons = list(row.reasons)
            session.add(request)
        if decision.answer is not None:
            self._queue_answer(session, item, at, opening)

    def _stored_body(self, item: _Taken) -> str:
        read = item.read
        mail = read.mail
        assert mail is not None
        if read.unreadable is None:
            return _stored_body(mail.subject, mail.text)
        mailbox = self.department.mailbox
        note = unreadable_note(
            read.unreadable,
            parked_in=mailbox.parked_folder if mailbox else None,
            size=read.size,
            limit=self._limit(read.unreadable),
            told=item.decision.answer is AutoAnswer.UNREADABLE,
        )
        return _stored_body(mail.subject, note)

    def _limit(self, code: str) -> int:
        """The limit a parked mail went over, as its note and its sender's notice say it."""
        return MAX_ATTACHMENTS if code == "too-many-parts" else self.max_bytes

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

    async def _keep_attachments(
        self, session: AsyncSession, request: Request, mail: ParsedMail, at: datetime,
        written: _Written,
    ) -> None:  # fmt: skip
        if not mail.attachments:
            return
        if self.attachments is not None:
            # The mail's row first: its unique Message-ID decides which instance takes the
            # mail before either writes a file (on PostgreSQL the other waits, then fails).
            await session.flush()
        reasons = []
        for index, attachment in enumerate(mail.attachments):
            key = None
            if self.attachments is not None:  # up to 25 MB written: off the loop
                key = await asyncio.to_thread(
                    self.attachments.save,
                    department=self.slug,
                    request_id=request.id or 0,
                    message_id=mail.message_id,
                    index=index,
                    data=attachment.data,
                )
                written.files.append((request.id or 0, mail.message_id, key))
            text = f"{attachment.content_type}, {attachment.size} octets"
            # The sender's file name is personal data: it goes with the file (without_files).
            reasons.append({**Reason(code="mail-attachment", text=text).as_dict(), "key": key,
                            "name": (attachment.filename or "")[:200] or None,
                            "size": attachment.size})  # fmt: skip
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

    def _queue_answer(
        self, session: AsyncSession, item: _Taken, at: datetime, opening: Opening
    ) -> None:
        """Answer by return, threaded: queued with the request, sent once it is committed.
        The acknowledgement, or what became of a mail that could not be read."""
        mailbox, mail = self.department.mailbox, item.read.mail
        if self.mailer is None or self.mailer.smtp is None or mailbox is None or mail is None:
            return
        request_id = item.request.id or 0
        kind = item.decision.answer
        if kind is AutoAnswer.UNREADABLE:
            answer = unreadable_notice(
                self.department, request_id=request_id, subject=mail.subject,
                code=item.read.unreadable or "unreadable", size=item.read.size,
                limit=self._limit(item.read.unreadable or ""), texts=self.texts,
            )  # fmt: skip
        else:
            answer = acknowledgement(self.department, at=at, opening=opening,
                                     request_id=request_id, subject=mail.subject,
                                     texts=self.texts)  # fmt: skip
        references = " ".join(dict.fromkeys((*mail.references, mail.message_id)))
        headers = {
            "In-Reply-To": mail.message_id,
            "References": references,
            "Auto-Submitted": "auto-replied",  # RFC 3834: a response, never to be answered
        }
        item.answer = queue(
            session, department=self.slug, sender=mailbox.address, request_id=request_id,
            to=mail.sender, subject=answer.subject, body=answer.body, headers=headers,
            kind=str(kind), author="frontdoor", at=at, instance=self.instance,
        )  # fmt: skip

    async def _send(self, mails: list[Outgoing], acks: MailConnection | None) -> set[str]:
        """Send what this chunk queued, then record it; the Message-IDs the server accepted."""
        if not mails:
            return set()
        done = await send_claimed(acks, mails, clock=self.clock, department=self.slug)
        async with self.sessions() as session:
            await settle(session=session, department=self.slug, instance=self.instance,
                         now=self.clock(), sent=done.sent, failed=done.failed)  # fmt: skip
            await session.commit()
        return {mail.message_id for mail in done.sent}


def _stored_body(subject: str, text: str) -> str:
    return f"Objet : {subject}\n\n{text}" if subject else text


def mail_ref(message_id: str) -> str:
    """A Message-ID as logs may carry it: a short hash (the id can name a person)."""
    return hashlib.sha256(message_id.encode()).hexdigest()[:12]
