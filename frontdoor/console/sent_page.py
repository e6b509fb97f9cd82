"""The development mode's page of what was sent ("Envoyés (démonstration)"): the SMS, calls and
mails of a department that the stand-ins for Twilio and SMTP received (frontdoor.standins), so
that a newcomer sees the whole loop of a demonstration. Outside the development mode there are
no stand-ins and the page does not exist (404). It shows numbers and texts: each look that
shows something is journaled."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from frontdoor.console.auth import chosen_department, needs, viewer_of
from frontdoor.console.formats import full_moment
from frontdoor.console.pages import render
from frontdoor.core.access import Action
from frontdoor.core.department import Department
from frontdoor.keys import CLOCK, DEPARTMENTS, SESSIONS, STAND_INS
from frontdoor.standins.sent import PlacedCall, Sent, SentMail, SentSms, of_department
from frontdoor.store.audit import record_access

PATH = "/envoyes"


def addresses_of(department: Department) -> list[str]:
    """The mail addresses a department's mails go to or leave from."""
    mailbox = department.mailbox
    found: list[str | None] = list(department.callbacks.escalate_to_addresses)
    if mailbox is not None:
        found += [mailbox.address, mailbox.notify_address]
    return [address for address in found if address]


def row(item: Sent, department: Department) -> dict[str, Any]:
    at = full_moment(item.at, timezone=department.calendar.timezone)
    if isinstance(item, SentSms):
        return {"kind": "SMS", "at": at, "sender": item.sender, "to": item.to,
                "subject": "", "text": item.body}  # fmt: skip
    if isinstance(item, PlacedCall):
        return {"kind": "Appel", "at": at, "sender": item.sender, "to": item.to,
                "subject": "", "text": f"TwiML : {item.url}"}  # fmt: skip
    assert isinstance(item, SentMail)
    return {"kind": "Courriel", "at": at, "sender": item.sender, "to": ", ".join(item.to),
            "subject": item.subject, "text": item.body}  # fmt: skip


@needs(Action.SEE_SENT)
async def show(request: web.Request) -> web.StreamResponse:
    slug = chosen_department(request)
    department = request.config_dict[DEPARTMENTS].for_slug(slug)
    stand_ins = request.config_dict.get(STAND_INS)
    if department is None or stand_ins is None:
        raise web.HTTPNotFound(text="page du mode développement")
    sent = of_department(
        stand_ins.sent(), number=department.number, addresses=addresses_of(department)
    )
    if sent:
        async with request.config_dict[SESSIONS]() as session:
            record_access(session=session, at=request.config_dict[CLOCK](),
                          account=viewer_of(request).login, department=slug,
                          action="sent_view", detail=f"{len(sent)} envoi(s) montré(s)")  # fmt: skip
            await session.commit()
    return render(
        "sent.html",
        request,
        {"department": department, "rows": [row(item, department) for item in sent]},
    )


ROUTES = [("GET", PATH, show)]
