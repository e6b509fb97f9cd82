"""Waiting instead of voicemail: who is on a call, who waits, who is offered to whom next, and
what a waiting caller hears.

A referent is on a call while a leg she accepted is in progress: she pressed 1 on it, and
neither the ring attempt that bridged it (its <Dial> action) nor the caller's call (its status
callback) has ended, whichever Twilio reports first (core.call_settlement). Callers wait in
their department's Twilio queue (<Enqueue>); when a referent on duty is free again, the
longest-waiting caller is offered to her with the same whisper and press-1, on a call placed
to her phone that then takes the caller out of the queue (<Dial><Queue>).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence, Set
from dataclasses import dataclass
from datetime import datetime, timedelta

from frontdoor.core.call_settlement import CallFacts
from frontdoor.core.department import Department, Ringing
from frontdoor.core.prompts import prompt
from frontdoor.core.reasons import Reason
from frontdoor.core.voice_actions import (
    Ask,
    CallUpdate,
    Hangup,
    Leave,
    Next,
    Reply,
    Say,
    TakeFromQueue,
)

# The `attempt` of the facts of a connection out of the queue: not one of the ring plan's.
FROM_THE_QUEUE = -1
# Twilio ends a bridged call after four hours (<Dial>'s default `timeLimit`, which Frontdoor
# keeps): an accepted leg older than that, whose end was never reported, is no call going on.
LONGEST_CALL = timedelta(hours=4)
# How long the hold message waits for a key before Twilio asks for it again.
HOLD_KEY_WAIT_S = 10
MESSAGE_KEY = "0"


def on_a_call(facts: CallFacts, *, now: datetime) -> frozenset[str]:
    """The referents on this call right now: they accepted a leg that has not ended."""
    if facts.ended:
        return frozenset()

    def over(attempt: int, leg_sid: str | None) -> bool:
        for ring in facts.rings:
            if ring.attempt != attempt:
                continue
            # A ring attempt's <Dial> ends all its legs; each connection out of the queue is
            # its own leg.
            if attempt != FROM_THE_QUEUE or leg_sid is None or ring.leg_sid in (None, leg_sid):
                return True
        return False

    return frozenset(
        accepted.referent_id
        for accepted in facts.accepted
        if not accepted.overflow  # the overflow line is no referent of the department
        and not over(accepted.attempt, accepted.leg_sid)
        and now - accepted.at < LONGEST_CALL
    )


def busy_referents(calls: Iterable[CallFacts], *, now: datetime) -> frozenset[str]:
    """Everyone on one of these calls."""
    busy: set[str] = set()
    for facts in calls:
        busy |= on_a_call(facts, now=now)
    return frozenset(busy)


@dataclass(kw_only=True, frozen=True)
class OfferCall:
    """A call placed to a referent to offer her a waiting caller, and whether Twilio said it
    is over (its status callback)."""

    request_id: int
    referent_id: str
    leg_sid: str
    at: datetime
    over: bool


def offer_window(ringing: Ringing) -> timedelta:
    """How long an offer call can last before the caller is put through: her phone rings,
    she hears the whisper and has time to press 1, then her <Dial><Queue> waits for a caller
    (a minute more for what is said). Once put through, she is on the caller's call
    (`on_a_call`); an offer whose end Twilio never reported is over after this."""
    return timedelta(seconds=2 * ringing.timeout_s + ringing.accept_timeout_s + 60)


def offer_pending(call: OfferCall, *, now: datetime, window: timedelta) -> bool:
    return not call.over and now - call.at < window


def ringing_with_offers(
    calls: Iterable[OfferCall], *, now: datetime, window: timedelta
) -> frozenset[str]:
    """Referents whose offer call may still ring them, or be taking a caller out of the queue."""
    return frozenset(
        call.referent_id for call in calls if offer_pending(call, now=now, window=window)
    )


@dataclass(kw_only=True, frozen=True)
class QueueFacts:
    """What a caller's time in the queue reported, in whatever order it came."""

    enqueued_at: datetime | None = None  # the TwiML that put them in the queue was answered
    left: str | None = None  # the <Enqueue> action's QueueResult
    queue_time_s: int | None = None  # its QueueTime, or the last wait URL's
    taken: bool = False  # a referent took the caller out of the queue (<Queue url>)
    ended_at: datetime | None = None  # the caller's call is over


@dataclass(kw_only=True, frozen=True)
class QueueRecord:
    waited_s: int | None  # None: the caller never waited
    abandoned: bool  # hung up while waiting


def is_waiting(facts: QueueFacts) -> bool:
    return (
        facts.enqueued_at is not None
        and facts.left is None
        and not facts.taken
        and facts.ended_at is None
    )


