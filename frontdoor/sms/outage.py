"""What an SMS gets while the store is unreachable: the usual answer, decided from memory.

Departments, their calendars and texts are in memory, and so are the numbers that sent STOP
(copied with the known contacts, frontdoor.store.known_callers). What the store would have
said of the sender's conversation is read from their earlier SMS kept in this instance's
journal: a STOP or START sent meanwhile, a message already acknowledged within the hour.
frontdoor.web.twilio_webhook keeps the webhook in the journal before this answer goes back,
and the replay files it (frontdoor.sms.webhooks.store_sms) when the store answers again.

A directory question ("SSIAD 46100") cannot be answered here: the directory is in the store
only. What its sender expects is the list, not a referent's call: they are told that it
follows by SMS, and the replay sends it (frontdoor.sms.directory_queries).
"""

from __future__ import annotations

from datetime import UTC

from frontdoor.core.calendar import opening_at
from frontdoor.core.numbers import is_withheld
from frontdoor.core.sms import (
    OPEN_REQUEST_WINDOW,
    inbound,
    keyword_of,
    opted_out_after,
    render,
)
from frontdoor.sms.directory_queries import directory_query_of
from frontdoor.sms.incoming import SMS_PATH, parse, replied, texts_of, twiml
from frontdoor.web.keys import DEPARTMENTS, KNOWN_CALLERS
from frontdoor.web.twilio_webhook import JOURNAL, Unstored


def unstored_sms(unstored: Unstored) -> str:
    sms = parse(unstored.form)
    app = unstored.app
    department = app[DEPARTMENTS].for_number(sms.to)
    if department is None:
        return twiml(None)
    earlier = [
        entry
        for entry in app[JOURNAL].entries_on(SMS_PATH)
        if entry.form.get("From", "").strip() == sms.sender
        and entry.form.get("To", "").strip() == sms.to
        and entry.form.get("MessageSid") != sms.sid  # a retry of this one is not earlier
    ]
    texts = texts_of(app, department)
    opted_out = opted_out_after(
        app[KNOWN_CALLERS].opted_out(department.slug, sms.sender),
        [entry.form.get("Body", "") for entry in earlier],
    )
    if not opted_out and directory_query_of(sms.sender, sms.body) is not None:
        return twiml(render(texts["directory_later"], department))
    # The messages of a conversation meanwhile (keywords and directory questions are not).
    conversation = [
        entry
        for entry in earlier
        if keyword_of(entry.form.get("Body", "")) is None
        and directory_query_of(sms.sender, entry.form.get("Body", "")) is None
        and unstored.now.astimezone(UTC) - entry.at.astimezone(UTC) < OPEN_REQUEST_WINDOW
    ]
    acknowledged = [entry.at for entry in conversation if replied(entry.answer)]
    decision = inbound(
        department,
        at=unstored.now,
        opening=opening_at(unstored.now, department.calendar),
        text=sms.body,
        opted_out=opted_out,
        open_request=bool(conversation),
        texts=texts,
        last_acknowledged_at=max(acknowledged, default=None),
        withheld=is_withheld(sms.sender),
    )
    return twiml(decision.reply)
