"""Handing a live call to a colleague or a partner line (core.transfer), from the console or
the API: the decision is the core's; the request says who asked, then Twilio is asked to
give the call new TwiML (cold: the caller's call; warm: the referent's leg)."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.actions.actor import Actor, Refused
from frontdoor.actions.opening import open_with_department
from frontdoor.core import transfer
from frontdoor.core.reasons import Reason
from frontdoor.core.voice_actions import Next, Outcome, Reply
from frontdoor.kit.runtime import JobRuntime
from frontdoor.outbound.errors import OutboundError, cause_of
from frontdoor.store.models import Request
from frontdoor.store.requests import record_event
from frontdoor.store.transfers import live_taker
from frontdoor.voice.twiml import url_of

FAILED = Reason(code="transfer-failed", text="l'opérateur n'a pas pu transférer l'appel")


async def transfer_call(
    *, session: AsyncSession, actor: Actor, request_id: int | None, target: str,
    mode: transfer.Mode, runtime: JobRuntime, purpose: str = "transfer",
) -> Request:  # fmt: skip
    """The request whose call is handed over; Refused (code: a core.transfer.Refusal, or
    `transfer-failed` when Twilio refused) when it cannot be."""
    found, department = await open_with_department(
        session=session, actor=actor, request_id=request_id, runtime=runtime, purpose=purpose
    )
    taker, leg = await live_taker(session=session, request_id=found.id or 0) or (None, None)
    call = transfer.LiveCall(
        channel=found.channel, call_sid=found.call_sid, outcome=Outcome(found.outcome),
        ended=found.ended_at is not None, taker=taker, taker_leg=leg,
    )  # fmt: skip
    plan = transfer.plan_transfer(
        department, call, target_key=target, mode=mode, by_name=actor.signs_as
    )
    if isinstance(plan, transfer.Refusal):
        raise Refused(transfer.REFUSALS_FR[plan], code=plan.value)
    at = runtime.clock()
    warm = plan.mode is transfer.Mode.WARM
    # A warm transfer names the leg that leaves the caller's <Dial>: its end is then known
    # as the referent going to speak to the target (the caller waits, core.transfer).
    record_event(session, found, kind=transfer.REQUESTED, at=at, referent_id=actor.referent,
                 leg_sid=leg if warm else None, detail=f"{plan.mode.value}:{plan.target.key}",
                 reply=Reply(actions=(), reasons=(plan.reason,)))  # fmt: skip
    await session.commit()  # the request says who asked before the call moves
    twilio, base = runtime.twilio_api_for(department.slug), runtime.settings.public_url
    try:
        if not warm:
            cold = (("from", plan.taker), ("target", plan.target.key))
            url = base + url_of(Next(step="transfer", params=cold), department)
            await twilio.redirect_call(found.call_sid or "", url=url)
            return found
        sid, request_id = found.call_sid or "", found.id or 0
        params = transfer.warm_params(plan.target, taker=plan.taker, call_sid=sid,
                                      request_id=request_id)  # fmt: skip
        url = base + url_of(Next(step="transfer-consult", params=params), department)
        await twilio.redirect_call(leg or "", url=url)
        await twilio.place_call(
            to=plan.target.number, from_=department.number,
            url=base + url_of(Next(step="transfer-target", params=params), department),
            timeout_s=department.ringing.timeout_s,
        )  # fmt: skip
    except OutboundError as error:
        failed = Reply(actions=(), reasons=(FAILED,))
        record_event(session, found, kind="transfer-failed", at=runtime.clock(),
                     referent_id=actor.referent, reply=failed)  # fmt: skip
        await session.commit()
        raise Refused(FAILED.text, code=FAILED.code, detail=cause_of(error)) from None
    return found
