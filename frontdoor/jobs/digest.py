"""The daily digest mailed to each coordinator at 7 h, local time."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime, time, timedelta

from sqlmodel import col, func, select

from frontdoor.core.callbacks import is_overdue
from frontdoor.core.digest import digest_due, digest_text
from frontdoor.core.roster import duty_gaps
from frontdoor.jobs.base import JobContext
from frontdoor.outbound.errors import OutboundError, cause_of
from frontdoor.store.models import Request
from frontdoor.store.tasks import as_task, open_tasks

log = logging.getLogger(__name__)

LOOK_AHEAD = timedelta(days=14)


async def send_digests(ctx: JobContext) -> str:
    runtime = ctx.runtime
    sent = 0
    for department in runtime.departments:
        addresses = department.callbacks.escalate_to_addresses
        local_now = ctx.slot.astimezone(department.calendar.timezone)
        if not addresses or not digest_due(local_now):
            continue
        today = datetime.combine(local_now.date(), time(), tzinfo=department.calendar.timezone)
        yesterday = today - timedelta(days=1)
        async with runtime.sessions() as session:
            rows = await session.exec(
                select(Request.outcome, func.count())
                .where(
                    Request.department == department.slug,
                    col(Request.received_at) >= yesterday,
                    col(Request.received_at) < today,
                )
                .group_by(Request.outcome)
            )
            outcomes = Counter({outcome: count for outcome, count in rows.all()})
            tasks = [
                as_task(row, department.calendar.timezone)
                for row in await open_tasks(session=session, department=department.slug)
            ]
        text = digest_text(
            department_name=department.name,
            day=yesterday,
            outcomes=outcomes,
            open_callbacks=len(tasks),
            overdue_callbacks=sum(is_overdue(task, ctx.slot) for task in tasks),
            gaps=duty_gaps(department.calendar, department.roster, ctx.slot, ctx.slot + LOOK_AHEAD),
        )
        for address in addresses:
            try:
                await runtime.mailer.send(
                    to=address, subject=f"{department.name} : synthèse quotidienne", body=text
                )
            except OutboundError as error:
                log.error("%s : la synthèse quotidienne n'est pas partie (%s)", department.slug,
                          cause_of(error))  # fmt: skip
                continue
            sent += 1
    return f"{sent} digest(s) sent"
