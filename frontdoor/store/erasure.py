"""Removing a person from what is held: what retention does after each class's time
(forget_call_metadata, forget_contents, forget_recording), and what an erasure asks at once
(remove_person: all of them). They take a `store.persons.Held` and leave nothing of it that
names or quotes the person; the requests stay, pseudonymised, for the indicators.

What goes, table by table (the scan in tests/test_erasure_scan.py checks that nothing else
holds it):
- requests: number and address become keyed pseudonyms (one person's repeated contacts still
  count as one), the name goes, the recording is deleted at the provider (first, outside
  any transaction: delete_at_the_provider) and in the DAC's store (store.recordings);
- request_events: reasons that name the person lose the name, attachments lose their file's
  key (the files are deleted); messages: bodies go, a received mail's Message-ID (which
  often names its sender's domain) becomes a pseudonym; request_notes: bodies go;
- outbox: the rows go (recipient, subject); webhook_receipts: the stored answers to the
  person's calls and SMS go (a whisper names a known caller, a callback dials the number);
- Twilio's own records: each call's and leg's Call record (numbers) with who contacted the
  DAC, each SMS's Message record (numbers, text) with it and with the messages, are queued
  in the same transaction for deletion there (store.provider_deletions; the
  twilio-records-deletion job deletes them: frontdoor.jobs.provider_records);
- known_contacts (an erasure only): the rows go;
- persons (an erasure only): the files of persons who are the caller lose their traits
  (core.persons.is_the_callers); files the caller only spoke about stay;
- sms_opt_outs: kept, as a pseudonym (store.sms): a person who said STOP is never texted
  again, even after asking to be forgotten;
- non_oppositions and callback_tasks: kept; they hold no identifier, and with the request
  they are what the indicators and the accountability of the DAC need;
- the indicator tallies: the triggers replace the number by its pseudonym; the caller folds;
- the outage journal's refused entries: the caller removes those carrying the number or
  naming the person (store.journal, core.persons.names_person).

A person named in requests, erased by her file (held by store.persons.held_of_person, the rule
in core.persons): her files lose their traits; every request linked to her loses its
contents and the answers stored for its webhooks; its caller, unless a professional the
department knows, becomes a pseudonym as above; known contacts and STOP are not hers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime

from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.core.persons import keeps_caller
from frontdoor.core.provider_records import RecordKind, to_delete
from frontdoor.core.retention import pseudonym, unnamed_reasons, without_files
from frontdoor.outbound.twilio_api import TwilioApi
from frontdoor.store.attachments import AttachmentStore
from frontdoor.store.models import KnownContact, OutboxMail, Person, Request, WebhookReceipt
from frontdoor.store.persons import Held
from frontdoor.store.provider_deletions import queue_deletions
from frontdoor.store.recordings import RecordingStore


def recordings_at_the_provider(requests: Iterable[Request]) -> dict[int, str]:
    """The recordings these requests still have at the provider, by request id: what
    delete_at_the_provider is given once the session that read them has let its connection go."""
    return {request.id or 0: request.recording_url for request in requests if request.recording_url}


async def delete_at_the_provider(*, recording_url: str, twilio_api: TwilioApi) -> None:
    """Delete one recording at the provider, outside any transaction: the provider may take
    its whole timeout to answer, and a connection of the store held meanwhile stalls every
    webhook (SQLite has only one). Raises OutboundError when the provider could not; one
    already gone counts as deleted (TwilioApi.delete_recording), so that a try after a
    failure halfway is not blocked by what the first one deleted."""
    await twilio_api.delete_recording(recording_url)


def deleted_at_the_provider(request: Request, deleted: Mapping[int, str]) -> bool:
    """Whether the request has no recording at the provider but those `deleted` (request id
    to URL, by delete_at_the_provider): one arrived since is still there."""
    return request.recording_url is None or deleted.get(request.id or 0) == request.recording_url


async def locked_for_erasure(session: AsyncSession, request_ids: Sequence[int]) -> list[Request]:
    """The requests read again, their rows locked until the session's transaction ends (the
    objects the session already holds take what is read). A voicemail being brought home
    (voice.recordings, which locks the row too) commits its copy before, and the erasure
    sees it and deletes it, or after, and finds its recording gone and keeps nothing. Without
    the lock, on PostgreSQL, a copy committed between the erasure's read and its commit
    outlived the erasure. SQLite's one connection runs one transaction at a time already."""
    if not request_ids:
        return []
    query = (
        select(Request)
        .where(col(Request.id).in_(request_ids))
        .order_by(col(Request.id))  # two erasures lock in the same order
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return list((await session.exec(query)).all())


def forget_recording(
    *, request: Request, deleted: Mapping[int, str], recordings: RecordingStore
) -> None:
    """The request's recording leaves the store, in the session's transaction (the caller
    commits), once delete_at_the_provider deleted it there (`deleted`: request id to URL).
    The URL goes only if it is still the one deleted: another, arrived meanwhile, stays for
    a later try. The DAC's copy goes (a file: gone even if the commit fails, as
    forget_contents' attachments)."""
    if deleted_at_the_provider(request, deleted):
        request.recording_url = None
    if request.recording_key:
        recordings.delete(request.recording_key)
        request.recording_key = None


async def remove_person(
    *,
    session: AsyncSession,
    held: Held,
    key: bytes,
    attachments: AttachmentStore | None,
    now: datetime,
) -> None:
    """Remove what `held` holds of the person, in the session's transaction (the caller
    commits); the requests' recordings must be gone first (delete_at_the_provider, then
    forget_recording)."""
    for request in held.requests:
        assert not request.recording_url, "delete the recording first"
        assert not request.recording_key, "delete the recording first"
    if held.persons:
        await _remove_named(session=session, held=held, key=key, attachments=attachments, now=now)
        return
    await forget_call_metadata(session=session, held=held, key=key, now=now)
    await forget_contents(session=session, held=held, key=key, attachments=attachments, now=now)
    for opt_out in held.opt_outs:  # one kept before pseudonyms were: its number goes now
        opt_out.number = pseudonym(opt_out.number, key)
        session.add(opt_out)
    await _delete(session, KnownContact, KnownContact.id, [row.id for row in held.contacts])
    for person in held.caller_files:  # she was the caller (core.persons.is_the_callers)
        forget_person_file(session=session, person=person, now=now)


async def _remove_named(
    *,
    session: AsyncSession,
    held: Held,
    key: bytes,
    attachments: AttachmentStore | None,
    now: datetime,
) -> None:
    """A person named in requests (core.persons): her files' traits, her requests' contents,
    their callers but the known professionals."""
    professionals = {c.number for c in held.professionals if c.number} | {
        c.address.lower() for c in held.professionals if c.address
    }
    theirs = [
        request
        for request in held.requests
        if not keeps_caller(number=request.caller_number, address=request.contact_address,
                            professionals=professionals)
    ]  # fmt: skip
    ids = {request.id for request in theirs}
    callers = replace(held, requests=theirs, events=[e for e in held.events if e.request_id in ids])
    await forget_call_metadata(session=session, held=callers, key=key, now=now)
    await forget_contents(session=session, held=held, key=key, attachments=attachments, now=now)
    for person in held.persons:
        forget_person_file(session=session, person=person, now=now)


async def forget_call_metadata(
    *, session: AsyncSession, held: Held, key: bytes, now: datetime
) -> None:
    """Who contacted the DAC leaves the requests (core.retention's call metadata): numbers and
    addresses become pseudonyms, names go, and so do the answers stored for their webhooks;
    Twilio's records of their calls, legs and SMS (numbers) are queued for deletion there."""
    for request in held.requests:
        if request.caller_number:
            request.caller_number = pseudonym(request.caller_number, key)
        if request.contact_address:
            request.contact_address = pseudonym(request.contact_address.lower(), key)
        request.caller_name = None
        request.pseudonymised_at = request.pseudonymised_at or now
        session.add(request)
    for event in held.events:
        event.reasons = unnamed_reasons(event.reasons)
        session.add(event)
    await _delete(session, WebhookReceipt, WebhookReceipt.key, list(held.receipts))
    calls_and_messages = (RecordKind.CALL, RecordKind.MESSAGE)
    records = to_delete(_provider_sids(held), kinds=calls_and_messages)
    await queue_deletions(session=session, department=held.department, records=records, now=now)


async def forget_contents(
    *,
    session: AsyncSession,
    held: Held,
    key: bytes,
    attachments: AttachmentStore | None,
    now: datetime,
) -> None:
    """What was written leaves the requests (core.retention's messages and attachments): SMS
    and mails lose their text and address, notes their text, attachments their files; mails
    to send go; Twilio's records of the SMS (their text) are queued for deletion there. The
    rows stay, counted."""
    for message in held.messages:
        message.body = None
        message.address = None
        if message.channel == "mail" and message.direction == "in" and message.provider_id:
            message.provider_id = pseudonym(message.provider_id, key)
        session.add(message)
    for note in held.notes:
        note.body = None
        session.add(note)
    for event in held.events:
        event.reasons = without_files(event.reasons)
        session.add(event)
    for request in held.requests:
        request.contents_purged_at = request.contents_purged_at or now
        session.add(request)
    await _delete(session, OutboxMail, OutboxMail.id, [row.id for row in held.outbox])
    records = to_delete(_provider_sids(held), kinds=(RecordKind.MESSAGE,))
    await queue_deletions(session=session, department=held.department, records=records, now=now)
    if attachments is not None:
        # Files are not transactional: deleted now, before the commit; a failed commit
        # leaves the rows to erase again, and their files already gone.
        for request in held.requests:
            attachments.delete(department=request.department, request_id=request.id or 0)


# What identifies a person in her file; her birth year and sex stay, with her links, for the
# indicators (persons counted once, by age band).
PERSON_TRAITS = ("family_name", "given_names", "name_key", "birth_date", "commune_insee",
                 "commune_name", "ins", "identity_document", "identity_checked_on",
                 "insi_checked_on", "gp_contact_id", "referrer_contact_id")  # fmt: skip


def forget_person_file(*, session: AsyncSession, person: Person, now: datetime) -> None:
    """The person's identity traits go (core.retention's person files); her file stays."""
    for trait in PERSON_TRAITS:
        setattr(person, trait, None)
    person.pseudonymised_at = person.pseudonymised_at or now
    session.add(person)


def _provider_sids(held: Held) -> list[str | None]:
    """Every provider id the store keeps of what `held` holds: the requests' CallSids, the
    legs' and answers' SIDs of their events (a referent's leg, a callback, an SMS answered),
    the SMS' MessageSids (core.provider_records keeps the Twilio ones)."""
    return [
        *(request.call_sid for request in held.requests),
        *(event.leg_sid for event in held.events),
        *(message.provider_id for message in held.messages if message.channel == "sms"),
    ]


async def _delete(session: AsyncSession, model: type, column: object, keys: list[object]) -> None:
    if keys:
        await session.exec(delete(model).where(col(column).in_(keys)))
