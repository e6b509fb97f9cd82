"""The `mail-outbox` job: every department's queued mails that are due, sent again.

What the intake or a referent's answer could not send at once (the SMTP server down, a
timeout) waits in the outbox with its next attempt; each run claims the mails due, sends them
over one connection per department, and records what was accepted or when to try again.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from frontdoor.core.mail import auto_answer_threshold
from frontdoor.jobs.base import JobContext
from frontdoor.mailbox.job import department_mailer
from frontdoor.mailbox.outbox import LEASE, Round, send_claimed
from frontdoor.mailbox.tls import MailboxConfigError
from frontdoor.outbound.errors import OutboundError
from frontdoor.store.mail import claim_due, claimed, purge_auto_answers, purge_settled, settle

log = logging.getLogger(__name__)

BATCH = 200  # mails claimed per department and run
SETTLED_KEPT = timedelta(days=30)  # then a sent or given-up mail's row goes (its message stays)


async def send_outbox(ctx: JobContext) -> str:
    runtime = ctx.runtime
    sessions, clock, instance = runtime.sessions, runtime.clock, runtime.settings.instance_name
    total = Round()
    for department in runtime.departments:
        mailbox = department.mailbox
        if mailbox is None:
            continue
        now = clock()
        async with sessions() as session:
            ids = await claim_due(
                session=session, department=department.slug, instance=instance, now=now,
                until=now + LEASE, limit=BATCH,
            )  # fmt: skip
            mails = await claimed(session=session, ids=ids, instance=instance)
            await session.commit()
        if not mails:
            continue
        try:
            mailer = department_mailer(department, mailbox, clock=clock)
            async with mailer.connection() as connection:
                done = await send_claimed(connection, mails, clock=clock,
                                          department=department.slug)  # fmt: skip
        except (MailboxConfigError, OutboundError) as error:
            log.warning("%s: outbox not sent: %s", department.slug, error)
            done = await send_claimed(None, mails, clock=clock, department=department.slug)
        async with sessions() as session:
            await settle(session=session, department=department.slug, instance=instance,
                         now=clock(), sent=done.sent, failed=done.failed)  # fmt: skip
            await session.commit()
        total.sent += done.sent
        total.failed += done.failed
    async with sessions() as session:
        purged = await purge_settled(session=session, queued_before=ctx.slot - SETTLED_KEPT)
        # Past the period, who was answered no longer holds anyone back.
        forgotten = await purge_auto_answers(
            session=session, answered_before=auto_answer_threshold(ctx.slot)
        )
        await session.commit()
    retry = len(total.failed) - total.given_up
    return (f"{len(total.sent)} sent, {retry} to retry, {total.given_up} given up, "
            f"{purged} old row(s) purged, {forgotten} sender(s) answered forgotten")  # fmt: skip
