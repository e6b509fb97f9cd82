"""Finding a call's request and department from a Twilio webhook."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from aiohttp import web

from frontdoor.core.department import Department
from frontdoor.keys import DEPARTMENTS
from frontdoor.kit.bodies import MAX_ID
from frontdoor.kit.twilio_webhook import Webhook, call_department
from frontdoor.store.models import Request
from frontdoor.store.requests import event_row, insert_events
from frontdoor.voice.outage import department_of

log = logging.getLogger(__name__)

# The longest CallSid and caller number a `requests` row holds (its column sizes).
MAX_CALL_SID, MAX_NUMBER = 64, 40


def storable_number(number: str | None) -> str | None:
    """The caller's number as a request keeps it: none for an address too long to be one (a
    SIP address: no number to call back either, as is_withheld says)."""
    return number if number is None or len(number) <= MAX_NUMBER else None


def call_department_of(hook: Webhook) -> Department | None:
    """The department of a call's webhook (kit.twilio_webhook.call_department); a referent's
    leg answered before action URLs named it: by the referent rung. 403 if not the signer's."""
    department = call_department(hook.app, hook.form, hook.query)
    if department is None and "ParentCallSid" in hook.form:
        department = department_of(hook.app, hook.form, hook.query)
    if hook.query.get("department") and department is None:
        raise web.HTTPGone(text="department no longer configured")
    return hook.owned(department, what="call")


def department_called(app: web.Application, number: str) -> Department | None:
    department = app[DEPARTMENTS].for_number(number)
    if department is None:
        # The number is not logged: a misrouted To can be anyone's, and carry anything.
        log.warning("call to a number no department answers")
    return department


class UnknownCall(web.HTTPNotFound):
    """A webhook names a call the store does not know and cannot open (no number called)."""

    def __init__(self) -> None:
        super().__init__(text="unknown call")


async def request_of_call(hook: Webhook, call_sid: str) -> tuple[Request, Department]:
    """The request of a call; created late if its first webhook could not be stored.

    Found or created through the webhook's resolvers: another department's call, or a call
    to a number of a department the signer does not own, is refused (403).
    """
    if not call_sid:
        raise web.HTTPBadRequest(text="CallSid missing")
    if len(call_sid) > MAX_CALL_SID:  # not Twilio's; the store could not hold it
        raise web.HTTPBadRequest(text="CallSid too long")
    department = call_department_of(hook)
    if department is None:
        raise UnknownCall
    # A call is its department's and its CallSid: the same CallSid for another department
    # is another call, with its own request.
    found = await hook.call(call_sid, department)
    if found is not None:
        return found
    # Its first webhook could not be stored (kept in another instance's outage journal, to
    # join this request when replayed): the request is created now.
    leg = "ParentCallSid" in hook.form
    request = Request(
        department=department.slug,
        channel="voice",
        call_sid=call_sid,
        caller_number=None if leg else storable_number(hook.form.get("From")),
        received_at=hook.now,
    )
    hook.session.add(request)
    await hook.session.flush()
    # Its first event: whatever the step records after it (a wait in the queue records none),
    # by the ORM's flush or by a plain statement.
    await insert_events(hook.session, [event_row(request, kind="first-step-late", at=hook.now)])
    return request, department


def referent_of(query: Mapping[str, str], department: Department) -> str:
    """The referent rung on this leg: one of the call's department (the URL is ours, signed;
    any other id would name someone else as having taken the call)."""
    referent_id = query.get("referent", "")
    if referent_id not in department.referents:
        raise web.HTTPBadRequest(text="referent: not one of this department's referents")
    return referent_id


def whole_number(values: Mapping[str, str], key: str) -> int:
    try:
        number = int(values.get(key, "0"))
    except ValueError:
        raise web.HTTPBadRequest(text=f"{key}: expected a whole number") from None
    if not -MAX_ID <= number <= MAX_ID:  # nor a column of the store could hold it
        raise web.HTTPBadRequest(text=f"{key}: expected a whole number")
    return number
