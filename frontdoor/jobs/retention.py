"""The retention purge: recordings and callers' identities past each department's retention."""

from __future__ import annotations

import logging

from sqlalchemy import delete, update
from sqlmodel import col, or_, select

from frontdoor.core.retention import (
    RECEIPTS_KEPT,
    pseudonym,
    retention_cutoff,
    scrubbed_reasons,
)
from frontdoor.jobs.base import JobContext
from frontdoor.outbound.twilio_api import OutboundError
from frontdoor.store.models import Message, Request, RequestEvent, WebhookReceipt
from frontdoor.web.keys import DEPARTMENTS, SESSIONS, SETTINGS, TWILIO_API

log = logging.getLogger(__name__)

BATCH = 500


async def purge_expired(ctx: JobContext) -> str:
    app = ctx.app
    key = app[SETTINGS].pseudonym_key.get_secret_value().encode()
    purged = kept_for_retry = 0
    async with app[SESSIONS]() as session:
        for department in app[DEPARTMENTS]:
            cutoff = retention_cutoff(ctx.slot, department.retention_days)
            expired = (
                await session.exec(
                    select(Request)
                    .where(
                        Request.department == department.slug,
                        col(Request.received_at) < cutoff,
                        or_(
                            col(Request.recording_url).is_not(None),
                            col(Request.caller_name).is_not(None),
                            col(Request.contact_address).is_not(None),
                            ~col(Request.caller_number).startswith("pseudo:"),
                        ),
                    )
                    .limit(BATCH)
                )
            ).all()
            for request in expired:
                if request.recording_url:
                    try:
                        await app[TWILIO_API].delete_recording(request.recording_url)
                    except OutboundError:
                        # Keep everything of this request until its recording is gone.
                        kept_for_retry += 1
                        log.exception("recording of a %s request not deleted", department.slug)
                        continue
                    request.recording_url = None
                if request.caller_number:
                    request.caller_number = pseudonym(request.caller_number, key)
                request.caller_name = None
                request.contact_address = None
                session.add(request)
                events = await session.exec(
                    select(RequestEvent).where(RequestEvent.request_id == request.id)
                )
                for event in events:
                    event.reasons = scrubbed_reasons(event.reasons)
                    session.add(event)
                # What was written (SMS, mail) goes with who wrote it; the rows stay, counted.
                await session.exec(
                    update(Message).where(col(Message.request_id) == request.id).values(body=None)
                )
                purged += 1
        receipts = await session.exec(
            delete(WebhookReceipt).where(col(WebhookReceipt.received_at) < ctx.slot - RECEIPTS_KEPT)
        )
        await session.commit()
    return (
        f"{purged} request(s) pseudonymised, {kept_for_retry} kept until their recording "
        f"is deleted, {receipts.rowcount} webhook answer(s) deleted"
    )
