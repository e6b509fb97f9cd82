"""Twilio webhooks of a transfer (core.transfer): the caller's call redirected by Frontdoor
(frontdoor.actions.transfer), the target's screen and key, the end of the caller's ring to
the target. Who transfers (`from`) and to whom (`target`) are in the signed URLs."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from functools import partial

from aiohttp import web

from frontdoor.core import call_flow, transfer
from frontdoor.core.department import Department
from frontdoor.core.referrers import ReferrerType
from frontdoor.core.voice_actions import Reply
from frontdoor.keys import SETTINGS
from frontdoor.kit.twilio_accounts import twilio_api_for
from frontdoor.kit.twilio_webhook import Degraded, Handler, Webhook
from frontdoor.outbound.errors import OutboundError, cause_of
from frontdoor.store.models import Request
from frontdoor.store.requests import record_event
from frontdoor.store.transfers import taken_over_by, taken_over_on
from frontdoor.voice import outage
from frontdoor.voice.calls import call_department_of, referent_of, request_of_call
from frontdoor.voice.settling import settle_call
from frontdoor.voice.twiml import STEP_PATHS, render, url_of

log = logging.getLogger(__name__)


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
    _record_target_answer(hook, request, department, target, taker=taker, digits=digits)
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


async def _warm(hook: Webhook) -> tuple[Request, Department, transfer.Target, str]:
    """A warm transfer's call (`call` in the signed URL: the caller's CallSid), its target
    and the referent handing it over."""
    department = call_department_of(hook)
    if department is None:
        raise web.HTTPNotFound(text="unknown call")
    found = await hook.call(hook.query.get("call", ""), department)
    if found is None:
        raise web.HTTPNotFound(text="no such call")
    request, department = found
    target, taker = target_in(hook.query, department)
    return request, department, target, taker


def _params(hook: Webhook) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, v) for k, v in hook.query.items() if k != "department"))


async def consult(hook: Webhook) -> str:
    """The referent's leg, redirected by a warm transfer: into the room, to meet the target."""
    request, department, target, taker = await _warm(hook)
    reply = transfer.consult(department, target, params=_params(hook), request_id=request.id or 0)
    record_event(hook.session, request, kind=transfer.CONSULTED, at=hook.now, referent_id=taker,
                 leg_sid=hook.form.get("CallSid"), detail=target.key)  # fmt: skip
    return render(reply, department=department)


async def target_call(hook: Webhook) -> str:
    """The call Frontdoor placed to the target of a warm transfer, answered: the screen."""
    request, department, target, taker = await _warm(hook)
    caller = call_flow.caller_phrase(ReferrerType(request.referrer_type), request.caller_name)
    name = department.referents[taker].name
    reply = transfer.target_screen(department, target, params=_params(hook), taker_name=name,
                                   caller=caller)  # fmt: skip
    return render(reply, department=department)


async def target_key(hook: Webhook) -> str:
    request, department, target, taker = await _warm(hook)
    digits = hook.form.get("Digits")
    _record_target_answer(hook, request, department, target, taker=taker, digits=digits)
    return render(transfer.target_key(digits, request_id=request.id or 0), department=department)


async def handover(hook: Webhook) -> str:
    """The referent pressed * (she left the room): the caller is moved to the room, to the
    target if she took the call, else back to the referent."""
    request, department, target, taker = await _warm(hook)
    taken = await taken_over_by(session=hook.session, request_id=request.id or 0,
                                target_key=target.key)  # fmt: skip
    decided = transfer.handover(department, target, taken=taken,
                                taker_name=department.referents[taker].name,
                                params=_params(hook), request_id=request.id or 0)  # fmt: skip
    record_event(hook.session, request, kind=transfer.HANDED_OVER if taken else
                 "transfer-taken-back", at=hook.now, referent_id=taker, detail=target.key,
                 reply=Reply(actions=(), reasons=(decided.reason,)))  # fmt: skip
    url = hook.app[SETTINGS].public_url + url_of(decided.caller, department)
    hook.after_commit.append(
        partial(_move_caller, hook.app, department, request.call_sid or "", url)
    )
    return render(decided.referent, department=department)


async def _move_caller(app: web.Application, department: Department, sid: str, url: str) -> None:
    try:
        await twilio_api_for(app, department.slug).redirect_call(sid, url=url)
    except OutboundError as error:
        log.warning("transfert : l'appelant n'a pas pu être passé (%s)", cause_of(error))


async def caller_joins(hook: Webhook) -> str:
    """The caller's call, moved out of the waiting room: into the room."""
    request, department = await request_of_call(hook, hook.form.get("CallSid", ""))
    return render(transfer.caller_joins(request_id=request.id or 0), department=department)


# Served, journaled and replayed with the call's other steps (frontdoor.voice.webhooks).
TRANSFER_STEPS: Mapping[str, tuple[Handler, Degraded]] = {
    STEP_PATHS["transfer"]: (redirected, outage.transfer_redirected),
    STEP_PATHS["transfer-whisper"]: (target_whisper, outage.transfer_whisper),
    STEP_PATHS["transfer-accept"]: (target_accept, outage.accept),
    STEP_PATHS["transfer-dialed"]: (dialed, outage.transfer_dialed),
    STEP_PATHS["transfer-consult"]: (consult, outage.transfer_consult),
    STEP_PATHS["transfer-target"]: (target_call, outage.transfer_target),
    STEP_PATHS["transfer-target-key"]: (target_key, outage.transfer_target_key),
    STEP_PATHS["transfer-handover"]: (handover, outage.transfer_handover),
    STEP_PATHS["transfer-join"]: (caller_joins, outage.transfer_join),
}


def _record_target_answer(
    hook: Webhook,
    request: Request,
    department: Department,
    target: transfer.Target,
    *,
    taker: str,
    digits: str | None,
) -> None:
    """The target's key, as the request keeps it: who took over, or that the target declined."""
    took = transfer.taken_over(target, taker_name=department.referents[taker].name, digits=digits)
    record_event(
        hook.session, request, kind=transfer.TRANSFERRED if took else transfer.DECLINED,
        at=hook.now, referent_id=target.referent_id, leg_sid=hook.form.get("CallSid"),
        detail=target.key, reply=Reply(actions=(), reasons=(took,) if took else ()),
    )  # fmt: skip
