"""The retention purge: past each department's retention, the person leaves every request
(store.erasure: recordings, identities, messages, notes, attachments, outbox, webhook
answers), the tallies are folded, and the outage journal's refused entries of that age go;
opt-outs still kept with their number become pseudonyms."""

from __future__ import annotations

import logging

from sqlalchemy import delete
from sqlmodel import col, select

from frontdoor.core.retention import RECEIPTS_KEPT, retention_cutoff
from frontdoor.indicators.tallies import fold_changes
from frontdoor.jobs.base import JobContext
from frontdoor.outbound.twilio_api import OutboundError
from frontdoor.store.attachments import FolderStore
from frontdoor.store.db import flush_erased
from frontdoor.store.erasure import forget_recording, remove_person
from frontdoor.store.journal import Entry
from frontdoor.store.models import Request, WebhookReceipt
from frontdoor.store.persons import held_under
from frontdoor.store.sms import pseudonymise_opt_outs
from frontdoor.web.keys import DEPARTMENTS, ENGINE, SESSIONS, SETTINGS
from frontdoor.web.twilio_accounts import twilio_api_for
from frontdoor.web.twilio_webhook import JOURNAL

log = logging.getLogger(__name__)

BATCH = 500


async def purge_expired(ctx: JobContext) -> str:
    app = ctx.app
    settings = app[SETTINGS]
    attachments = FolderStore(settings.mail_attachments_dir)
    purged = kept_for_retry = 0
    for department in app[DEPARTMENTS]:
        cutoff = retention_cutoff(ctx.slot, department.retention_days)
        failed: list[int] = []  # recordings the provider did not delete: kept for next time
        while True:
            async with app[SESSIONS]() as session:
                expired = (
                    await session.exec(
                        select(Request)
                        .where(
                            Request.department == department.slug,
                            col(Request.received_at) < cutoff,
                            col(Request.pseudonymised_at).is_(None),
                            col(Request.id).not_in(failed),
                        )
                        .order_by(col(Request.id))
                        .limit(BATCH)
                    )
                ).all()
                if not expired:
                    break
                gone = []
                for request in expired:
                    try:
                        await forget_recording(
                            request=request, twilio_api=twilio_api_for(app, department.slug)
                        )
                    except OutboundError:
                        # Keep everything of this request until its recording is gone.
                        failed.append(request.id or 0)
                        log.exception("recording of a %s request not deleted", department.slug)
                        continue
                    gone.append(request)
                held = await held_under(session=session, department=department.slug,
                                        requests=gone)  # fmt: skip
                await remove_person(session=session, held=held, key=settings.pseudonym_secret,
                                    attachments=attachments, now=ctx.slot)  # fmt: skip
                await fold_changes(await session.connection(), department)
                await session.commit()
                purged += len(gone)
        kept_for_retry += len(failed)
    async with app[SESSIONS]() as session:
        receipts = await session.exec(
            delete(WebhookReceipt).where(col(WebhookReceipt.received_at) < ctx.slot - RECEIPTS_KEPT)
        )
        # STOPs are kept for good, as pseudonyms (store.sms); older ones become so now.
        await pseudonymise_opt_outs(session=session, key=settings.pseudonym_secret)
        await session.commit()
    await flush_erased(app[ENGINE])
    refused = _forget_refused_entries(ctx)
    return (
        f"{purged} request(s) pseudonymised, {kept_for_retry} kept until their recording "
        f"is deleted, {receipts.rowcount} webhook answer(s) deleted, "
        f"{refused} refused journal entr(y/ies) deleted"
    )


def _forget_refused_entries(ctx: JobContext) -> int:
    """The outage journal's refused entries past their department's retention (the shortest
    of all when the entry names none of the departments)."""
    departments = ctx.app[DEPARTMENTS]
    cutoffs = {d.slug: retention_cutoff(ctx.slot, d.retention_days) for d in departments}
    if not cutoffs:
        return 0
    latest = max(cutoffs.values())

    def expired(entry: Entry) -> bool:
        for number in (entry.form.get("To", ""), entry.form.get("From", "")):
            department = departments.for_number(number)
            if department is not None:
                return entry.at < cutoffs[department.slug]
        return entry.at < latest

    return ctx.app[JOURNAL].forget_set_aside(expired)
