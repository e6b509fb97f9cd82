"""Jobs that keep callback tasks moving: every missed contact has a task; late ones escalate.

They recompute what is due from the store through core.callbacks, so running one twice, or
after a pause, does no harm.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from frontdoor.core.callbacks import escalations, mark_escalated
from frontdoor.core.department import Department
from frontdoor.core.notice_budget import Topic, Verdict
from frontdoor.core.notices import escalation_text
from frontdoor.core.reasons import Reason
from frontdoor.jobs.base import JobContext
from frontdoor.kit.referent_notices import budget_key, spent, worded
from frontdoor.outbound.errors import OutboundError, cause_of
from frontdoor.store.requests import record_event, request_by_id
from frontdoor.store.tasks import (
    as_task,
    copy_task,
    ensure_task,
    open_tasks,
    requests_without_task,
    task_by_id,
)

log = logging.getLogger(__name__)

# A call's status callback normally creates its task; past this, the sweep does.
STATUS_CALLBACK_GRACE = timedelta(minutes=10)


async def create_missing_tasks(ctx: JobContext) -> str:
    """Requests that need a callback but have no task yet get one."""
    runtime = ctx.runtime
    created = 0
    async with runtime.sessions() as session:
        for request in await requests_without_task(
            session=session, received_before=ctx.slot - STATUS_CALLBACK_GRACE
        ):
            department = runtime.departments.for_slug(request.department)
            if department is None:
                continue
            task = await ensure_task(session=session, request=request, department=department)
            event = record_event(session, request, kind="callback-task", at=ctx.slot)
            event.reasons = list(task.reasons)
            created += 1
        await session.commit()
    return f"{created} task(s) created"


@dataclass(kw_only=True, frozen=True)
class _Overdue:
    task_id: int
    department: Department
    reason: Reason


async def escalate_overdue(ctx: JobContext) -> str:
    """Tell the coordinator about each overdue callback, once. The store is not held while
    the mail and SMS leave: each escalation is recorded in its own short transaction once
    told."""
    told = failed = 0
    for overdue in await _overdue(ctx):
        department = overdue.department
        try:
            await _tell_coordinator(ctx, department, overdue.reason.text)
        except OutboundError as error:
            failed += 1
            log.error(
                "%s : l'alerte d'un rappel en retard n'est pas partie (%s) ; nouvel "
                "essai à la prochaine minute",
                department.slug,
                cause_of(error),
            )
            continue
        await _record_escalation(ctx, overdue)
        told += 1
    return f"{told} escalated, {failed} not delivered"


async def _overdue(ctx: JobContext) -> list[_Overdue]:
    """The open callbacks past their deadline that nobody was told about yet."""
    runtime = ctx.runtime
    found: list[_Overdue] = []
    async with runtime.sessions() as session:
        for row in await open_tasks(session=session):
            department = runtime.departments.for_slug(row.department)
            if department is None or row.id is None:
                continue
            task = as_task(row, department.calendar.timezone)
            found += [
                _Overdue(task_id=row.id, department=department, reason=reason)
                for _late, reason in escalations([task], ctx.slot)
            ]
    return found


async def _record_escalation(ctx: JobContext, overdue: _Overdue) -> None:
    """The task marked as escalated, with its event, as the task is now (a referent may have
    closed it while the alert left: it stays closed)."""
    async with ctx.runtime.sessions() as session:
        row = await task_by_id(session=session, task_id=overdue.task_id)
        if row is None:  # erased meanwhile
            return
        timezone = overdue.department.calendar.timezone
        copy_task(mark_escalated(as_task(row, timezone), ctx.slot), row)
        session.add(row)
        owner = await request_by_id(session=session, request_id=row.request_id)
        if owner is not None:
            event = record_event(session, owner, kind="callback-escalated", at=ctx.slot)
            event.reasons = [overdue.reason.as_dict()]
        await session.commit()


async def _tell_coordinator(ctx: JobContext, department: Department, text: str) -> None:
    """Each recipient of the department's escalation, by mail or SMS. Told once at least one
    was reached (telling again would repeat it to those who were); when none was, the first
    error is raised and the next run tries again."""
    policy = department.callbacks
    message = escalation_text(department.name, text)
    sends: list[Callable[[], Awaitable[object]]] = [
        partial(
            ctx.runtime.mailer.send,
            to=address,
            subject=f"{department.name} : rappel en retard",
            body=message,
        )
        for address in policy.escalate_to_addresses
    ]
    referent_ids = policy.escalate_to_referents
    if not referent_ids and not policy.escalate_to_addresses:
        referent_ids = tuple(department.roster.backup)
    twilio = ctx.runtime.twilio_api_for(department.slug)
    # Each referent's SMS within her budget of late-callback alerts: past it, held back for
    # one summary (kit.referent_notices, the `notice-summaries` job), and counted as told.
    keys = {r: budget_key(r, Topic.LATE_CALLBACKS) for r in referent_ids}
    choices = await spent(ctx.runtime, department.slug, list(keys.values()), at=ctx.slot)
    for referent_id in referent_ids:
        choice = choices.get(keys[referent_id])
        if choice is not None and choice.verdict is Verdict.HOLD:
            continue
        body = (
            message
            if choice is None
            else worded(department, choice, message, ctx.slot, Topic.LATE_CALLBACKS)
        )
        sends.append(
            partial(
                twilio.send_sms,
                to=department.referents[referent_id].phone,
                from_=department.number,
                body=body,
            )
        )
    errors: list[OutboundError] = []
    for send in sends:
        try:
            await send()
        except OutboundError as error:
            errors.append(error)
    if errors and len(errors) == len(sends):
        raise errors[0]
    for missed in errors:
        log.error(
            "%s : l'alerte d'un rappel en retard n'a pas atteint l'un de ses destinataires "
            "(%s) ; les autres l'ont reçue",
            department.slug,
            cause_of(missed),
        )
