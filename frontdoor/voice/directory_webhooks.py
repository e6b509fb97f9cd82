"""Voice self-service webhooks: the postal code, the category, the results, the SMS.

The steps are frontdoor.core.voice_directory's; this module runs the directory search
between them, records what was answered, and sends the SMS when asked.
"""

from __future__ import annotations

import logging

from aiohttp import web

from frontdoor.core import voice_directory
from frontdoor.core.department import Department
from frontdoor.core.directory_answers import sms_answer, spoken_answer
from frontdoor.core.directory_search import DirectoryQuery
from frontdoor.core.numbers import is_withheld
from frontdoor.core.taxonomy import Category
from frontdoor.core.voice_actions import Reply
from frontdoor.directory.search import search
from frontdoor.keys import SETTINGS
from frontdoor.kit.twilio_accounts import twilio_api_for
from frontdoor.kit.twilio_webhook import Webhook, twilio_webhook
from frontdoor.outbound.errors import OutboundError, cause_of
from frontdoor.store.models import Message
from frontdoor.store.requests import apply_update, record_event
from frontdoor.store.responses import informed_from_directory
from frontdoor.store.sms import is_opted_out
from frontdoor.voice.calls import request_of_call
from frontdoor.voice.twiml import STEP_PATHS, render

log = logging.getLogger(__name__)
RESULTS = 3


@twilio_webhook()
async def directory_step(hook: Webhook) -> str:
    request, department = await request_of_call(hook, hook.form.get("CallSid", ""))
    stage, digits = hook.query.get("stage"), hook.form.get("Digits")
    postal = hook.query.get("postal", "")
    if stage == "postal":
        reply = voice_directory.postal_code_keyed(department, digits=digits)
    elif stage == "category":
        category = voice_directory.category_of(digits)
        if category is None:
            reply = voice_directory.postal_code_keyed(department, digits=postal)
        else:
            hits = await search(
                hook.session, DirectoryQuery(category=category, postal_code=postal), limit=RESULTS
            )
            reply = voice_directory.results(
                department, postal_code=postal, category=category, spoken=spoken_answer(hits)
            )
            await informed_from_directory(session=hook.session, request=request, at=hook.now)
    elif stage == "sms":
        can_send = await _may_text(hook, department, request.caller_number)
        reply = voice_directory.sms_chosen(department, digits=digits, can_send=can_send)
        if digits == voice_directory.SEND_BY_SMS_KEY and can_send:
            reply = await _send_results(hook, department, request.id or 0, request.caller_number,
                                        postal, hook.query.get("category", ""), reply)  # fmt: skip
    else:
        raise web.HTTPBadRequest(text="unknown directory stage")
    apply_update(request, reply.update)
    record_event(hook.session, request, kind=f"directory-{stage}", at=hook.now, reply=reply,
                 detail=digits)  # fmt: skip
    return render(reply, department=department)


async def _may_text(hook: Webhook, department: Department, number: str | None) -> bool:
    """Never an SMS to a withheld number, nor to one that sent STOP to the department."""
    if number is None or is_withheld(number):
        return False
    key = hook.app[SETTINGS].pseudonym_secret
    return not await is_opted_out(
        session=hook.session, department=department.slug, number=number, key=key
    )


async def _send_results(
    hook: Webhook,
    department: Department,
    request_id: int,
    number: str | None,
    postal: str,
    category_code: str,
    said: Reply,
) -> Reply:
    try:
        category = Category(category_code)
    except ValueError:
        raise web.HTTPBadRequest(text="unknown category") from None
    query = DirectoryQuery(category=category, postal_code=postal)
    text = sms_answer(await search(hook.session, query, limit=RESULTS), query)
    try:
        sid = await twilio_api_for(hook.app, department.slug).send_sms(
            to=number or "", from_=department.number, body=text
        )
    except OutboundError as error:
        log.error("%s : le SMS des ressources de l'annuaire n'est pas parti (%s)",
                  department.slug, cause_of(error))  # fmt: skip
        return voice_directory.sms_failed(department)
    hook.session.add(
        Message(request_id=request_id, department=department.slug, channel="sms",
                direction="out", provider_id=sid, at=hook.now, body=text, author="frontdoor",
                kind="directory-answer")
    )  # fmt: skip
    return said


def add_routes(app: web.Application) -> None:
    app.router.add_post(STEP_PATHS["directory"], directory_step)
