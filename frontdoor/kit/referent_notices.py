"""Telling the referents that a request waits for them: one SMS each from the department's
number, never with its content, then an event saying who was told (and who could not be).

Sent only once what it announces is committed, and after the provider has its answer where
that matters; a failure to tell is logged without personal data and loses nothing.

Every notice to a referent (a new SMS, a new mail, a voicemail) is spent from that referent's
budget (core.notice_budget, kept in the store: one budget whichever instance sends): past it,
the notice is held back and counted, and one summary goes when the window has room again —
with the next notice, or from the `notice-summaries` job (`send_summaries`). What was held is
in the request's event; the contact itself is stored and shown in the console as any other.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from frontdoor.core.department import Department
from frontdoor.core.notice_budget import Choice, Topic, Verdict, summary_text
from frontdoor.core.notices import referent_names
from frontdoor.core.reasons import Reason
from frontdoor.kit.runtime import JOB_RUNTIME, JobRuntime
from frontdoor.outbound.errors import OutboundError, cause_of
from frontdoor.store.models import RequestEvent
from frontdoor.store.notice_budgets import held_back, spend, take_summary

log = logging.getLogger(__name__)

# The budget's recipient when a department's mail notices go to one address (mailbox.notify =
# "mail"): that address's inbox has a budget as a referent's phone has.
NOTIFY_ADDRESS = "notify-address"
# A referent's budget of late-callback alerts: this prefix, then her id (core.notice_budget.Topic).
_LATE_CALLBACKS = "late-callbacks:"


def budget_key(referent_id: str, topic: Topic = Topic.CONTACTS) -> str:
    """The recipient a referent's budget of this topic is kept under."""
    return _LATE_CALLBACKS + referent_id if topic is Topic.LATE_CALLBACKS else referent_id


def budget_owner(recipient: str) -> tuple[Topic, str]:
    """The topic and the referent id (or NOTIFY_ADDRESS) of a budget's recipient."""
    if recipient.startswith(_LATE_CALLBACKS):
        return Topic.LATE_CALLBACKS, recipient.removeprefix(_LATE_CALLBACKS)
    return Topic.CONTACTS, recipient


@dataclass(kw_only=True, frozen=True)
class Notice:
    """Referents to tell, once it is committed, that a request has something new."""

    department: Department
    request_id: int
    referent_ids: tuple[str, ...]
    text: str
    at: datetime  # when what it announces came in
    kind: str = "sms-notified"  # the event that records who was told


async def tell_referents(app: web.Application, notice: Notice) -> None:
    """Tell each referent by SMS from the department's number, within their budget; record
    who was told and who will hear of it in a summary."""
    await tell(app[JOB_RUNTIME], notice)


async def tell(runtime: JobRuntime, notice: Notice) -> None:
    department = notice.department
    referents = [r for r in notice.referent_ids if r in department.referents]
    choices = await spent(runtime, department.slug, referents, at=notice.at)
    told: list[str] = []
    held: list[str] = []
    for referent_id in referents:
        choice = choices.get(referent_id)
        if choice is not None and choice.verdict is Verdict.HOLD:
            held.append(referent_id)
            continue
        text = notice.text if choice is None else worded(department, choice, notice.text, notice.at)
        try:
            await runtime.twilio_api_for(department.slug).send_sms(
                to=department.referents[referent_id].phone, from_=department.number, body=text
            )
        except OutboundError as error:
            log.warning(
                "demande %s : le SMS qui prévient le référent %s n'est pas parti (%s)",
                notice.request_id,
                referent_id,
                cause_of(error),
            )
            continue
        told.append(referent_id)
    await _record_notice(runtime, notice, told, held)


async def spent(
    runtime: JobRuntime, department: str, recipients: Sequence[str], *, at: datetime
) -> dict[str, Choice]:
    """Each recipient's choice for one more notice, committed before anything is sent. The
    store unreachable, nothing is known: the notices go as they are (a referent had better
    hear of a contact than not), and the log says so."""
    try:
        async with runtime.sessions() as session:
            # Always in the same order: two instances never wait on each other's rows.
            choices = {
                recipient: await spend(
                    session=session, department=department, recipient=recipient, at=at
                )  # fmt: skip
                for recipient in sorted(set(recipients))
            }
            await session.commit()
    except SQLAlchemyError as error:
        log.warning("%s: notice budget not read (%s): notices sent as they are", department,
                    type(error).__name__)  # fmt: skip
        return {}
    return choices


def worded(
    department: Department, choice: Choice, text: str, at: datetime,
    topic: Topic = Topic.CONTACTS,
) -> str:  # fmt: skip
    """The notice's own text, or the summary it stands in for."""
    if choice.verdict is not Verdict.SUMMARY:
        return text
    return summary_text(department.name, count=choice.count, since=choice.since or at, at=at,
                        timezone=department.calendar.timezone, topic=topic)  # fmt: skip


Send = Callable[[Department, str, str], Awaitable[None]]


async def send_summaries(
    runtime: JobRuntime, *, at: datetime, send: Send, wanted: Callable[[str, str], bool]
) -> int:
    """The summaries due at ``at`` to every recipient with notices held back that
    ``wanted(department, recipient)`` accepts, each spent from its budget and committed
    before it is sent (`send(department, recipient, text)`; a failure is logged: the summary
    is not sent twice). Returns how many went."""
    async with runtime.sessions() as session:
        waiting = [key for key in await held_back(session=session) if wanted(*key)]
    sent = 0
    for slug, recipient in waiting:
        department = runtime.departments.for_slug(slug)
        if department is None:
            continue
        async with runtime.sessions() as session:
            choice = await take_summary(session=session, department=slug, recipient=recipient,
                                        at=at)  # fmt: skip
            await session.commit()
        if choice is None:
            continue
        try:
            topic, _ = budget_owner(recipient)
            await send(department, recipient, worded(department, choice, "", at, topic))
        except OutboundError as error:
            log.warning("%s : le résumé des notifications retenues n'a pas atteint un "
                        "destinataire (%s)", slug, cause_of(error))  # fmt: skip
            continue
        sent += 1
    return sent


async def _record_notice(
    runtime: JobRuntime, notice: Notice, told: list[str], held: list[str]
) -> None:
    department = notice.department
    missed = [r for r in notice.referent_ids if r not in told and r not in held]
    text = f"prévenus par SMS : {', '.join(referent_names(department, told)) or 'personne'}"
    if held:
        text += (
            " ; trop de notifications cette heure-ci, dans un résumé à venir pour : "
            + ", ".join(referent_names(department, held))
        )
    if missed:
        text += f" ; échec pour : {', '.join(referent_names(department, missed))}"
    reason = Reason(code=notice.kind, text=text)
    try:
        async with runtime.sessions() as session:
            session.add(
                RequestEvent(
                    request_id=notice.request_id,
                    department=department.slug,
                    at=notice.at,
                    kind=notice.kind,
                    detail=", ".join(told)[:200] or None,
                    reasons=[reason.as_dict()],
                )
            )
            await session.commit()
    except SQLAlchemyError:
        log.exception("request %s: the notice of its %s was not recorded", notice.request_id,
                      notice.kind)  # fmt: skip
