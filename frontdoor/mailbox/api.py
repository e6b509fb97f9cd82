"""A referent's answer by mail: POST /api/requests/{id}/mail {"body": "…"}.

It leaves from the department's secure mailbox (its operator's SMTP, TLS with its client
certificate), threaded under the mails of the request (In-Reply-To, References, and the
request's reference in the subject), and is filed under the request. It is queued in the
outbox with the request's event, then sent: 201 when the server took it, 202 when it could
not be reached (the `mail-outbox` job sends it later), 502 when it refused it for good.
"""

from __future__ import annotations

from datetime import datetime

from aiohttp import ChainMapProxy, web
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.core.department import Department
from frontdoor.core.mail import reference
from frontdoor.core.reasons import Reason
from frontdoor.keys import CLOCK, DEPARTMENTS, SESSIONS, SETTINGS
from frontdoor.kit.bodies import read_json
from frontdoor.kit.callers import caller_of, own_request
from frontdoor.mailbox.job import department_mailer
from frontdoor.mailbox.outbox import Round, queue, send_claimed
from frontdoor.mailbox.tls import MailboxConfigError
from frontdoor.outbound.errors import OutboundError
from frontdoor.store.mail import Outgoing, settle
from frontdoor.store.models import Message, Request
from frontdoor.store.requests import record_event

MAX_BODY = 20_000


async def answer_by_mail(request: web.Request) -> web.Response:
    caller = caller_of(request)
    department = request.app[DEPARTMENTS].for_slug(caller.department)
    if department is None or caller.referent not in department.referents:
        raise web.HTTPForbidden(text="only a referent of the department can answer")
    try:
        payload = await read_json(request)
        body = payload["body"].strip()
    except (web.HTTPBadRequest, TypeError, KeyError, AttributeError):
        raise web.HTTPUnprocessableEntity(text='expected {"body": "…"}') from None
    if not body or len(body) > MAX_BODY:
        raise web.HTTPUnprocessableEntity(text=f"body: 1 to {MAX_BODY} characters")
    now = request.app[CLOCK]()
    async with request.app[SESSIONS]() as session:
        owner = await own_request(request, caller, session)
        if department.mailbox is None:
            raise web.HTTPConflict(text="this department has no secure mailbox configured")
        if not owner.contact_address:
            raise web.HTTPConflict(text="this request has no mail address to answer")
        subject = f"{reference(department.slug, owner.id or 0)} {department.name} : réponse"
        instance = request.app[SETTINGS].instance_name
        answer = await queue_to_contact(
            session, department=department, owner=owner, subject=subject, body=body,
            kind="answer", author=caller.referent or "", now=now, instance=instance,
        )  # fmt: skip
        event = record_event(session, owner, kind="mail-answer", at=now,
                             referent_id=caller.referent)  # fmt: skip
        event.reasons = [
            Reason(
                code="mail-answer", text=f"réponse par messagerie sécurisée de {caller.referent}"
            ).as_dict()
        ]
        if owner.answered_at is None:
            owner.answered_at = now
        session.add(owner)
        await session.commit()
    # Committed with the request's event: sent now, or by the mail-outbox job if it cannot be.
    done = await send_now(request.app, department, answer)
    if done.sent:
        return web.json_response({"message_id": answer.message_id, "status": "sent"}, status=201)
    if done.given_up:
        raise web.HTTPBadGateway(text="mail refused by the SMTP server: check the address")
    return web.json_response({"message_id": answer.message_id, "status": "queued"}, status=202)


async def queue_to_contact(
    session: AsyncSession,
    *,
    department: Department,
    owner: Request,
    subject: str,
    body: str,
    kind: str,
    author: str,
    now: datetime,
    instance: str,
) -> Outgoing:
    """A mail to the request's contact from the department's mailbox, threaded under the
    request's mails, queued in the session (the caller commits it with its own changes)."""
    assert department.mailbox is not None
    assert owner.contact_address
    thread = (
        await session.exec(
            select(Message)
            .where(Message.request_id == owner.id, Message.channel == "mail")
            .order_by(col(Message.at), col(Message.id))
        )
    ).all()
    ids = [m.provider_id for m in thread if m.provider_id]
    received = [m.provider_id for m in thread if m.direction == "in" and m.provider_id]
    # A person's answer (RFC 3834): the sender's auto-replies may answer it.
    headers = {"Auto-Submitted": "no"}
    if ids:
        headers["References"] = " ".join(ids)
    if received:
        headers["In-Reply-To"] = received[-1]
    return queue(
        session, department=department.slug, sender=department.mailbox.address,
        request_id=owner.id or 0, to=owner.contact_address, subject=subject, body=body,
        headers=headers, kind=kind, author=author, at=now, instance=instance,
    )  # fmt: skip


async def send_now(
    app: web.Application | ChainMapProxy, department: Department, mail: Outgoing
) -> Round:
    """Send a committed outbox mail now; left to the mail-outbox job if the server cannot be
    reached (its outcome settled in the outbox either way)."""
    clock = app[CLOCK]
    assert department.mailbox is not None
    try:
        mailer = department_mailer(department, department.mailbox, clock=clock)
        async with mailer.connection() as connection:
            done = await send_claimed(connection, [mail], clock=clock, department=department.slug)
    except (OutboundError, MailboxConfigError):
        done = await send_claimed(None, [mail], clock=clock, department=department.slug)
    async with app[SESSIONS]() as session:
        await settle(session=session, department=department.slug,
                     instance=app[SETTINGS].instance_name, now=clock(), sent=done.sent,
                     failed=done.failed)  # fmt: skip
        await session.commit()
    return done


def add_routes(app: web.Application) -> None:
    app.router.add_post("/api/requests/{request_id}/mail", answer_by_mail)
