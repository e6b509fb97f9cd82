"""After each step of a call: the request's final fields and its callback task, settled from
the set of facts received (core.call_settlement), so that any order of Twilio's callbacks
leaves the same request."""

from __future__ import annotations

from frontdoor.core.call_settlement import settle
from frontdoor.core.callbacks import CallbackOutcome
from frontdoor.core.department import Department
from frontdoor.core.reasons import Reason
from frontdoor.core.voice_actions import Reply
from frontdoor.core.waiting import queue_record
from frontdoor.kit.twilio_webhook import Webhook
from frontdoor.store.call_facts import call_state
from frontdoor.store.models import Request
from frontdoor.store.requests import record_event
from frontdoor.store.tasks import ensure_task

NOT_NEEDED = Reason(code="callback-not-needed", text="l'appel a été pris : rappel sans objet")


async def settle_call(hook: Webhook, request: Request, department: Department) -> None:
    """Apply the settlement of the call's facts; open its callback task once the call is
    over and nobody took it, close an untouched one opened too early if somebody did."""
    # This step's own events count among the facts.
    state = await call_state(session=hook.session, request=request)
    settled, task = settle(state.facts), state.task
    request.outcome = settled.outcome.value
    # Not only set: a 1 pressed before the caller hung up may be reported after it.
    request.taken_by, request.answered_at = settled.taken_by, settled.answered_at
    if settled.callback_needed is not None:
        request.callback_needed = settled.callback_needed
    waited = queue_record(state.queue)
    if waited.waited_s is not None:
        request.queue_wait_s, request.queue_abandoned = waited.waited_s, waited.abandoned
    hook.session.add(request)
    if settled.task_owed and task is None:
        task = await ensure_task(session=hook.session, request=request, department=department)
        event = record_event(hook.session, request, kind="callback-task", at=hook.now)
        event.reasons = list(task.reasons)
    elif task is not None and not request.callback_needed and task.status == "open":
        if task.calls_placed == 0 and task.escalated_at is None:
            # Opened by a callback that came before the one saying the call was taken.
            await hook.session.delete(task)
        else:
            task.status, task.outcome = "done", CallbackOutcome.NOT_NEEDED.value
            task.closed_at, task.closed_by = hook.now, "frontdoor"
            hook.session.add(task)
        record_event(hook.session, request, kind="callback-task-withdrawn", at=hook.now,
                     reply=Reply(actions=(), reasons=(NOT_NEEDED,)))  # fmt: skip