def queue_record(facts: QueueFacts) -> QueueRecord:
    """How long the caller waited, and whether they gave up while waiting."""
    if facts.enqueued_at is None:
        return QueueRecord(waited_s=None, abandoned=False)
    waited = facts.queue_time_s
    if waited is None and facts.ended_at is not None:
        waited = max(0, int((facts.ended_at - facts.enqueued_at).total_seconds()))
    hung_up = facts.left == "hangup" or (
        facts.left is None and not facts.taken and facts.ended_at is not None
    )
    return QueueRecord(waited_s=waited, abandoned=hung_up)


@dataclass(kw_only=True, frozen=True)
class Waiter:
    """A caller waiting in the queue."""

    request_id: int
    enqueued_at: datetime
    offered_to: Set[str] = frozenset()  # referents already offered this caller
    offer_pending: bool = False  # a referent's phone is being rung for them


@dataclass(kw_only=True, frozen=True)
class Offer:
    request_id: int
    referent_id: str
    reason: Reason


def offers(
    waiters: Sequence[Waiter], *, on_duty: Sequence[str], busy: Set[str]
) -> tuple[Offer, ...]:
    """Which free referent on duty is offered which waiting caller: the longest-waiting first,
    each to the first referent on duty (in the rota's order) who is free and has not been
    offered that caller yet. `busy` includes referents whose phone is ringing with an offer."""
    free = [referent for referent in on_duty if referent not in busy]
    chosen: list[Offer] = []
    for waiter in sorted(waiters, key=lambda w: (w.enqueued_at, w.request_id)):
        if waiter.offer_pending:
            continue
        referent = next((r for r in free if r not in waiter.offered_to), None)
        if referent is None:
            continue
        free.remove(referent)
        chosen.append(
            Offer(
                request_id=waiter.request_id,
                referent_id=referent,
                reason=Reason(
                    code="queue-offered",
                    text=f"en attente depuis le plus longtemps : proposé à {referent}, "
                    "de nouveau libre",
                ),
            )
        )
    return tuple(chosen)


def hold(department: Department, *, position: int, waited_s: int, max_wait_s: int) -> Reply:
    """What a waiting caller hears each time Twilio asks the wait URL: their place, and the
    key to leave a message; after the longest wait, out of the queue to leave a message."""
    if waited_s >= max_wait_s:
        return Reply(
            actions=(Leave(),),
            reasons=(
                Reason(
                    code="queue-max-wait",
                    text=f"attente maximale atteinte ({max_wait_s} s) : message proposé",
                ),
            ),
        )
    if position <= 1:
        place = prompt(department, "queue_first")
    elif position == 2:
        place = prompt(department, "queue_second")
    else:
        place = prompt(department, "queue_position", ahead=str(position - 1))
    return Reply(
        actions=(
            Ask(
                prompt=f"{place} {prompt(department, 'queue_message_key')}",
                then=Next(step="queue-key"),
                timeout_s=HOLD_KEY_WAIT_S,
            ),
        )
    )


def hold_key(department: Department, *, digits: str | None) -> Reply:
    """A key pressed while waiting: 0 leaves the queue to leave a message."""
    if digits == MESSAGE_KEY:
        return Reply(
            actions=(Leave(),),
            reasons=(
                Reason(code="queue-message-key", text="l'appelant a choisi de laisser un message"),
            ),
        )
    return Reply(actions=(Say(text=prompt(department, "not_understood")),))


def left_queue(department: Department, *, result: str, message: Reply) -> Reply:
    """The caller is out of the queue (the <Enqueue> action's QueueResult): over after a
    conversation or a hang-up; else a message (`message`, core.call_flow's offer)."""
    if result == "bridged":
        return Reply(actions=(Hangup(),))
    if result == "hangup":
        return Reply(
            actions=(),
            reasons=(
                Reason(code="queue-abandoned", text="l'appelant a raccroché pendant l'attente"),
            ),
        )
    return Reply(
        actions=message.actions,
        update=CallUpdate(callback_needed=True),
        reasons=(
            Reason(code="queue-left", text=f"sorti de l'attente ({result}) : message proposé"),
            *message.reasons,
        ),
    )


def offer_accepted(department: Department, *, digits: str | None, referent_id: str) -> Reply:
    """A referent free again answered the offer of the longest-waiting caller: 1 takes them
    out of the queue, anything else declines."""
    if digits != "1":
        return Reply(actions=(Hangup(),))
    params = (("referent", referent_id),)
    return Reply(
        actions=(
            Say(text=prompt(department, "whisper_taken")),
            TakeFromQueue(
                queue=department.slug,
                joining=Next(step="queue-joining", params=params),
                then=Next(step="queue-dialed", params=params),
                timeout_s=department.ringing.timeout_s,
            ),
        )
    )


def queue_joining(department: Department) -> Reply:
    """What the caller hears as a referent takes them out of the queue."""
    return Reply(actions=(Say(text=prompt(department, "queue_joining")),))
