"""After each step of a call: the request's final fields and its callback task, settled from
the set of facts received (core.call_settlement), so that any order of Twilio's callbacks
leaves the same request."""

from __future__ import annotations

from typing import Any

from frontdoor.core.call_settlement import settle
from frontdoor.core.callbacks import CallbackOutcome
from frontdoor.core.department import Department
from frontdoor.core.reasons import Reason
from frontdoor.core.voice_actions import Reply
from frontdoor.core.waiting import queue_record
from frontdoor.kit.twilio_webhook import Webhook
from frontdoor.store.call_facts import call_state
from frontdoor.store.models import CallbackTaskRow, Request
from frontdoor.store.requests import RequestChanges, event_row, insert_events, record_event
from frontdoor.store.tasks import insert_task

NOT_NEEDED = Reason(code="callback-not-needed", text="l'appel a été pris : rappel sans objet")


async def settle_call(
    hook: Webhook,
    request: Request,
    department: Department,
    *,
    changes: RequestChanges | None = None,
) -> None:
    """Apply the settlement of the call's facts; open its callback task once the call is
    over and nobody took it, close an untouched one opened too early if somebody did.

    With `changes`, the request's settled columns join the step's changes (written by one
    UPDATE); without, they are set on the row for the session's flush."""
    # This step's own events count among the facts.
    state = await call_state(session=hook.session, request=request)
    settled, task = settle(state.facts), state.task
    # Not only set: a 1 pressed before the caller hung up may be reported after it.
    columns: dict[str, Any] = {"outcome": settled.outcome.value, "taken_by": settled.taken_by,
                               "answered_at": settled.answered_at}  # fmt: skip
    if settled.callback_needed is not None:
        columns["callback_needed"] = settled.callback_needed
    waited = queue_record(state.queue)
    if waited.waited_s is not None:
        columns.update(queue_wait_s=waited.waited_s, queue_abandoned=waited.abandoned)
    if changes is not None:
        changes.set(columns)
    else:
        for name, value in columns.items():
            setattr(request, name, value)
        hook.session.add(request)
    if settled.task_owed and task is None:
        # None was read with the facts, in this transaction: no need to look again.
        opened = await insert_task(session=hook.session, request=request, department=department)
        event = event_row(request, kind="callback-task", at=hook.now)
        reasons = [reason.as_dict() for reason in opened.reasons]
        await insert_events(hook.session, [{**event, "reasons": reasons}])
    elif task is not None and not request.callback_needed and task.status == "open":
        row = await hook.session.get(CallbackTaskRow, task.id)
        if row is None:
            return  # deleted since it was read, by another step of the call
        if task.calls_placed == 0 and task.escalated_at is None:
            # Opened by a callback that came before the one saying the call was taken.
            await hook.session.delete(row)
        else:
            row.status, row.outcome = "done", CallbackOutcome.NOT_NEEDED.value
            row.closed_at, row.closed_by = hook.now, "frontdoor"
            hook.session.add(row)
        record_event(hook.session, request, kind="callback-task-withdrawn", at=hook.now,
                     reply=Reply(actions=(), reasons=(NOT_NEEDED,)))  # fmt: skip
