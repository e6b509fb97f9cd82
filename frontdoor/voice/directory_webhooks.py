"""Voice self-service webhooks: the postal code, the category, the results, the SMS.

The steps are frontdoor.core.voice_directory's; this module runs the directory search
between them, records what was answered, and sends the SMS when asked (once the step is
committed).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from aiohttp import web

from frontdoor.core import call_flow, speech, voice_directory
from frontdoor.core.department import Department
from frontdoor.core.directory_answers import sms_answer, spoken_answer
from frontdoor.core.directory_search import DirectoryQuery
from frontdoor.core.numbers import is_withheld
from frontdoor.core.sms import segments
from frontdoor.core.taxonomy import Category
from frontdoor.core.voice_actions import Reply
from frontdoor.directory.search import search
from frontdoor.keys import SETTINGS
from frontdoor.kit.twilio_webhook import Webhook, twilio_webhook
from frontdoor.sms.sending import send_stored_sms
from frontdoor.store.models import Message, Request
from frontdoor.store.requests import apply_update, record_event
from frontdoor.store.responses import informed_from_directory
from frontdoor.store.sms import is_opted_out
from frontdoor.voice.calls import request_of_call
from frontdoor.voice.settling import settle_call
from frontdoor.voice.speech import heard_in, speech_lexicon, spoken_detail
from frontdoor.voice.twiml import STEP_PATHS, render

RESULTS = 3


@twilio_webhook()
async def directory_step(hook: Webhook) -> str:
    request, department = await request_of_call(hook, hook.form.get("CallSid", ""))
    stage, digits = hook.query.get("stage"), hook.form.get("Digits")
    postal = hook.query.get("postal", "")
    tries = _tries(hook.query)
    # After the last try of a prompt: a referent, else a message (never the prompt again).
    gave_up = call_flow.gave_up(department, at=request.received_at, code="directory-no-choice")
    # Words heard instead of keys: read for a place or a category, then forgotten.
    heard = None if digits else heard_in(hook.form)
    said = speech.search_in(heard, speech_lexicon()) if heard is not None else None
    if stage == "postal":
        known = _category(hook.query) if "category" in hook.query else None
        reply = voice_directory.postal_code_keyed(
            department, digits=digits, tries=tries, gave_up=gave_up, category=known, said=said
        )
    elif stage == "category":
        category = voice_directory.category_of(digits) or voice_directory.category_said(said)
        if category is None:
            reply = voice_directory.category_missed(
                department, postal=postal, digits=digits, tries=tries, gave_up=gave_up
            )
        else:
            reply = await _read_results(hook, department, request, postal, category)
    elif stage == "search":  # the category and the place said at a menu, or said and keyed
        if not voice_directory.is_postal_code(postal):
            raise web.HTTPBadRequest(text="postal: expected five digits")
        reply = await _read_results(hook, department, request, postal, _category(hook.query))
    elif stage == "sms":
        query = DirectoryQuery(category=_category(hook.query), postal_code=postal)
        reply = await sms_step(
            hook, department, request, digits=digits,
            text=lambda: _sms_text(hook, query),
        )  # fmt: skip
    else:
        raise web.HTTPBadRequest(text="unknown directory stage")
    apply_update(request, reply.update)
    record_event(hook.session, request, kind=f"directory-{stage}", at=hook.now, reply=reply,
                 detail=digits or spoken_detail(hook.form))  # fmt: skip
    await settle_call(hook, request, department)
    return render(reply, department=department)


async def _read_results(
    hook: Webhook, department: Department, request: Request, postal: str, category: Category
) -> Reply:
    query = DirectoryQuery(category=category, postal_code=postal)
    hits = await search(hook.session, query, limit=RESULTS)
    reply = voice_directory.results(
        department, postal_code=postal, category=category, spoken=spoken_answer(hits)
    )
    await informed_from_directory(session=hook.session, request=request, at=hook.now)
    return reply


def _category(query: Mapping[str, str]) -> Category:
    """The category named in the signed action URL (Frontdoor wrote it)."""
    try:
        return Category(query.get("category", ""))
    except ValueError:
        raise web.HTTPBadRequest(text="unknown category") from None


def _tries(query: Mapping[str, str]) -> int:
    """The try of a prompt, from the action URL Frontdoor signed into the TwiML (the caller
    cannot change it); a URL without one (a call answered before tries were counted) is at
    its last try."""
    try:
        return int(query.get("try", str(voice_directory.TRIES)))
    except ValueError:
        raise web.HTTPBadRequest(text="try: expected a whole number") from None


async def sms_step(
    hook: Webhook,
    department: Department,
    request: Request,
    *,
    digits: str | None,
    text: Callable[[], Awaitable[str]],
) -> Reply:
    """The key pressed after resources were read (key 9's, or a public's orientation): 1
    sends them by SMS (``text``, written only then) when the number may be texted. The SMS
    is written with the step and leaves once the step is committed: what the caller hears
    cannot wait for Twilio's answer."""
    can_send = await _may_text(hook, department, request.caller_number)
    reply = voice_directory.sms_chosen(department, digits=digits, can_send=can_send)
    if digits != voice_directory.SEND_BY_SMS_KEY or not can_send:
        return reply
    message = _outgoing_sms(hook, department, request, await text())
    _send_after_commit(hook, department, message, to=request.caller_number or "")
    return reply


async def _sms_text(hook: Webhook, query: DirectoryQuery) -> str:
    return sms_answer(await search(hook.session, query, limit=RESULTS), query)


async def _may_text(hook: Webhook, department: Department, number: str | None) -> bool:
    """Never an SMS to a withheld number, nor to one that sent STOP to the department."""
    if number is None or is_withheld(number):
        return False
    key = hook.app[SETTINGS].pseudonym_secret
    return not await is_opted_out(
        session=hook.session, department=department.slug, number=number, key=key
    )


def _outgoing_sms(hook: Webhook, department: Department, request: Request, text: str) -> Message:
    """The SMS, "sending" until Twilio answers, in the step's transaction: kept whatever
    happens next, and a retry of the step (answered from its receipt) never sends it again."""
    message = Message(request_id=request.id or 0, department=department.slug, channel="sms",
                      direction="out", at=hook.now, body=text, author="frontdoor",
                      kind="directory-answer", status="sending",
                      segments=segments(text).count)  # fmt: skip
    hook.session.add(message)
    return message


def _send_after_commit(hook: Webhook, department: Department, message: Message, *, to: str) -> None:
    """Twilio is asked once the step is committed (frontdoor.sms.sending)."""
    app = hook.app

    async def send() -> None:
        assert message.id is not None  # given by the commit
        await send_stored_sms(app, department, message_id=message.id, to=to,
                              what="le SMS des ressources de l'annuaire")  # fmt: skip

    hook.after_commit.append(send)


def add_routes(app: web.Application) -> None:
    app.router.add_post(STEP_PATHS["directory"], directory_step)
