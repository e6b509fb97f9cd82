"""Finding a call's request and department from a Twilio webhook."""

from __future__ import annotations

import logging

from aiohttp import web

from frontdoor.core.department import Department
from frontdoor.store.models import Request
from frontdoor.store.requests import request_by_call_sid
from frontdoor.web.keys import DEPARTMENTS
from frontdoor.web.twilio_webhook import Webhook

log = logging.getLogger(__name__)


def department_called(app: web.Application, number: str) -> Department | None:
    department = app[DEPARTMENTS].for_number(number)
    if department is None:
        log.warning("call to a number no department answers: %s", number)
    return department


async def request_of_call(hook: Webhook, call_sid: str) -> tuple[Request, Department]:
    """The request of a call; created late if its first webhook could not be stored."""
    if not call_sid:
        raise web.HTTPBadRequest(text="CallSid missing")
    request = await request_by_call_sid(session=hook.session, call_sid=call_sid)
    if request is not None:
        department = hook.app[DEPARTMENTS].for_slug(request.department)
        if department is None:
            raise web.HTTPGone(text="department no longer configured")
        return request, department
    department = department_called(hook.app, hook.form.get("To", ""))
    if department is None:
        raise web.HTTPNotFound(text="unknown call")
    request = Request(
        department=department.slug,
        channel="voice",
        call_sid=call_sid,
        caller_number=hook.form.get("From"),
        received_at=hook.now,
    )
    hook.session.add(request)
    await hook.session.flush()
    return request, department
