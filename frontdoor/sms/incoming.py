"""An incoming SMS as Twilio posts it, and the TwiML that answers it by return.

Shared by the webhook (frontdoor.sms.webhooks) and the answer given from memory while the
store is unreachable (frontdoor.sms.outage).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass

from aiohttp import web
from twilio.twiml.messaging_response import MessagingResponse

from frontdoor.core.department import Department
from frontdoor.core.numbers import is_withheld
from frontdoor.core.referrers import Classified, classify_known
from frontdoor.keys import KNOWN_CALLERS, SETTINGS
from frontdoor.sms.texts import default_texts, texts_for

SMS_PATH = "/twilio/sms"
_MESSAGE_SID = re.compile(r"^(SM|MM)[0-9a-fA-F]{32}$")
_MAX_NUMBER = 40  # the longest number a request or opt-out row holds
# Twilio caps an incoming message at 1600 characters; anything longer is not Twilio's.
_MAX_BODY = 1600


@dataclass(kw_only=True, frozen=True)
class IncomingSms:
    sid: str
    sender: str
    to: str
    body: str


def parse(form: Mapping[str, str]) -> IncomingSms:
    """The fields Twilio always sends with a message; 400 when one is missing or wrong."""
    sid, sender, to = form.get("MessageSid", ""), form.get("From", ""), form.get("To", "")
    body = form.get("Body")
    if not _MESSAGE_SID.match(sid) or not sender or not to or body is None:
        raise web.HTTPBadRequest(text="expected MessageSid, From, To and Body")
    if len(sender.strip()) > _MAX_NUMBER:  # no sender Twilio names: the store could not hold it
        raise web.HTTPBadRequest(text="From: longer than a number or sender id")
    if len(body) > _MAX_BODY:
        raise web.HTTPBadRequest(text="Body longer than an SMS can be")
    return IncomingSms(sid=sid, sender=sender.strip(), to=to.strip(), body=body)


def texts_of(app: web.Application, department: Department) -> dict[str, str]:
    """The department's SMS texts: the templates/ defaults and its own."""
    return texts_for(default_texts(app[SETTINGS].templates_dir), department.sms_texts)


def twiml(reply: str | None) -> str:
    response = MessagingResponse()
    if reply:
        response.message(reply)
    return str(response)


def replied(answer: str) -> str | None:
    """The text an answer of ours (`twiml`) sent by return, if any."""
    message = ET.fromstring(answer).find("Message")
    return message.text if message is not None and message.text else None


def classified_sender(
    app: web.Application, department: Department, sender: str
) -> tuple[Classified, str | None]:
    """The sender's referrer type from the department's known contacts, as a call's (the
    same in-memory copy, the same rule), and the contact's name."""
    known = None if is_withheld(sender) else app[KNOWN_CALLERS].lookup(department.slug, sender)
    return classify_known(known), known.name if known else None
