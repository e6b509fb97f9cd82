"""The retention purge: recordings and callers' identities past each department's retention."""

from __future__ import annotations

import logging

from sqlalchemy import delete
from sqlmodel import col, or_, select

from frontdoor.core.retention import PSEUDONYM_PREFIX, RECEIPTS_KEPT, retention_cutoff
from frontdoor.jobs.base import JobContext
from frontdoor.outbound.twilio_api import OutboundError
from frontdoor.store.erasure import pseudonymise
from frontdoor.store.models import Request, WebhookReceipt
from frontdoor.web.keys import DEPARTMENTS, SESSIONS, SETTINGS
from frontdoor.web.twilio_accounts import twilio_api_for

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
                            ~col(Request.contact_address).startswith(PSEUDONYM_PREFIX),
                            ~col(Request.caller_number).startswith(PSEUDONYM_PREFIX),
                        ),
                    )
                    .limit(BATCH)
                )
            ).all()
            for request in expired:
                try:
                    await pseudonymise(
                        session=session,
                        request=request,
                        key=key,
                        twilio_api=twilio_api_for(app, department.slug),
                    )
                except OutboundError:
                    # Keep everything of this request until its recording is gone.
                    kept_for_retry += 1
                    log.exception("recording of a %s request not deleted", department.slug)
                    continue
                purged += 1
        receipts = await session.exec(
            delete(WebhookReceipt).where(col(WebhookReceipt.received_at) < ctx.slot - RECEIPTS_KEPT)
        )
        await session.commit()
    return (
        f"{purged} request(s) pseudonymised, {kept_for_retry} kept until their recording "
        f"is deleted, {receipts.rowcount} webhook answer(s) deleted"
    )
