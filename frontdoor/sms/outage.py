"""What an SMS gets while the store is unreachable: the usual answer, decided from memory.

Departments, their calendars and texts are in memory, and so are the numbers that sent STOP
(copied with the known contacts, frontdoor.store.known_callers). What the store would have
said of the sender's conversation is read from their earlier SMS kept in this instance's
journal: a STOP or START sent meanwhile, a message already acknowledged within the hour.
frontdoor.kit.twilio_webhook keeps the webhook in the journal before this answer goes back,
and the replay files it (frontdoor.sms.webhooks.store_sms) when the store answers again.

A directory question ("SSIAD 46100") cannot be answered here: the directory is in the store
only. What its sender expects is the list, not a referent's call: they are told that it
follows by SMS, and the replay sends it (frontdoor.sms.directory_queries).
"""

from __future__ import annotations

from frontdoor.core.calendar import opening_at
from frontdoor.core.numbers import is_withheld
from frontdoor.core.sms import JournaledSms, inbound, remembered, render
from frontdoor.keys import DEPARTMENTS, KNOWN_CALLERS
from frontdoor.kit.twilio_webhook import JOURNAL, Unstored
from frontdoor.sms.directory_queries import directory_query_of
from frontdoor.sms.incoming import SMS_PATH, parse, replied, texts_of, twiml


def unstored_sms(unstored: Unstored) -> str:
    sms = parse(unstored.form)
    app = unstored.app
    department = unstored.owned(app[DEPARTMENTS].for_number(sms.to))
    if department is None:
        return twiml(None)
    earlier = [
        JournaledSms(
            at=entry.at,
            text=entry.form.get("Body", ""),
            directory_question=directory_query_of(sms.sender, entry.form.get("Body", ""))
            is not None,
            answered=bool(replied(entry.answer)),
        )
        for entry in app[JOURNAL].entries_on(SMS_PATH)
        if entry.form.get("From", "").strip() == sms.sender
        and entry.form.get("To", "").strip() == sms.to
        and entry.form.get("MessageSid") != sms.sid  # a retry of this one is not earlier
    ]
    texts = texts_of(app, department)
    memory = remembered(
        earlier,
        opted_out=app[KNOWN_CALLERS].opted_out(department.slug, sms.sender),
        now=unstored.now,
    )
    if not memory.opted_out and directory_query_of(sms.sender, sms.body) is not None:
        return twiml(render(texts["directory_later"], department))
    decision = inbound(
        department,
        at=unstored.now,
        opening=opening_at(unstored.now, department.calendar),
        text=sms.body,
        opted_out=memory.opted_out,
        open_request=memory.open_request,
        texts=texts,
        last_acknowledged_at=memory.last_acknowledged_at,
        withheld=is_withheld(sms.sender),
    )
    return twiml(decision.reply)
