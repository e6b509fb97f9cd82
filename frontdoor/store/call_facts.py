"""The facts a call's callbacks reported, read back from its events (core.call_settlement),
with its time in the queue (core.waiting) and its callback task: one statement."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, FromClause, Table, bindparam, literal_column, select
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.core import overflow
from frontdoor.core.call_settlement import SETTLED, Accepted, CallFacts, RingEnded
from frontdoor.core.numbers import is_withheld
from frontdoor.core.voice_actions import Outcome
from frontdoor.core.waiting import FROM_THE_QUEUE, QueueFacts
from frontdoor.store.models import CallbackTaskRow, Request, RequestEvent

# The events that carry a fact; the others are the caller's steps, kept on the request.
FACT_KINDS = ("accepted", "ring-ended", "voicemail", "ended")
# The events of a call's time in the queue.
QUEUE_KINDS = ("enqueued", "queue-left", "accepted", "ended")
# What settling a step reads of the call's events.
_SETTLING_KINDS = tuple(dict.fromkeys((*FACT_KINDS, *QUEUE_KINDS)))
# What a fact is read from: an event's kind, attempt, referent, leg, detail and time.
Fact = tuple[str, int | None, str | None, str | None, str | None, datetime]

_REQUESTS: Table = Request.__table__  # type: ignore[attr-defined]
_EVENTS: Table = RequestEvent.__table__  # type: ignore[attr-defined]
_TASKS: Table = CallbackTaskRow.__table__  # type: ignore[attr-defined]


def kind_in(kinds: Sequence[str], *, events: FromClause = _EVENTS) -> ColumnElement[bool]:
    """An event's kind is one of these constants of the code, written into the statement: it
    is compiled once and cached whole (a list of bound values is expanded at each execution).
    `events`: another name of the events' table in the same statement.
    """
    assert all(kind.replace("-", "").isalnum() for kind in kinds), "a kind is a plain word"
    return events.c.kind.in_([literal_column(f"'{kind}'") for kind in kinds])


_SETTLING_IN = kind_in(_SETTLING_KINDS)
# A call's task and its settling events, from its request: one statement.
_STATE = (
    select(
        _TASKS.c.id, _TASKS.c.status, _TASKS.c.calls_placed, _TASKS.c.escalated_at,
        _EVENTS.c.kind, _EVENTS.c.attempt, _EVENTS.c.referent_id, _EVENTS.c.leg_sid,
        _EVENTS.c.detail, _EVENTS.c.at,
    )
    .select_from(
        _REQUESTS.outerjoin(_TASKS, _TASKS.c.request_id == _REQUESTS.c.id).outerjoin(
            _EVENTS, (_EVENTS.c.request_id == _REQUESTS.c.id) & _SETTLING_IN
        )
    )
    .where(_REQUESTS.c.id == bindparam("request_id"))
)  # fmt: skip


@dataclass(kw_only=True, frozen=True)
class TaskState:
    """What settling needs of a call's callback task (the row itself is read to change it)."""

    id: int
    status: str
    calls_placed: int
    escalated_at: datetime | None


@dataclass(kw_only=True, frozen=True)
class CallState:
    """What settling a step of a call reads: its facts, its time in the queue, its task."""

    facts: CallFacts
    queue: QueueFacts
    task: TaskState | None


async def call_state(*, session: AsyncSession, request: Request) -> CallState:
    """Every fact received for this call so far, as a set (their order is not kept): those
    stored and those this session is about to write; what its time in the queue reported;
    and the call's callback task, if any.

    The events pending in the session are read from it rather than flushed first: the
    webhook's changes are written once, with its answer. A plain statement: no ORM object
    is made of what it reads.
    """
    assert request.id is not None
    connection = await session.connection()
    rows = (await connection.execute(_STATE, {"request_id": request.id})).all()
    first = rows[0] if rows else None
    task = None
    if first is not None and first[0] is not None:  # none: no task, outer join
        task = TaskState(id=first[0], status=first[1], calls_placed=first[2],
                         escalated_at=first[3])  # fmt: skip
    stored: list[Fact] = [tuple(row[4:]) for row in rows if row[4] is not None]
    events = [*stored, *_pending(session, request.id)]
    outcome = Outcome(request.outcome)
    facts = _facts(
        events,
        step_outcome=Outcome.IN_PROGRESS if outcome in SETTLED else outcome,
        withheld_number=is_withheld(request.caller_number),
    )
    queue = queue_facts_of(events, queue_time_s=request.queue_wait_s)
    return CallState(facts=facts, queue=queue, task=task)


def queue_facts_of(events: Sequence[Fact], *, queue_time_s: int | None) -> QueueFacts:
    """A call's time in the queue from its own events (of any kinds)."""
    left = [detail for kind, _, _, _, detail, _ in events if kind == "queue-left"]
    return QueueFacts(
        enqueued_at=min((at for kind, *_, at in events if kind == "enqueued"), default=None),
        left=left[0] if left else None,
        queue_time_s=queue_time_s,
        taken=any(kind == "accepted" and attempt == FROM_THE_QUEUE for kind, attempt, *_ in events),
        ended_at=min((at for kind, *_, at in events if kind == "ended"), default=None),
    )


def facts_of(
    events: Sequence[Fact], *, step_outcome: Outcome, withheld_number: bool = False
) -> CallFacts:
    """A call's facts from its events (those of the kinds that carry one count)."""
    return _facts(
        [fact for fact in events if fact[0] in FACT_KINDS],
        step_outcome=step_outcome,
        withheld_number=withheld_number,
    )


def fact_of(event: RequestEvent) -> Fact:
    return (event.kind, event.attempt, event.referent_id, event.leg_sid, event.detail, event.at)


def _pending(session: AsyncSession, request_id: int) -> Iterable[Fact]:
    for instance in session.new:
        if (
            isinstance(instance, RequestEvent)
            and instance.request_id == request_id
            and instance.kind in _SETTLING_KINDS
        ):
            yield fact_of(instance)


def _facts(facts: Sequence[Fact], *, step_outcome: Outcome, withheld_number: bool) -> CallFacts:
    return CallFacts(
        step_outcome=step_outcome,
        accepted=frozenset(
            Accepted(attempt=attempt or 0, referent_id=referent_id or "", leg_sid=leg_sid, at=at,
                     overflow=detail == overflow.TAKER)
            for kind, attempt, referent_id, leg_sid, detail, at in facts if kind == "accepted"
        ),
        rings=frozenset(
            RingEnded(attempt=attempt or 0, status=detail or "", leg_sid=leg_sid)
            for kind, attempt, _, leg_sid, detail, _ in facts if kind == "ring-ended"
        ),
        voicemail=any(kind == "voicemail" for kind, *_ in facts),
        ended_at=min((at for kind, *_, at in facts if kind == "ended"), default=None),
        withheld_number=withheld_number,
    )  # fmt: skip
