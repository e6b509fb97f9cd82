"""The retention purge: each class of data leaves what is held once its department's time has
passed (core.retention: recordings counted from the call, call metadata, messages and person
files from the person's last contact), through store.erasure; the tallies are folded, and
the outage journal's refused entries of that age go; opt-outs still kept with their number
become pseudonyms. Anything identifying written under a request or a person already purged
(a mail joining a pseudonymised thread) goes at the next pass."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.core.department import Department
from frontdoor.core.retention import RECEIPTS_KEPT, DataClass
from frontdoor.indicators.tallies import fold_changes
from frontdoor.jobs.base import JobContext
from frontdoor.kit.runtime import JobRuntime
from frontdoor.outbound.errors import OutboundError, cause_of
from frontdoor.store.attachments import FolderStore
from frontdoor.store.db import flush_erased
from frontdoor.store.erasure import (
    delete_at_the_provider,
    forget_call_metadata,
    forget_contents,
    forget_person_file,
    forget_recording,
    locked_for_erasure,
    recordings_at_the_provider,
)
from frontdoor.store.journal import Entry
from frontdoor.store.models import WebhookReceipt
from frontdoor.store.persons import held_under
from frontdoor.store.recordings import RecordingStore
from frontdoor.store.retention import (
    DueRequests,
    persons_due,
    persons_written_after_purge,
    recordings_due,
    requests_due,
    written_after_purge,
)
from frontdoor.store.sms import pseudonymise_opt_outs

log = logging.getLogger(__name__)


async def purge_expired(ctx: JobContext) -> str:
    runtime = ctx.runtime
    counts: Counter[str] = Counter()
    for department in runtime.departments:
        counts += await _forget_recordings(runtime, department, ctx.slot)
        counts += await _purge_requests(runtime, department, ctx.slot)
        counts += await _purge_persons(runtime, department, ctx.slot)
    async with runtime.sessions() as session:
        receipts = await session.exec(
            delete(WebhookReceipt).where(col(WebhookReceipt.received_at) < ctx.slot - RECEIPTS_KEPT)
        )
        # STOPs are kept for good, as pseudonyms (store.sms); older ones become so now.
        await pseudonymise_opt_outs(session=session, key=runtime.settings.pseudonym_secret)
        await session.commit()
    await flush_erased(runtime.engine)
    refused = _forget_refused_entries(ctx)
    return (
        f"{counts['metadata']} request(s) pseudonymised, {counts['contents']} emptied of "
        f"messages, {counts['recordings']} recording(s) deleted, {counts['kept']} kept until "
        f"the provider deletes them, {counts['persons']} person file(s) pseudonymised, "
        f"{receipts.rowcount} webhook answer(s) deleted, "
        f"{refused} refused journal entr(y/ies) deleted"
    )


async def _forget_recordings(
    runtime: JobRuntime, department: Department, now: datetime
) -> Counter[str]:
    """Recordings past their time leave the provider, then the store (a failure keeps the
    request's recording for the next run). Page by page: read, let the session go, delete at
    the provider, then record it in a short transaction."""
    counts: Counter[str] = Counter()
    failed: list[int] = []
    after = 0
    while True:
        async with runtime.sessions() as session:
            due = await recordings_due(session=session, department=department.slug,
                                       policy=department.retention, now=now, after_id=after,
                                       exclude=failed)  # fmt: skip
            page = [request.id or 0 for request in due]
            at_the_provider = recordings_at_the_provider(due)
        if not page:
            break
        after = page[-1]
        deleted, refused = await _delete_at_the_provider(runtime, department, at_the_provider)
        failed += refused
        forgotten = [request_id for request_id in page if request_id not in refused]
        await _record_forgotten(runtime, forgotten, deleted)
        counts["recordings"] += len(forgotten)
    counts["kept"] += len(failed)
    return counts


async def _delete_at_the_provider(
    runtime: JobRuntime, department: Department, recordings: dict[int, str]
) -> tuple[dict[int, str], list[int]]:
    """(what the provider deleted, the requests whose recording it could not delete)."""
    twilio_api = runtime.twilio_api_for(department.slug)
    deleted: dict[int, str] = {}
    refused: list[int] = []
    for request_id, recording_url in recordings.items():
        try:
            await delete_at_the_provider(recording_url=recording_url, twilio_api=twilio_api)
        except OutboundError as error:
            refused.append(request_id)
            log.error("%s : un message vocal n'a pas pu être effacé chez l'opérateur (%s) ; "
                      "nouvel essai à la prochaine purge", department.slug,
                      cause_of(error))  # fmt: skip
            continue
        deleted[request_id] = recording_url
    return deleted, refused


async def _record_forgotten(
    runtime: JobRuntime, request_ids: list[int], deleted: dict[int, str]
) -> None:
    """The requests, read again (a recording may have arrived or been brought home meanwhile),
    lose what the provider deleted and their copy here."""
    if not request_ids:
        return
    recordings = RecordingStore(runtime.settings.recordings_dir)
    async with runtime.sessions() as session:
        for request in await locked_for_erasure(session, request_ids):
            forget_recording(request=request, deleted=deleted, recordings=recordings)
            session.add(request)
        await session.commit()


async def _purge_requests(
    runtime: JobRuntime, department: Department, now: datetime
) -> Counter[str]:
    counts: Counter[str] = Counter()
    after: int | None = 0
    while after is not None:
        async with runtime.sessions() as session:
            due = await requests_due(
                session=session, department=department.slug, policy=department.retention,
                now=now, after_id=after,
            )  # fmt: skip
            counts += await _apply(runtime, session, department, due, now)
            await session.commit()
            after = due.last_id
    async with runtime.sessions() as session:
        again = await written_after_purge(session=session, department=department.slug)
        counts += await _apply(runtime, session, department, again, now)
        await session.commit()
    return counts


async def _apply(
    runtime: JobRuntime,
    session: AsyncSession,
    department: Department,
    due: DueRequests,
    now: datetime,
) -> Counter[str]:
    """Remove what is due of these requests, in the session's transaction."""
    key = runtime.settings.pseudonym_secret
    if due.call_metadata:
        held = await held_under(session=session, department=department.slug,
                                requests=due.call_metadata)  # fmt: skip
        await forget_call_metadata(session=session, held=held, key=key, now=now)
    if due.contents:
        held = await held_under(session=session, department=department.slug,
                                requests=due.contents)  # fmt: skip
        attachments = FolderStore(runtime.settings.mail_attachments_dir)
        await forget_contents(session=session, held=held, key=key, attachments=attachments,
                              now=now)  # fmt: skip
    if due.call_metadata or due.contents:
        await fold_changes(await session.connection(), department)
    return Counter(metadata=len(due.call_metadata), contents=len(due.contents))


async def _purge_persons(
    runtime: JobRuntime, department: Department, now: datetime
) -> Counter[str]:
    async with runtime.sessions() as session:
        due = await persons_due(session=session, department=department.slug,
                                policy=department.retention, now=now)  # fmt: skip
        again = await persons_written_after_purge(session=session, department=department.slug)
        for person in [*due, *again]:
            forget_person_file(session=session, person=person, now=now)
        await session.commit()
    return Counter(persons=len(due))


def _forget_refused_entries(ctx: JobContext) -> int:
    """The outage journal's refused entries (numbers, SMS texts) past their department's
    shorter of call metadata and messages (the shortest of all when the entry names none of
    the departments)."""
    departments = ctx.runtime.departments
    cutoffs = {
        d.slug: max(d.retention.cutoff(DataClass.CALL_METADATA, ctx.slot),
                    d.retention.cutoff(DataClass.MESSAGES, ctx.slot))
        for d in departments
    }  # fmt: skip
    if not cutoffs:
        return 0
    latest = max(cutoffs.values())

    def expired(entry: Entry) -> bool:
        for number in (entry.form.get("To", ""), entry.form.get("From", "")):
            department = departments.for_number(number)
            if department is not None:
                return entry.at < cutoffs[department.slug]
        return entry.at < latest

    return ctx.runtime.journal.forget_set_aside(expired)
