"""Working a callback task, whoever asks (the JSON API, the console): call the person back
from the department's number, or close the task with its outcome. Each is a request event
with its reason.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.core.callbacks import OUTCOME_LABELS_FR, CallbackOutcome, close_task
from frontdoor.core.department import Department
from frontdoor.core.failures import describe_failure
from frontdoor.core.reasons import Reason
from frontdoor.core.request_work import CallbackRefusal, callback_refusal
from frontdoor.core.roster import Referent
from frontdoor.core.voice_actions import Next
from frontdoor.outbound.twilio_api import OutboundError, TwilioApi
from frontdoor.store.models import CallbackTaskRow, Request
from frontdoor.store.requests import record_event
from frontdoor.store.tasks import as_task, copy_task
from frontdoor.voice.twiml import url_of


class CallbackRefused(Exception):
    """Why the call did not leave (core.request_work.CallbackRefusal)."""

    def __init__(self, refusal: CallbackRefusal, detail: str = "") -> None:
        super().__init__(refusal.value)
        self.refusal = refusal
        self.detail = detail


def close_callback(
    *,
    session: AsyncSession,
    row: CallbackTaskRow,
    owner: Request,
    outcome: CallbackOutcome,
    by: str,
    now: datetime,
) -> None:
    """Raises ValueError (core.callbacks) when the task cannot be closed."""
    copy_task(close_task(as_task(row), outcome=outcome, at=now, by=by), row)
    session.add(row)
    event = record_event(
        session, owner, kind="callback-closed", at=now, referent_id=by, detail=outcome.value
    )
    event.reasons = [
        Reason(
            code="callback-closed",
            text=f"rappel clos par {by} : {OUTCOME_LABELS_FR[outcome]}",
        ).as_dict()
    ]


async def place_callback(
    *,
    session: AsyncSession,
    row: CallbackTaskRow,
    owner: Request,
    department: Department,
    referent: Referent,
    twilio_api: TwilioApi,
    public_url: str,
    now: datetime,
) -> str:
    """Ring the referent's phone; when they press 1, Frontdoor dials the person with the
    department's number shown. Returns the call's SID. Commits the session before it asks
    Twilio, and leaves the call's record to the caller's commit."""
    refusal = callback_refusal(task_status=row.status, number=owner.caller_number)
    if refusal is not None:
        raise CallbackRefused(refusal)
    bridge = url_of(Next(step="callback", params=(("task", str(row.id)),)))
    # The reads end here (their journal entry is already committed): no transaction stays
    # open while Twilio answers.
    await session.commit()
    try:
        call_sid = await twilio_api.place_call(
            to=referent.phone, from_=department.number, url=public_url + bridge
        )
    except OutboundError as error:
        raise CallbackRefused(CallbackRefusal.PROVIDER, describe_failure(error)) from None
    row.calls_placed += 1
    session.add(row)
    event = record_event(
        session, owner, kind="callback-call", at=now, referent_id=referent.id, leg_sid=call_sid
    )
    event.reasons = [
        Reason(
            code="callback-call", text=f"rappel lancé par {referent.id} depuis le numéro du DAC"
        ).as_dict()
    ]
    return call_sid
