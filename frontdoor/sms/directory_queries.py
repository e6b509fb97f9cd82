"""SMS questions for the directory ("SSIAD 46100", "clic figeac"), answered by return.

Each one answered is filed as a request of its own, with the response type "information":
the indicators count it, and no referent is disturbed.
"""

from __future__ import annotations

from frontdoor.core.department import Department
from frontdoor.core.directory_answers import sms_answer
from frontdoor.core.directory_search import parse_query
from frontdoor.core.numbers import is_withheld
from frontdoor.core.reasons import Reason
from frontdoor.core.sms import is_directory_query, keyword_of, segments
from frontdoor.directory.communes import default_communes, vocabulary_for
from frontdoor.directory.search import search
from frontdoor.store.models import Message, Request
from frontdoor.store.requests import record_event
from frontdoor.store.sms import is_opted_out
from frontdoor.web.twilio_webhook import Webhook

RESULTS = 3


async def answer_directory_query(
    hook: Webhook, department: Department, *, sender: str, text: str, sid: str
) -> str | None:
    """The answer to send back, once the query and its answer are filed; None: not a query."""
    if keyword_of(text) is not None or is_withheld(sender):
        return None
    query = parse_query(text, vocabulary_for(default_communes()))
    if not is_directory_query(query):
        return None
    session = hook.session
    if await is_opted_out(session=session, department=department.slug, number=sender):
        return None  # never an SMS to a number that said STOP: the message is filed as usual
    hits = await search(session, query, limit=RESULTS)
    answer = sms_answer(hits, query)
    request = Request(
        department=department.slug,
        channel="sms",
        caller_number=sender,
        received_at=hook.now,
        response_type="information",
        outcome="informed",
    )
    session.add(request)
    await session.flush()
    assert request.id is not None
    session.add_all(
        [
            Message(request_id=request.id, channel="sms", direction="in", provider_id=sid,
                    at=hook.now, body=text, kind="directory-query",
                    segments=segments(text).count, status="received"),
            Message(request_id=request.id, channel="sms", direction="out", at=hook.now,
                    body=answer, author="frontdoor", kind="directory-answer",
                    segments=segments(answer).count, status="replied"),
        ]
    )  # fmt: skip
    event = record_event(session, request, kind="sms-directory", at=hook.now)
    category = query.category.value if query.category else "?"
    event.reasons = [
        Reason(
            code="directory-answered",
            text=f"question pour l'annuaire ({category}) : {len(hits)} ressource(s) envoyée(s)",
        ).as_dict()
    ]
    return answer
