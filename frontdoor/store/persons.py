"""Everything a department holds about one person, found by exact identifiers: what the
persons page shows, the export contains and an erasure removes — one query builder for the
three (core.persons says what matches).

Found by the number or the address: the requests (a caller's number, a mail's sender), the
known contacts, the SMS opt-out, outbox mails addressed to the address, and the mails the
address wrote into (or was written to under) other people's requests. Found under
those requests: their events, messages, notes, non-oppositions, callback tasks, attachments
(files named in the events), outbox mails and the stored answers to their webhooks.

Found by the person's file (a person named in requests, found by name: `persons_named`):
her file and those merged into it, their events and non-oppositions, her links, and every
request linked to her with what it holds as above; the known professionals who called in
them are listed apart (`professionals`), as what the erasure leaves (core.persons).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import ColumnElement, and_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.core.persons import Identifiers, Named, is_the_callers, preview_digest
from frontdoor.core.referrers import ReferrerType
from frontdoor.core.retention import stored_forms
from frontdoor.store.match import any_of, equal
from frontdoor.store.models import (
    CallbackTaskRow,
    KnownContact,
    Message,
    NonOppositionRecord,
    OutboxMail,
    Person,
    PersonEvent,
    Request,
    RequestEvent,
    RequestNote,
    RequestPerson,
    SmsOptOut,
    WebhookReceipt,
)

ATTACHMENTS_EVENT = "mail-attachments"  # frontdoor.mailbox.intake records them so


def identified(who: Identifiers, *, number: Any = None, address: Any = None) -> ColumnElement[bool]:
    """The rows whose `number` column is the number given or whose `address` column is the
    address given (core.persons.Identifiers.match, in SQL); nothing for what was not given."""
    return any_of(
        *([equal(number, who.number)] if number is not None else []),
        *([equal(address, who.address)] if address is not None else []),
    )


@dataclass(kw_only=True, frozen=True)
class Attachment:
    request_id: int
    event_id: int
    key: str | None  # the file in the attachment store (None once deleted)
    text: str  # its type and size, as the event says


@dataclass(kw_only=True, frozen=True)
class Held:
    """What one department holds about one person."""

    department: str
    who: Identifiers | None  # None: what some requests hold (retention), whoever they are of
    requests: Sequence[Request]
    events: Sequence[RequestEvent]
    messages: Sequence[Message]
    notes: Sequence[RequestNote]
    non_oppositions: Sequence[NonOppositionRecord]
    tasks: Sequence[CallbackTaskRow]
    outbox: Sequence[OutboxMail]
    receipts: Sequence[str]  # keys of the stored answers to the person's webhooks
    contacts: Sequence[KnownContact]
    opt_outs: Sequence[SmsOptOut]
    # Found by a person's file: hers first, then those merged into it.
    persons: Sequence[Person] = ()
    person_events: Sequence[PersonEvent] = ()
    links: Sequence[RequestPerson] = ()
    professionals: Sequence[KnownContact] = ()  # who called about her: not hers, kept
    # Found by identifiers: the files of persons who are the caller (core.persons), which
    # the erasure reaches, and those linked to the caller's requests it leaves.
    caller_files: Sequence[Person] = ()
    other_files: Sequence[Person] = ()

    @property
    def attachments(self) -> list[Attachment]:
        return [
            Attachment(request_id=event.request_id, event_id=event.id or 0,
                       key=reason.get("key"), text=str(reason.get("text", "")))
            for event in self.events
            if event.kind == ATTACHMENTS_EVENT
            for reason in event.reasons
        ]  # fmt: skip

    @property
    def written_elsewhere(self) -> list[Message]:
        """Their mails under other people's requests (a thread they wrote into)."""
        own = {request.id for request in self.requests}
        return [message for message in self.messages if message.request_id not in own]

    def of_request(self, rows: Sequence[Any], request: Request) -> list[Any]:
        return [row for row in rows if row.request_id == request.id]

    def counts(self) -> dict[str, int]:
        return {
            "requests": len(self.requests),
            "contacts": len(self.contacts),
            "messages": len(self.messages),
            "notes": len(self.notes),
            "attachments": len(self.attachments),
            "outbox": len(self.outbox),
            "tasks": len(self.tasks),
            "opt_outs": len(self.opt_outs),
            "persons": len(self.persons) + len(self.caller_files),
        }

    def digest(self) -> str:
        """What an erasure of this preview confirms (core.persons.preview_digest)."""
        rows: list[tuple[str, object]] = [
            *(("requests", r.id) for r in self.requests),
            *(("events", e.id) for e in self.events),
            *(("messages", m.id) for m in self.messages),
            *(("notes", n.id) for n in self.notes),
            *(("non_oppositions", n.id) for n in self.non_oppositions),
            *(("tasks", t.id) for t in self.tasks),
            *(("outbox", o.id) for o in self.outbox),
            *(("receipts", key) for key in self.receipts),
            *(("contacts", c.id) for c in self.contacts),
            *(("opt_outs", o.id) for o in self.opt_outs),
            *(("persons", p.id) for p in [*self.persons, *self.caller_files]),
            *(("person_events", e.id) for e in self.person_events),
            *(("links", f"{link.request_id}-{link.person_id}") for link in self.links),
        ]
        asked = self.who or (self.persons[0].id if self.persons else None)
        assert asked is not None, "a preview is of someone"
        return preview_digest(self.department, asked, rows)


