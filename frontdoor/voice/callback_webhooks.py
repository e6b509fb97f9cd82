"""Twilio webhooks of a click-to-call: the referent's leg, then the person dialled."""

from __future__ import annotations

from aiohttp import web

from frontdoor.core import callback_call
from frontdoor.core.department import Department
from frontdoor.core.numbers import is_withheld
from frontdoor.kit.bodies import MAX_ID
from frontdoor.kit.twilio_webhook import Webhook, twilio_webhook
from frontdoor.store.models import CallbackTaskRow, Request
from frontdoor.store.requests import record_event
from frontdoor.voice.twiml import STEP_PATHS, render


async def _task(hook: Webhook) -> tuple[CallbackTaskRow, Request, Department]:
    """The task of the query's `task`: one of a department the signer owns (else 403)."""
    try:
        task_id = int(hook.query.get("task", ""))
    except ValueError:
        raise web.HTTPBadRequest(text="task: expected a whole number") from None
    found = await hook.task(task_id) if 0 < task_id <= MAX_ID else None
    if found is None:
        raise web.HTTPNotFound(text="no such task")
    return found


@twilio_webhook()
async def referent_answered(hook: Webhook) -> str:
    row, owner, department = await _task(hook)
    reply = callback_call.referent_answers(
        department, task_id=row.id or 0, request_id=owner.id or 0
    )
    return render(reply, department=department)


@twilio_webhook()
async def connect_person(hook: Webhook) -> str:
    row, owner, department = await _task(hook)
    number = None if is_withheld(owner.caller_number) else owner.caller_number
    reply = callback_call.connect(department, digits=hook.form.get("Digits"), person_number=number)
    if reply.reasons:
        record_event(
            hook.session,
            owner,
            kind="callback-dialled",
            at=hook.now,
            reply=reply,
            leg_sid=hook.form.get("CallSid"),
        )
    return render(reply, department=department)


def add_routes(app: web.Application) -> None:
    app.router.add_post(STEP_PATHS["callback"], referent_answered)
    app.router.add_post(STEP_PATHS["callback-connect"], connect_person)
