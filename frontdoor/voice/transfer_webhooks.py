"""Twilio webhooks of a transfer (core.transfer): the caller's call redirected by Frontdoor
(frontdoor.actions.transfer), the target's screen and key, the end of the caller's ring to
the target. Who transfers (`from`) and to whom (`target`) are in the signed URLs."""

from __future__ import annotations

from collections.abc import Mapping

from aiohttp import web

from frontdoor.core import call_flow, transfer
from frontdoor.core.department import Department
from frontdoor.core.referrers import ReferrerType
from frontdoor.core.voice_actions import Reply
from frontdoor.kit.twilio_webhook import Degraded, Handler, Webhook
from frontdoor.store.requests import record_event
from frontdoor.store.transfers import taken_over_on
from frontdoor.voice import outage
from frontdoor.voice.calls import referent_of, request_of_call
from frontdoor.voice.settling import settle_call
from frontdoor.voice.twiml import STEP_PATHS, render


def target_in(query: Mapping[str, str], department: Department) -> tuple[transfer.Target, str]:
    """The transfer's target and the referent handing the call over, from the signed URL."""
    taker = referent_of({"referent": query.get("from", "")}, department)
    target = transfer.target_of(department, query.get("target", ""), taker=taker)
    if target is None:
        raise web.HTTPBadRequest(text="target: not one of this department's transfer targets")
    return target, taker


async def redirected(hook: Webhook) -> str:
    """The caller's call, redirected by a cold transfer: she hears it, the target is rung."""
    request, department = await request_of_call(hook, hook.form.get("CallSid", ""))
    target, taker = target_in(hook.query, department)
    return render(
        transfer.caller_transferred(department, target, taker=taker),
        department=department,
        caller_number=request.caller_number,
    )


async def target_whisper(hook: Webhook) -> str:
    """The target picked up: who transfers, who calls, press 1."""
    request, department = await request_of_call(hook, hook.form.get("ParentCallSid", ""))
    target, taker = target_in(hook.query, department)
    caller = call_flow.caller_phrase(ReferrerType(request.referrer_type), request.caller_name)
    name = department.referents[taker].name
    reply = transfer.whisper(department, target, taker=taker, taker_name=name, caller=caller)
    return render(reply, department=department)


async def target_accept(hook: Webhook) -> str:
    """The target's key: 1 takes the call over, recorded as who took over."""
    request, department = await request_of_call(hook, hook.form.get("ParentCallSid", ""))
    target, taker = target_in(hook.query, department)
    digits = hook.form.get("Digits")
    took = transfer.taken_over(target, taker_name=department.referents[taker].name, digits=digits)
    record_event(
        hook.session, request, kind=transfer.TRANSFERRED if took else transfer.DECLINED,
        at=hook.now, referent_id=target.referent_id, leg_sid=hook.form.get("CallSid"),
        detail=target.key, reply=Reply(actions=(), reasons=(took,) if took else ()),
    )  # fmt: skip
    return render(call_flow.accept(department, digits=digits), department=department)


async def dialed(hook: Webhook) -> str:
    """The caller's ring to the target is over: hung up after the conversation, or a
    message offered when the target did not take the call."""
    request, department = await request_of_call(hook, hook.form.get("CallSid", ""))
    status = hook.form.get("DialCallStatus", "failed")
    taken = await taken_over_on(
        session=hook.session, request_id=request.id or 0, leg_sid=hook.form.get("DialCallSid")
    )
    reply = transfer.dial_ended(department, status=status, taken=taken)
    record_event(hook.session, request, kind=transfer.ENDED, at=hook.now, reply=reply,
                 leg_sid=hook.form.get("DialCallSid"), detail=status)  # fmt: skip
    await settle_call(hook, request, department)
    return render(reply, department=department, caller_number=request.caller_number)


# Served, journaled and replayed with the call's other steps (frontdoor.voice.webhooks).
TRANSFER_STEPS: Mapping[str, tuple[Handler, Degraded]] = {
    STEP_PATHS["transfer"]: (redirected, outage.transfer_redirected),
    STEP_PATHS["transfer-whisper"]: (target_whisper, outage.transfer_whisper),
    STEP_PATHS["transfer-accept"]: (target_accept, outage.accept),
    STEP_PATHS["transfer-dialed"]: (dialed, outage.transfer_dialed),
}
