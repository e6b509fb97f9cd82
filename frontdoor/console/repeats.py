"""Marking a request a repeat of an earlier one, in the console: the requests of the same
caller or the same persons in the last 30 days are proposed, any number of the department
may be typed; clearing it. Each change is a request event with its reason and an audit row.
"""

from __future__ import annotations

from urllib.parse import quote

from aiohttp import web

from frontdoor.console.auth import needs, own_request, viewer_of
from frontdoor.console.request_page import back_to, trace
from frontdoor.core.access import Action
from frontdoor.core.repeats import (
    RepeatError,
    parse_repeat_of,
    repeat_cleared,
    repeat_marked,
)
from frontdoor.keys import SESSIONS
from frontdoor.kit.bodies import read_form
from frontdoor.store.models import Request
from frontdoor.store.repeats import clear_repeat, mark_repeat


def _refused(found: Request, message: str) -> web.HTTPSeeOther:
    return back_to(found, f"?erreur={quote(message)}#repetition")


@needs(Action.WORK_REQUEST)
async def set_repeat(request: web.Request) -> web.StreamResponse:
    """repeat_of: the number of the request it repeats (a proposed one chosen, or one
    typed); none clears it."""
    form = await read_form(request)
    given = [value for value in form.getall("repeat_of", []) if str(value).strip()]
    viewer = viewer_of(request)
    async with request.config_dict[SESSIONS]() as session:
        found = await own_request(request, session, "repeat")
        try:
            original_id = parse_repeat_of(given[0] if given else None)
        except RepeatError as error:
            raise _refused(found, str(error)) from None
        if original_id is None:
            previous = clear_repeat(session=session, request=found)
            if previous is None:
                raise back_to(found, "#repetition")
            reason = repeat_cleared(previous, by=viewer.login)
        else:
            refusal = await mark_repeat(session=session, request=found, original_id=original_id)
            if refusal is not None:
                raise _refused(found, refusal)
            reason = repeat_marked(original_id, by=viewer.login)
        trace(request, session, found, reason.code, reason)
        await session.commit()
    raise back_to(found, "#repetition")


ROUTES = [("POST", "/demandes/{request_id}/repetition", set_repeat)]
