"""A referent's answer by secure mail, from the console or the API.

It leaves from the department's secure mailbox (its operator's SMTP, TLS with its client
certificate), threaded under the mails of the request (In-Reply-To, References, and the
request's reference in the subject), and is filed under the request. It is queued in the
outbox with the request's event, then sent now, or by the `mail-outbox` job when the server
cannot be reached.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.actions.actor import Actor, Refused
from frontdoor.actions.opening import open_with_department
from frontdoor.core.department import Department
from frontdoor.core.mail import reference
from frontdoor.core.reasons import Reason
from frontdoor.core.request_work import MAIL_REFUSALS_FR, mail_answer_refusal, mail_body
from frontdoor.kit.runtime import JobRuntime
from frontdoor.mailbox.job import department_mailer
from frontdoor.mailbox.outbox import Round, queue, send_claimed
from frontdoor.mailbox.tls import MailboxConfigError
from frontdoor.outbound.errors import OutboundError
from frontdoor.store.mail import Outgoing, mail_thread, settle
from frontdoor.store.models import Request
from frontdoor.store.requests import record_event


@dataclass(kw_only=True, frozen=True)
class MailAnswer:
    mail: Outgoing
    done: Round


async def answer_by_mail(
    *, session: AsyncSession, actor: Actor, request_id: int | None, text: str,
    runtime: JobRuntime, purpose: str = "answer_mail",
) -> MailAnswer:  # fmt: skip
    """Raises core.request_work.WorkError (before opening) for a body that cannot leave, and
    Refused (code: a core.request_work.MailRefusal) when the request cannot be answered so."""
    body = mail_body(text)
    owner, department = await open_with_department(
        session=session, actor=actor, request_id=request_id, runtime=runtime, purpose=purpose
    )
    now = runtime.clock()
    refusal = mail_answer_refusal(
        has_mailbox=department.mailbox is not None, contact_address=owner.contact_address
    )
    if refusal is not None:
        raise Refused(MAIL_REFUSALS_FR[refusal], code=refusal.value)
    subject = f"{reference(department.slug, owner.id or 0)} {department.name} : réponse"
    answer = await queue_to_contact(
        session, department=department, owner=owner, subject=subject, body=body,
        kind="answer", author=actor.referent_or_login, now=now,
        instance=runtime.settings.instance_name,
    )  # fmt: skip
    event = record_event(session, owner, kind="mail-answer", at=now, referent_id=actor.referent)
    event.reasons = [
        Reason(
            code="mail-answer",
            text=f"réponse par messagerie sécurisée de {actor.signs_as}",
        ).as_dict()
    ]
    if owner.answered_at is None:
        owner.answered_at = now
    session.add(owner)
    await session.commit()
    # Committed with the request's event: sent now, or by the mail-outbox job if it cannot be.
    done = await send_now(runtime, department, answer)
    return MailAnswer(mail=answer, done=done)


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
    thread = await mail_thread(session=session, request_id=owner.id or 0)
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


async def send_now(runtime: JobRuntime, department: Department, mail: Outgoing) -> Round:
    """Send a committed outbox mail now; left to the mail-outbox job if the server cannot be
    reached (its outcome settled in the outbox either way)."""
    clock = runtime.clock
    assert department.mailbox is not None
    try:
        mailer = department_mailer(department, department.mailbox, clock=clock)
        async with mailer.connection() as connection:
            done = await send_claimed(connection, [mail], clock=clock, department=department.slug)
    except (OutboundError, MailboxConfigError):
        done = await send_claimed(None, [mail], clock=clock, department=department.slug)
    async with runtime.sessions() as session:
        await settle(session=session, department=department.slug,
                     instance=runtime.settings.instance_name, now=clock(), sent=done.sent,
                     failed=done.failed)  # fmt: skip
        await session.commit()
    return done
