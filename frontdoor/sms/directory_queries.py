"""SMS questions for the directory ("SSIAD 46100", "clic figeac"), answered by return.

Each one answered is filed as a request of its own, with the response type "information",
closed once the answer is sent (frontdoor.core.closing): the indicators count it, and no
referent is disturbed. A further SMS of the sender opens it again for a referent.

While the store is unreachable the directory cannot be searched (it is in the store only):
the sender is told by return that the answer follows (frontdoor.sms.outage), and the replay
of the journal sends it, from the department's number, once it is filed.
"""

from __future__ import annotations

import logging
from functools import partial

from aiohttp import web

from frontdoor.core.department import Department
from frontdoor.core.directory_answers import sms_answer
from frontdoor.core.directory_search import DirectoryQuery, parse_query
from frontdoor.core.numbers import is_withheld
from frontdoor.core.reasons import Reason
from frontdoor.core.sms import is_directory_query, keyword_of, segments
from frontdoor.directory.communes import default_communes, vocabulary_for
from frontdoor.directory.search import search
from frontdoor.keys import CLOCK, SESSIONS, SETTINGS
from frontdoor.kit.twilio_webhook import Webhook
from frontdoor.sms.incoming import classified_sender, replied
from frontdoor.sms.sending import send_stored_sms
from frontdoor.store.closing import close_if_only_informed
from frontdoor.store.models import Message, Request
from frontdoor.store.requests import record_event
from frontdoor.store.responses import informed_from_directory
from frontdoor.store.sms import is_opted_out

log = logging.getLogger(__name__)

RESULTS = 3


def directory_query_of(sender: str, text: str) -> DirectoryQuery | None:
    """The directory question an SMS asks, if it is one (a keyword never is)."""
    if keyword_of(text) is not None or is_withheld(sender):
        return None
    query = parse_query(text, vocabulary_for(default_communes()))
    return query if is_directory_query(query) else None


async def answer_directory_query(
    hook: Webhook, department: Department, *, sender: str, text: str, sid: str, may_reply: bool
) -> str | None:
    """The answer to send back, once the query and its answer are filed; None: not a query,
    or too many automatic answers went to the number lately (`may_reply` False): then it is a
    message like another, for a referent."""
    query = directory_query_of(sender, text)
    if query is None or not may_reply:
        return None
    session = hook.session
    key = hook.app[SETTINGS].pseudonym_secret
    if await is_opted_out(session=session, department=department.slug, number=sender, key=key):
        return None  # never an SMS to a number that said STOP: the message is filed as usual
    hits = await search(session, query, limit=RESULTS)
    answer = sms_answer(hits, query)
    classified, name = classified_sender(hook.app, department, sender)
    request = Request(
        department=department.slug,
        channel="sms",
        caller_number=sender,
        caller_name=name,
        referrer_type=classified.referrer_type.value,
        referrer_source=classified.source,
        received_at=hook.now,
        outcome="informed",
    )
    session.add(request)
    await session.flush()
    assert request.id is not None
    await informed_from_directory(session=session, request=request, at=hook.now)
    session.add(
        Message(request_id=request.id, department=department.slug, channel="sms",
                direction="in", provider_id=sid, at=hook.now, body=text, kind="directory-query",
                segments=segments(text).count, status="received")
    )  # fmt: skip
    later = replied(hook.journaled_answer) if hook.journaled_answer is not None else None
    if later is not None:
        # Told during the outage that the answer follows: that, then the answer, by the API.
        session.add(
            Message(request_id=request.id, department=department.slug, channel="sms",
                    direction="out", at=hook.now, body=later, author="frontdoor",
                    kind="directory-later", segments=segments(later).count, status="replied")
        )  # fmt: skip
    sent = Message(
        request_id=request.id, department=department.slug, channel="sms", direction="out",
        at=hook.now, body=answer, author="frontdoor", kind="directory-answer",
        segments=segments(answer).count, status="replied" if later is None else "sending",
    )  # fmt: skip
    session.add(sent)
    event = record_event(session, request, kind="sms-directory", at=hook.now)
    category = query.category.value if query.category else "?"
    event.reasons = [
        Reason(
            code="directory-answered",
            text=f"question pour l'annuaire ({category}) : {len(hits)} ressource(s) envoyée(s)",
        ).as_dict(),
        *([classified.reason.as_dict()] if classified.reason else []),
    ]
    if later is None:
        close_if_only_informed(session, request, at=hook.now)  # answered by return
    else:
        await session.flush()
        hook.after_commit.append(
            partial(
                _send_later,
                hook.app,
                department,
                to=sender,
                message_id=sent.id or 0,
                request_id=request.id,
            )
        )
    return answer


async def _send_later(
    app: web.Application, department: Department, *, to: str, message_id: int, request_id: int
) -> None:
    """The answer of a question kept in the journal, sent once it is filed (sms.sending);
    sent, it closes its request if that was all it asked."""
    if not await send_stored_sms(app, department, message_id=message_id, to=to,
                                 what="la réponse de l'annuaire à un SMS"):  # fmt: skip
        return
    async with app[SESSIONS]() as session:
        request = await session.get(Request, request_id)
        if request is not None:
            close_if_only_informed(session, request, at=app[CLOCK]())
            await session.commit()
