"""Answering the person who asked: by SMS from the department's number, or by calling them
back (click-to-call), and closing the callback task with its outcome."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.actions.actor import Actor, NotFound, Refused
from frontdoor.actions.callbacks import CallbackRefused, close_callback, place_callback
from frontdoor.actions.opening import open_request, open_with_department
from frontdoor.actions.sms_answer import AnswerRefused, SmsAnswer, answer_by_sms
from frontdoor.core.callbacks import CallbackOutcome
from frontdoor.core.request_work import CALLBACK_REFUSALS_FR, CallbackRefusal
from frontdoor.kit.runtime import JobRuntime
from frontdoor.store.models import CallbackTaskRow, Request
from frontdoor.store.tasks import task_of_request


async def answer_sms(
    *, session: AsyncSession, actor: Actor, request_id: int | None, body: str,
    runtime: JobRuntime, purpose: str = "answer",
) -> SmsAnswer:  # fmt: skip
    """Raises AnswerRefused (its `reason` in French) when it cannot leave."""
    found, department = await open_with_department(
        session=session, actor=actor, request_id=request_id, runtime=runtime, purpose=purpose
    )
    try:
        return await answer_by_sms(
            session=session,
            twilio_api=runtime.twilio_api_for(department.slug),
            department=department,
            owner=found,
            referent=actor.referent_or_login,
            body=body,
            now=runtime.clock(),
            key=runtime.settings.pseudonym_secret,
        )
    except AnswerRefused:
        await session.commit()  # the failed message, if it was written
        raise


def refused(refusal: CallbackRefusal, detail: str = "") -> Refused:
    return Refused(CALLBACK_REFUSALS_FR[refusal], code=refusal.value, detail=detail)


async def call_back(
    *, session: AsyncSession, actor: Actor, request_id: int | None, runtime: JobRuntime,
    purpose: str = "call_back",
) -> tuple[Request, str]:  # fmt: skip
    """The referent's phone rings; they press 1 and the person is dialled from the DAC's
    number. The request and the call's SID; Refused (code: a core.request_work.CallbackRefusal)
    when it cannot leave."""
    at = runtime.clock()
    found = await open_request(
        session=session, actor=actor, request_id=request_id, at=at, purpose=purpose
    )
    department = runtime.departments.for_slug(found.department)
    referent = department.referents.get(actor.referent or "") if department else None
    task = await task_of_request(session=session, request_id=found.id or 0)
    if department is None or referent is None or task is None:
        raise refused(CallbackRefusal.NO_CALLBACK)
    try:
        call_sid = await place_callback(
            session=session, row=task, owner=found, department=department, referent=referent,
            twilio_api=runtime.twilio_api_for(department.slug),
            public_url=runtime.settings.public_url, now=at,
        )  # fmt: skip
    except CallbackRefused as error:
        raise refused(error.refusal, error.detail) from None
    await session.commit()
    return found, call_sid


async def close_callback_task(
    *, session: AsyncSession, actor: Actor, request_id: int | None,
    outcome: CallbackOutcome | None, runtime: JobRuntime, purpose: str = "callback_closed",
) -> tuple[Request, CallbackTaskRow]:  # fmt: skip
    """The request and its task, closed; NotFound when it has none."""
    at = runtime.clock()
    found = await open_request(
        session=session, actor=actor, request_id=request_id, at=at, purpose=purpose
    )
    if outcome is None:  # the select left on its empty choice: nothing is guessed
        raise refused(CallbackRefusal.NO_OUTCOME)
    task = await task_of_request(session=session, request_id=found.id or 0)
    if task is None:
        raise NotFound
    try:
        close_callback(
            session=session, row=task, owner=found, outcome=outcome,
            by=actor.referent_or_login, now=at,
        )  # fmt: skip
    except ValueError:
        raise refused(CallbackRefusal.CLOSED) from None
    await session.commit()
    return found, task
