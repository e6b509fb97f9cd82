"""The public's orientation on a professionals-only line: the postal code, then the SMS.

The steps are frontdoor.core.orientation's; this module runs the directory search between
them, records the services read as the request's orientations, and sends the SMS when asked
(as key 9 does: frontdoor.voice.directory_webhooks.sms_step).
"""

from __future__ import annotations

from collections.abc import Mapping

from aiohttp import web
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.core import orientation, speech, voice_directory
from frontdoor.core.directory_answers import sms_answer
from frontdoor.core.directory_search import DirectoryQuery, Hit
from frontdoor.core.referrers import ReferrerType
from frontdoor.directory.search import resolve_commune, search
from frontdoor.kit.twilio_webhook import Degraded, Handler, Webhook
from frontdoor.store.requests import apply_update, record_event
from frontdoor.store.responses import oriented_by_frontdoor
from frontdoor.voice import outage
from frontdoor.voice.calls import request_of_call
from frontdoor.voice.directory_webhooks import sms_step
from frontdoor.voice.settling import settle_call
from frontdoor.voice.speech import heard_in, speech_lexicon, spoken_detail
from frontdoor.voice.twiml import STEP_PATHS, render

# Per category: enough for the one serving the commune to be among them (core ranks those
# covering the commune first).
PER_CATEGORY = 3


async def orientation_step(hook: Webhook) -> str:
    request, department = await request_of_call(hook, hook.form.get("CallSid", ""))
    stage, digits = hook.query.get("stage"), hook.form.get("Digits")
    if hook.journaled_answer is not None:  # answered from memory, the store down: as heard
        reply = orientation.from_memory(department, stage=stage or "postal")
    elif stage == "postal":
        referrer = ReferrerType(request.referrer_type)
        # Words heard instead of keys: read for a commune, then forgotten.
        heard = None if digits else heard_in(hook.form)
        said = speech.search_in(heard, speech_lexicon()) if heard is not None else None
        postal = orientation.postal_code_of(digits=digits, said=said)
        if postal is None:
            reply = orientation.postal_code_missed(
                department, referrer=referrer, tries=_tries(hook)
            )
        else:
            found = orientation.oriented(
                department, postal_code=postal, serving=await _serving(hook.session, postal)
            )
            ids = [resource.id for resource in found.resources]
            await oriented_by_frontdoor(
                session=hook.session, request=request, resource_ids=ids, at=hook.now
            )
            reply = found.reply
    elif stage == "sms":
        postal = hook.query.get("postal", "")
        if not voice_directory.is_postal_code(postal):
            raise web.HTTPBadRequest(text="postal: expected five digits")
        reply = await sms_step(
            hook, department, request, digits=digits, text=lambda: _sms_text(hook, postal)
        )
    else:
        raise web.HTTPBadRequest(text="unknown orientation stage")
    apply_update(request, reply.update)
    record_event(hook.session, request, kind=f"orientation-{stage}", at=hook.now, reply=reply,
                 detail=digits or spoken_detail(hook.form))  # fmt: skip
    await settle_call(hook, request, department)
    return render(reply, department=department)


async def _serving(session: AsyncSession, postal: str) -> tuple[Hit, ...]:
    """The directory's services of each orienting category near the postal code's commune,
    and the core's choice among them."""
    commune = await resolve_commune(session, DirectoryQuery(postal_code=postal))
    hits: list[Hit] = []
    for category in orientation.ORIENTING:
        query = DirectoryQuery(category=category, postal_code=postal)
        hits += await search(session, query, limit=PER_CATEGORY)
    return orientation.serving(hits, commune)


async def _sms_text(hook: Webhook, postal: str) -> str:
    """The services read, listed as key 9's SMS lists resources."""
    return sms_answer(await _serving(hook.session, postal), DirectoryQuery(postal_code=postal))


def _tries(hook: Webhook) -> int:
    """The try, from the action URL Frontdoor signed (the caller cannot change it)."""
    try:
        return int(hook.query.get("try", str(voice_directory.TRIES)))
    except ValueError:
        raise web.HTTPBadRequest(text="try: expected a whole number") from None


# Served, journaled and replayed with the call's other steps (frontdoor.voice.webhooks).
ORIENTATION_STEPS: Mapping[str, tuple[Handler, Degraded]] = {
    STEP_PATHS["orientation"]: (orientation_step, outage.public_orientation),
}
