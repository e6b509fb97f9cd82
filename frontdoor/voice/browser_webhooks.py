"""The TwiML App's voice URL: a call a referent places from her browser (the console's
browser phone) to call a person back. The task comes as the call's parameter `task`; whether
this browser may, and what is dialled, core.browser_phone decides."""

from __future__ import annotations

from aiohttp import web

from frontdoor.core.browser_phone import browser_callback
from frontdoor.core.numbers import is_withheld
from frontdoor.kit.bodies import MAX_ID
from frontdoor.kit.twilio_webhook import Webhook, twilio_webhook
from frontdoor.store.requests import record_event
from frontdoor.voice.twiml import render

BROWSER_PATH = "/twilio/voice/browser"
CLIENT_PREFIX = "client:"


@twilio_webhook()
async def browser_call(hook: Webhook) -> str:
    try:
        task_id = int(hook.form.get("task", ""))
    except ValueError:
        raise web.HTTPBadRequest(text="task: expected a whole number") from None
    found = await hook.task(task_id) if 0 < task_id <= MAX_ID else None
    if found is None:
        raise web.HTTPNotFound(text="no such task")
    row, owner, department = found
    identity = hook.form.get("From", "").removeprefix(CLIENT_PREFIX)
    number = None if is_withheld(owner.caller_number) else owner.caller_number
    decided = browser_callback(
        department, identity=identity, task_status=row.status, person_number=number
    )
    if decided.placed:
        row.calls_placed += 1
        hook.session.add(row)
    record_event(
        hook.session, owner, kind="callback-call", at=hook.now, reply=decided.reply,
        referent_id=decided.referent_id, leg_sid=hook.form.get("CallSid"),
    )  # fmt: skip
    return render(decided.reply, department=department)


def add_routes(app: web.Application) -> None:
    app.router.add_post(BROWSER_PATH, browser_call)
