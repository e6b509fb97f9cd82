"""The summaries of the notices held back from referents (core.notice_budget): once a
referent's window has room again and no new contact has brought the summary with it, this
job sends it, one SMS, from the department's number. So too for the alerts of late callbacks
held back from the escalation's referents (frontdoor.jobs.callbacks).

Each summary is taken from the budget and committed before it is sent (kit.referent_notices.
send_summaries): two instances running the job at once send it once; an instance that dies in
between leaves it unsent rather than sent twice. The summaries of a department whose mail
notices go to one address are the mailbox job's (frontdoor.mailbox.job).
"""

from __future__ import annotations

from frontdoor.core.department import Department
from frontdoor.jobs.base import JobContext
from frontdoor.kit.referent_notices import NOTIFY_ADDRESS, budget_owner, send_summaries


async def send_notice_summaries(ctx: JobContext) -> str:
    runtime = ctx.runtime

    async def send(department: Department, recipient: str, text: str) -> None:
        _, referent_id = budget_owner(recipient)
        referent = department.referents.get(referent_id)
        if referent is not None:  # no longer in the roster: nobody to tell
            await runtime.twilio_api_for(department.slug).send_sms(
                to=referent.phone, from_=department.number, body=text
            )

    sent = await send_summaries(
        runtime, at=ctx.slot, send=send, wanted=lambda _, recipient: recipient != NOTIFY_ADDRESS
    )
    return f"{sent} notice summaries sent"