async def held_about(
    *, session: AsyncSession, department: str, who: Identifiers, key: bytes
) -> Held:
    """Everything the department holds about the person, oldest first."""
    requests = await _all(
        session,
        select(Request)
        .where(
            Request.department == department,
            identified(who, number=col(Request.caller_number),
                       address=col(Request.contact_address)),
        )
        .order_by(col(Request.received_at), col(Request.id)),
    )  # fmt: skip
    contacts = await _all(
        session,
        select(KnownContact)
        .where(
            KnownContact.department == department,
            identified(who, number=col(KnownContact.number), address=col(KnownContact.address)),
        )
        .order_by(col(KnownContact.id)),
    )
    opt_outs = await _all(
        session,
        select(SmsOptOut).where(
            SmsOptOut.department == department,
            col(SmsOptOut.number).in_(stored_forms(who.number, key) if who.number else []),
        ),
    )
    # Mails they wrote into (or were written to under) requests that are not theirs: those
    # messages are the person's, the requests stay their own contacts'.
    own = [request.id for request in requests]
    written = await _all(
        session,
        select(Message)
        .where(
            Message.department == department,
            identified(who, address=col(Message.address)),
            col(Message.request_id).not_in(own),
        )
        .order_by(col(Message.at), col(Message.id)),
    )
    held = await _held(
        session, department, who, requests, contacts=contacts, opt_outs=opt_outs, written=written
    )
    caller_files, other_files = await _files_of_caller(session, department, requests)
    return replace(held, caller_files=caller_files, other_files=other_files)


async def _files_of_caller(
    session: AsyncSession, department: str, requests: Sequence[Request]
) -> tuple[list[Person], list[Person]]:
    """The files linked to the caller's requests: those of persons who are the caller (with
    the files merged into them), and the others."""
    callers = {request.id or 0 for request in requests}
    self_referred = {r.id or 0 for r in requests if r.referrer_type == ReferrerType.PATIENT}
    candidates = await _all(
        session,
        select(RequestPerson.person_id)
        .where(col(RequestPerson.request_id).in_(callers))
        .distinct(),
    )
    links = await _all(
        session, select(RequestPerson).where(col(RequestPerson.person_id).in_(candidates))
    )
    theirs: list[Person] = []
    others: list[Person] = []
    for person in await _all(
        session,
        select(Person)
        .where(Person.department == department, col(Person.id).in_(candidates))
        .order_by(col(Person.id)),
    ):
        linked = {link.request_id for link in links if link.person_id == person.id}
        caller = is_the_callers(linked=linked, callers=callers, self_referred=self_referred)
        (theirs if caller else others).append(person)
    return await _with_absorbed(session, department, theirs), others


async def _with_absorbed(
    session: AsyncSession, department: str, files: list[Person]
) -> list[Person]:
    """These files, then those merged into them (and into those, …)."""
    files = list(files)
    while files and (
        absorbed := await _all(
            session,
            select(Person)
            .where(
                Person.department == department,
                col(Person.merged_into).in_([f.id for f in files]),
                col(Person.id).not_in([f.id for f in files]),
            )
            .order_by(col(Person.id)),
        )
    ):
        files += absorbed
    return files


async def persons_named(*, session: AsyncSession, department: str, named: Named) -> list[Person]:
    """The department's persons with exactly this name (and birth date or year, when given),
    each once: a file merged into another is found as the one it was merged into."""
    words = named.words()
    candidates = await _all(
        session,
        select(Person).where(
            Person.department == department,
            *(any_of(equal(col(Person.name_key), word), col(Person.name_key).like(f"{word} %"),
                     col(Person.name_key).like(f"% {word}"),
                     col(Person.name_key).like(f"% {word} %")) for word in words),
        ).order_by(col(Person.id)),
    )  # fmt: skip
    found: dict[int, Person] = {}
    for person in candidates:
        if named.match(family_name=person.family_name, given_names=person.given_names,
                       birth_date=person.birth_date, birth_year=person.birth_year):  # fmt: skip
            survivor = await _survivor(session, person)
            found.setdefault(survivor.id or 0, survivor)
    return sorted(found.values(), key=lambda p: (p.name_key or "", p.id or 0))


