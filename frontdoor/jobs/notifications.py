"""Shift-start notices: each referent hears by SMS when their duty begins."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import timedelta

from frontdoor.core.notices import shift_start_text, shift_starts
from frontdoor.core.roster import duty_periods
from frontdoor.jobs.base import JobContext
from frontdoor.outbound.errors import OutboundError, cause_of
from frontdoor.store.tasks import open_tasks

log = logging.getLogger(__name__)

# The job runs every minute: it announces shifts that began in the minute before its slot.
WINDOW = timedelta(minutes=1)


async def announce_shifts(ctx: JobContext) -> str:
    runtime = ctx.runtime
    sent = 0
    async with runtime.sessions() as session:
        waiting: Counter[tuple[str, str]] = Counter()
        for row in await open_tasks(session=session):
            for referent_id in row.assignees:
                waiting[(row.department, referent_id)] += 1
    for department in runtime.departments:
        periods = duty_periods(
            department.calendar, department.roster, ctx.slot - WINDOW, ctx.slot + timedelta(days=1)
        )
        for shift in shift_starts(periods, after=ctx.slot - WINDOW, until=ctx.slot):
            referent = department.referents[shift.referent_id]
            text = shift_start_text(
                department.name,
                shift,
                open_callbacks=waiting[(department.slug, shift.referent_id)],
            )
            try:
                await runtime.twilio_api_for(department.slug).send_sms(
                    to=referent.phone, from_=department.number, body=text
                )
            except OutboundError as error:
                log.error("%s : un SMS de début de permanence n'est pas parti (%s)",
                          department.slug, cause_of(error))  # fmt: skip
                continue
            sent += 1
    return f"{sent} shift-start SMS sent"
