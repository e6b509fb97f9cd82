"""The SMS telling a caller nobody took when she will be called back (core.missed_calls).

Once per call, whatever the order of Twilio's callbacks: a call is considered once it has
settled (core.missed_calls.SETTLING after its end was reported), and what was decided for it
is recorded, with its reasons, before anything is sent — the job's lease lets one instance
run it at a time, and a call decided is never looked at again. An instance that dies between
that record and the provider's answer leaves the SMS unsent rather than sent twice.
"""

from __future__ import annotations

import logging

from frontdoor.core.missed_calls import SETTLING, TOO_LATE, MissedCall, missed_call_sms
from frontdoor.core.sms import segments
from frontdoor.core.voice_actions import Outcome, Reply
from frontdoor.jobs.base import JobContext
from frontdoor.outbound.errors import OutboundError, cause_of
from frontdoor.sms.texts import default_texts, texts_for
from frontdoor.store.missed_calls import DECIDED, untold_missed_calls
from frontdoor.store.models import Message
from frontdoor.store.requests import record_event
from frontdoor.store.sms import is_opted_out

log = logging.getLogger(__name__)


async def text_missed_calls(ctx: JobContext) -> str:
    runtime = ctx.runtime
    switched_on = {d.slug: d for d in runtime.departments if d.callbacks.missed_call_sms}
    if not switched_on:
        return "0 SMS sent"
    key = runtime.settings.pseudonym_secret
    defaults = default_texts(runtime.settings.templates_dir)
    sent = failed = 0
    async with runtime.sessions() as session:
        calls = await untold_missed_calls(
            session=session,
            departments=switched_on,
            ended_after=ctx.slot - TOO_LATE,
            ended_before=ctx.slot - SETTLING,
        )
        outgoing: list[tuple[Message, str]] = []
        for untold in calls:
            request, department = untold.request, switched_on[untold.request.department]
            number = request.caller_number
            opted_out = number is not None and await is_opted_out(
                session=session, department=department.slug, number=number, key=key
            )
            decision = missed_call_sms(
                department,
                MissedCall(outcome=Outcome(request.outcome), caller_number=number,
                           callback_due=untold.task.due_at, opted_out=opted_out),
                now=ctx.slot,
                texts=texts_for(defaults, department.sms_texts),
            )  # fmt: skip
            record_event(session, request, kind=DECIDED, at=ctx.slot,
                         reply=Reply(actions=(), reasons=decision.reasons),
                         detail="sent" if decision.text else "not sent")  # fmt: skip
            if decision.text is None or number is None:
                continue
            assert request.id is not None
            message = Message(request_id=request.id, department=department.slug, channel="sms",
                              direction="out", at=ctx.slot, body=decision.text,
                              author="frontdoor", kind="missed-call", status="sending",
                              segments=segments(decision.text).count)  # fmt: skip
            session.add(message)
            outgoing.append((message, number))
        await session.commit()  # decided, once: from here on, nothing sends these again
        for message, number in outgoing:
            try:
                message.provider_id = await runtime.twilio_api_for(message.department).send_sms(
                    to=number, from_=switched_on[message.department].number, body=message.body or ""
                )
                message.status = "sent"
                sent += 1
            except OutboundError as error:
                message.status = "failed"
                failed += 1
                log.error("%s : le SMS d'un appel manqué n'est pas parti (%s)",
                          message.department, cause_of(error))  # fmt: skip
            session.add(message)
        await session.commit()
    return f"{sent} SMS sent, {failed} not delivered, {len(calls) - len(outgoing)} not owed"
