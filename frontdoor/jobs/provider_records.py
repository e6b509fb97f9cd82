"""The twilio-records-deletion job: Twilio's records of the calls and SMS of erased or purged
requests, queued in the erasure's or purge's transaction (store.provider_deletions), are
deleted there through each department's account.

Each deletion is read, the session let go, asked of Twilio, then settled in its own short
transaction: deleted (204) or already gone (404), the row goes; refused (a call in progress,
a message not yet final: 20009), Twilio unreachable or in error, it is tried again later
(core.provider_records.next_attempt), then given up and left for the operator, its row kept
with Twilio's status and code (frontdoor_twilio_deletions_given_up)."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime

from frontdoor.core.provider_records import RecordKind, next_attempt
from frontdoor.jobs.base import JobContext
from frontdoor.kit.runtime import JobRuntime
from frontdoor.outbound.errors import OutboundError, cause_of
from frontdoor.store.models import ProviderDeletion
from frontdoor.store.provider_deletions import deleted, due_deletions, refused

log = logging.getLogger(__name__)

BATCH = 100  # deletions read at a time
PER_RUN = 1000  # at most, so that a long backlog leaves room for the next run


async def delete_provider_records(ctx: JobContext) -> str:
    runtime = ctx.runtime
    counts: Counter[str] = Counter()
    after = 0
    while sum(counts.values()) < PER_RUN:
        async with runtime.sessions() as session:
            due = await due_deletions(session=session, now=ctx.slot, limit=BATCH,
                                      after_id=after)  # fmt: skip
        if not due:
            break
        after = due[-1].id or 0
        for deletion in due:
            counts[await _delete(runtime, deletion, now=ctx.slot)] += 1
    return (
        f"{counts['deleted']} record(s) deleted at Twilio, {counts['gone']} already gone, "
        f"{counts['retry']} to retry, {counts['given-up']} given up"
    )


async def _delete(runtime: JobRuntime, deletion: ProviderDeletion, *, now: datetime) -> str:
    """Ask Twilio to delete one record (no session held), then settle its row."""
    twilio = runtime.twilio_api_for(deletion.department)
    error: OutboundError | None = None
    try:
        if deletion.kind == RecordKind.CALL:
            there = await twilio.delete_call(deletion.sid)
        else:
            there = await twilio.delete_message(deletion.sid)
    except OutboundError as failed:
        error = failed
    async with runtime.sessions() as session:
        if error is None:
            await deleted(session=session, deletion_id=deletion.id or 0)
        else:
            attempts = deletion.attempts + 1
            retry_at = next_attempt(attempts, at=now)
            await refused(session=session, deletion_id=deletion.id or 0, attempts=attempts,
                          error=cause_of(error), retry_at=retry_at, now=now)  # fmt: skip
        await session.commit()
    if error is None:
        return "deleted" if there else "gone"
    if retry_at is None:
        log.error("%s : un enregistrement d'appel ou de SMS n'a pas pu être effacé chez "
                  "l'opérateur après %s essais (%s) ; laissé à l'exploitant (file %s)",
                  deletion.department, attempts, cause_of(error), deletion.id)  # fmt: skip
        return "given-up"
    log.warning("%s: Twilio record deletion %s to retry (%s)", deletion.department,
                deletion.id, cause_of(error))  # fmt: skip
    return "retry"