async def _survivor(session: AsyncSession, person: Person) -> Person:
    """The file a merged file now lives in (itself when it was not merged)."""
    seen = {person.id}
    while person.merged_into is not None and person.merged_into not in seen:
        kept = await session.get(Person, person.merged_into)
        if kept is None:
            break
        seen.add(kept.id)
        person = kept
    return person


async def held_of_person(*, session: AsyncSession, department: str, person: Person) -> Held:
    """Everything the department holds about the person whose file this is (and the files
    merged into it): her files, their events and non-oppositions, her links, the requests
    linked to her with what they hold, and the professionals who called in them."""
    files = await _with_absorbed(session, department, [person])
    ids = [f.id for f in files]
    links = await _all(
        session,
        select(RequestPerson)
        .where(col(RequestPerson.person_id).in_(ids))
        .order_by(col(RequestPerson.request_id), col(RequestPerson.person_id)),
    )
    requests = await _all(
        session,
        select(Request)
        .where(
            Request.department == department,
            col(Request.id).in_([link.request_id for link in links]),
        )
        .order_by(col(Request.received_at), col(Request.id)),
    )
    held = await _held(session, department, None, requests, contacts=[], opt_outs=[])
    numbers = sorted({r.caller_number for r in requests if r.caller_number})
    addresses = sorted({r.contact_address.lower() for r in requests if r.contact_address})
    professionals = await _all(
        session,
        select(KnownContact)
        .where(
            KnownContact.department == department,
            any_of(col(KnownContact.number).in_(numbers),
                   col(KnownContact.address).in_(addresses)),
        )
        .order_by(col(KnownContact.id)),
    )  # fmt: skip
    own_stances = await _all(
        session,
        select(NonOppositionRecord)
        .where(
            any_of(
                col(NonOppositionRecord.person_id).in_(ids),
                # rows from before persons existed: noted on her requests, of nobody's file
                and_(col(NonOppositionRecord.person_id).is_(None),
                     col(NonOppositionRecord.request_id).in_([r.id for r in requests])),
            )
        )
        .order_by(col(NonOppositionRecord.recorded_at), col(NonOppositionRecord.id)),
    )  # fmt: skip
    events = await _all(
        session,
        select(PersonEvent)
        .where(col(PersonEvent.person_id).in_(ids))
        .order_by(col(PersonEvent.at), col(PersonEvent.id)),
    )
    return replace(
        held,
        non_oppositions=own_stances,
        persons=files,
        person_events=events,
        links=links,
        professionals=professionals,
    )


async def held_under(
    *, session: AsyncSession, department: str, requests: Sequence[Request]
) -> Held:
    """What these requests hold of the people they are about (the retention purge's)."""
    return await _held(session, department, None, requests, contacts=[], opt_outs=[])


async def _held(
    session: AsyncSession,
    department: str,
    who: Identifiers | None,
    requests: Sequence[Request],
    *,
    contacts: Sequence[KnownContact],
    opt_outs: Sequence[SmsOptOut],
    written: Sequence[Message] = (),
) -> Held:
    ids = [request.id for request in requests]

    async def under(model: Any, *order: Any) -> list[Any]:
        query = select(model).where(col(model.request_id).in_(ids)).order_by(*order)
        return await _all(session, query)

    events = await under(RequestEvent, col(RequestEvent.at), col(RequestEvent.id))
    messages = [*await under(Message, col(Message.at), col(Message.id)), *written]
    provider_ids = [m.provider_id for m in messages if m.provider_id]
    to_the_address = identified(who, address=col(OutboxMail.recipient)) if who else None
    outbox = await _all(
        session,
        select(OutboxMail)
        .where(
            OutboxMail.department == department,
            any_of(
                col(OutboxMail.message_id).in_(provider_ids),
                *([to_the_address] if to_the_address is not None else []),
            ),
        )
        .order_by(col(OutboxMail.id)),
    )
    # The answers given to the person's webhooks: their calls (their legs and callbacks
    # are events' legs) and their SMS.
    sids = {r.call_sid for r in requests} | {e.leg_sid for e in events} | set(provider_ids)
    receipts = await _all(
        session,
        select(WebhookReceipt.key)
        .where(col(WebhookReceipt.provider_sid).in_(sorted(s for s in sids if s)))
        .order_by(col(WebhookReceipt.key)),
    )
    return Held(
        department=department,
        who=who,
        requests=requests,
        events=events,
        messages=messages,
        notes=await under(RequestNote, col(RequestNote.at), col(RequestNote.id)),
        non_oppositions=await under(NonOppositionRecord, col(NonOppositionRecord.recorded_at)),
        tasks=await under(CallbackTaskRow, col(CallbackTaskRow.id)),
        outbox=outbox,
        receipts=receipts,
        contacts=contacts,
        opt_outs=opt_outs,
    )


async def _all(session: AsyncSession, query: Any) -> list[Any]:
    return list((await session.exec(query)).all())
