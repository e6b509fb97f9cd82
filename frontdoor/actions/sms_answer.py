"""A referent's answer by SMS, sent for frontdoor.actions.answering (the console, the API).

Written first, sent second: a message that left is never missing from the log (it stays
"sending" if the process dies in between).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.core.department import Department
from frontdoor.core.failures import describe_failure
from frontdoor.core.reasons import Reason
from frontdoor.core.request_work import (
    SMS_REFUSALS_FR,
    SmsRefusal,
    is_too_long,
    sms_answer_refusal,
)
from frontdoor.core.sms import SegmentCount, segments
from frontdoor.core.voice_actions import Outcome
from frontdoor.outbound.errors import OutboundError
from frontdoor.outbound.twilio_api import TwilioApi
from frontdoor.store.models import Message, Request
from frontdoor.store.requests import record_event
from frontdoor.store.sms import is_opted_out


class AnswerRefused(Exception):
    """Why the answer did not leave (core.request_work.SmsRefusal); `reason` in French."""

    def __init__(self, refusal: SmsRefusal, detail: str = "") -> None:
        super().__init__(refusal.value)
        self.refusal = refusal
        self.detail = detail
        self.reason = SMS_REFUSALS_FR[refusal]


@dataclass(kw_only=True, frozen=True)
class SmsAnswer:
    message: Message
    sid: str
    count: SegmentCount


def counted(body: str) -> SegmentCount:
    """The body's SMS count; AnswerRefused(TOO_LONG) beyond what an answer may take."""
    count = segments(body)
    if is_too_long(count.count):
        raise AnswerRefused(SmsRefusal.TOO_LONG)
    return count


async def answer_by_sms(
    *,
    session: AsyncSession,
    twilio_api: TwilioApi,
    department: Department,
    owner: Request,
    referent: str,
    body: str,
    now: datetime,
    key: bytes,
) -> SmsAnswer:
    count = segments(body)
    number = owner.caller_number
    refusal = sms_answer_refusal(segment_count=count.count, number=number)
    if refusal is not None:
        raise AnswerRefused(refusal)
    assert number is not None  # not withheld
    if await is_opted_out(session=session, department=department.slug, number=number, key=key):
        raise AnswerRefused(SmsRefusal.OPTED_OUT)
    message = Message(
        request_id=owner.id or 0,
        department=department.slug,
        channel="sms",
        direction="out",
        at=now,
        body=body,
        author=referent,
        kind="answer",
        segments=count.count,
        status="sending",
    )
    session.add(message)
    await session.commit()
    try:
        sid = await twilio_api.send_sms(to=number, from_=department.number, body=body)
    except OutboundError as error:
        message.status = "failed"
        session.add(message)
        await session.commit()
        raise AnswerRefused(SmsRefusal.PROVIDER, describe_failure(error)) from None
    message.provider_id, message.status = sid, "queued"
    if owner.answered_at is None:
        owner.answered_at = now
    if owner.outcome == Outcome.IN_PROGRESS.value:
        owner.outcome, owner.taken_by = Outcome.TAKEN.value, referent
    session.add_all([message, owner])
    event = record_event(
        session, owner, kind="sms-answer", at=now, referent_id=referent, leg_sid=sid
    )
    event.reasons = [
        Reason(
            code="sms-answer",
            text=f"réponse par SMS de {referent} depuis le numéro du DAC "
            f"({count.count} SMS, {count.encoding})",
        ).as_dict()
    ]
    await session.commit()
    return SmsAnswer(message=message, sid=sid, count=count)
