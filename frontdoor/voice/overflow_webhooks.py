"""Twilio webhooks of the overflow line's leg (core.overflow): the screen it hears on picking
up, and its key. The leg is screened by the same core steps as a referent's leg; pressing 1
there is recorded as an "accepted" event without a referent, its detail `overflow.TAKER`, so
that the call's settlement (core.call_settlement) knows the overflow line took the call."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from frontdoor.core import call_flow, overflow
from frontdoor.core.department import Department
from frontdoor.core.reasons import Reason
from frontdoor.core.referrers import ReferrerType
from frontdoor.core.voice_actions import Reply, RingOverflow
from frontdoor.kit.twilio_webhook import Degraded, Handler, Webhook
from frontdoor.store.models import Request, RequestEvent
from frontdoor.store.requests import event_row, record_event
from frontdoor.voice import outage
from frontdoor.voice.calls import request_of_call, whole_number
from frontdoor.voice.settling import settle_call
from frontdoor.voice.twiml import STEP_PATHS, render


def note_overflow(hook: Webhook, request: Request, department: Department, reply: Reply) -> None:
    """A step that rings the overflow line: its event (overflow_events) in the session."""
    for row in overflow_events(hook, request, department, reply):
        hook.session.add(RequestEvent(**row))


def overflow_events(
    hook: Webhook, request: Request, department: Department, reply: Reply
) -> list[dict[str, Any]]:
    """A step that rings the overflow line: where the call went, as the console says it."""
    line = department.overflow
    if line is None or not any(isinstance(a, RingOverflow) for a in reply.actions):
        return []
    went = overflow.destination(line)
    said = Reply(actions=(), reasons=(Reason(code=overflow.EVENT, text=went),))
    return [event_row(request, kind=overflow.EVENT, at=hook.now, detail=went, reply=said)]


async def overflow_whisper(hook: Webhook) -> str:
    """The overflow line picked up: the screen it hears before the caller is put through."""
    request, department = await request_of_call(hook, hook.form.get("ParentCallSid", ""))
    attempt = whole_number(hook.query, "attempt")
    reply = call_flow.overflow_whisper(
        department,
        attempt=attempt,
        referrer=ReferrerType(request.referrer_type),
        caller_name=request.caller_name,
    )
    record_event(hook.session, request, kind="picked-up", at=hook.now, attempt=attempt,
                 leg_sid=hook.form.get("CallSid"), detail=overflow.TAKER)  # fmt: skip
    return render(reply, department=department)


async def overflow_accept(hook: Webhook) -> str:
    """The overflow line's key: 1 takes the call (once its ring bridged this leg)."""
    request, department = await request_of_call(hook, hook.form.get("ParentCallSid", ""))
    digits = hook.form.get("Digits")
    record_event(
        hook.session,
        request,
        kind="accepted" if digits == "1" else "declined",
        at=hook.now,
        attempt=whole_number(hook.query, "attempt"),
        leg_sid=hook.form.get("CallSid"),
        detail=overflow.TAKER,
    )
    await settle_call(hook, request, department)
    return render(call_flow.accept(department, digits=digits), department=department)


# Served, journaled and replayed with the call's other steps (frontdoor.voice.webhooks).
OVERFLOW_STEPS: Mapping[str, tuple[Handler, Degraded]] = {
    STEP_PATHS["overflow-whisper"]: (overflow_whisper, outage.overflow_whisper),
    STEP_PATHS["overflow-accept"]: (overflow_accept, outage.accept),
}
