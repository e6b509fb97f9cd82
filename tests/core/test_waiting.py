"""Waiting instead of voicemail (core.waiting): who is on a call whatever the order of Twilio's
callbacks, who is rung, who waits, who is offered to whom, what a waiting caller hears."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from frontdoor.core.call_flow import queue_left, ring, ring_ended
from frontdoor.core.call_settlement import Accepted, CallFacts, RingEnded
from frontdoor.core.department import Department, RingStrategy
from frontdoor.core.voice_actions import (
    Ask,
    Enqueue,
    Hangup,
    Leave,
    Next,
    Outcome,
    RecordMessage,
    Ring,
    Say,
    TakeFromQueue,
)
from frontdoor.core.waiting import (
    FROM_THE_QUEUE,
    LONGEST_CALL,
    OfferCall,
    QueueFacts,
    QueueRecord,
    Waiter,
    busy_referents,
    hold,
    hold_key,
    is_waiting,
    offer_accepted,
    offer_window,
    offers,
    on_a_call,
    queue_record,
    ringing_with_offers,
)
from tests.core import call_flows_made
from tests.core.call_flows_made import TUESDAY_10H

PROMPTS = call_flows_made.QUEUE_PROMPTS


def department(strategy: RingStrategy = RingStrategy.SEQUENTIAL) -> Department:
    """amartin and bleroy on duty, coordination as backup; at most 120 s in the queue."""
    made = call_flows_made.department(strategy=strategy)
    return replace(made, prompts=PROMPTS, ringing=replace(made.ringing, max_wait_s=120))


LOT = department()
T0 = TUESDAY_10H


def at(seconds: int) -> datetime:
    return T0 + timedelta(seconds=seconds)


# One call taken by amartin at ring attempt 0: each fact Twilio may report, by name.
ACCEPTED = Accepted(attempt=0, referent_id="amartin", leg_sid="CAleg", at=at(20))
BRIDGE_OVER = RingEnded(attempt=0, status="completed", leg_sid="CAleg")
CALL_OVER = at(300)


@pytest.mark.parametrize(
    ("facts", "busy"),
    [
        pytest.param(CallFacts(step_outcome=Outcome.IN_PROGRESS), set(), id="nobody-accepted-yet"),
        pytest.param(CallFacts(step_outcome=Outcome.IN_PROGRESS, accepted={ACCEPTED}),
                     {"amartin"}, id="pressed-1-talking"),
        pytest.param(CallFacts(step_outcome=Outcome.IN_PROGRESS, accepted={ACCEPTED},
                               rings={BRIDGE_OVER}), set(), id="her-dial-ended-first"),
        pytest.param(CallFacts(step_outcome=Outcome.IN_PROGRESS, accepted={ACCEPTED},
                               ended_at=CALL_OVER), set(), id="caller-call-ended-first"),
        pytest.param(CallFacts(step_outcome=Outcome.IN_PROGRESS, accepted={ACCEPTED},
                               rings={RingEnded(attempt=1, status="completed", leg_sid="CAx")}),
                     {"amartin"}, id="another-attempt-ended"),
        pytest.param(CallFacts(step_outcome=Outcome.IN_PROGRESS, accepted={
            Accepted(attempt=FROM_THE_QUEUE, referent_id="bleroy", leg_sid="CAoffer", at=at(20))},
            rings={RingEnded(attempt=FROM_THE_QUEUE, status="completed", leg_sid="CAother")}),
                     {"bleroy"}, id="from-the-queue-another-leg-ended"),
    ],
)  # fmt: skip
def test_a_referent_is_on_a_call_while_the_leg_she_accepted_goes_on(
    facts: CallFacts, busy: set[str]
) -> None:
    assert on_a_call(facts, now=at(60)) == busy


def test_every_order_of_a_calls_callbacks_frees_her_once_the_call_is_over() -> None:
    reported = {
        "accepted": lambda f: replace(f, accepted={ACCEPTED}),
        "dial": lambda f: replace(f, rings={BRIDGE_OVER}),
        "status": lambda f: replace(f, ended_at=CALL_OVER),
    }
    for order in itertools.permutations(reported):
        facts = CallFacts(step_outcome=Outcome.IN_PROGRESS)
        for name in order:
            facts = reported[name](facts)
        assert on_a_call(facts, now=at(301)) == frozenset(), order


def test_an_accepted_leg_whose_end_never_came_is_no_call_after_four_hours() -> None:
    facts = CallFacts(step_outcome=Outcome.IN_PROGRESS, accepted={ACCEPTED})
    assert busy_referents([facts], now=ACCEPTED.at + LONGEST_CALL - timedelta(seconds=1)) == {
        "amartin"
    }
    assert busy_referents([facts], now=ACCEPTED.at + LONGEST_CALL) == frozenset()


def test_a_referent_rung_with_an_offer_is_busy_until_its_call_is_over() -> None:
    calls = [
        OfferCall(request_id=1, referent_id="amartin", leg_sid="CA1", at=at(0), over=False),
        OfferCall(request_id=2, referent_id="bleroy", leg_sid="CA2", at=at(0), over=True),
    ]
    window = offer_window(LOT.ringing)
    assert window == timedelta(seconds=2 * 20 + 6 + 60)
    assert ringing_with_offers(calls, now=at(10), window=window) == {"amartin"}
    # Its end never reported: over once it can no longer be ringing or taking a caller.
    assert ringing_with_offers(calls, now=at(0) + window, window=window) == frozenset()


def rung(reply: object) -> list[tuple[str, ...]]:
    actions = getattr(reply, "actions", ())
    return [tuple(r.id for r in a.referents) for a in actions if isinstance(a, Ring)]


ENQUEUED = Enqueue(queue="dac99", wait=Next(step="queue-wait"), then=Next(step="queue-left"))


@pytest.mark.parametrize(
    ("strategy", "busy", "attempt", "expected"),
    [
        pytest.param(RingStrategy.SEQUENTIAL, set(), 0, [("amartin",)], id="seq-nobody-busy"),
        pytest.param(RingStrategy.SEQUENTIAL, {"amartin"}, 0, [("bleroy",)],
                     id="seq-first-busy-skipped"),
        pytest.param(RingStrategy.SEQUENTIAL, {"amartin", "bleroy"}, 0, [("coordination",)],
                     id="seq-duty-busy-backup-rung"),
        pytest.param(RingStrategy.SIMULTANEOUS, {"amartin"}, 0, [("bleroy",)],
                     id="simultaneous-busy-left-out"),
        pytest.param(RingStrategy.SIMULTANEOUS, {"amartin", "bleroy"}, 0, [("coordination",)],
                     id="simultaneous-all-duty-busy"),
    ],
)  # fmt: skip
def test_the_hunt_does_not_ring_referents_on_a_call(
    strategy: RingStrategy, busy: set[str], attempt: int, expected: list[tuple[str, ...]]
) -> None:
    assert rung(ring(department(strategy), at=T0, attempt=attempt, busy=busy)) == expected


def test_when_everyone_free_was_tried_backup_too_and_someone_is_on_a_call_the_caller_waits() -> (
    None
):
    reply = ring_ended(LOT, at=T0, attempt=2, dial_status="no-answer", accepted_by=None,
                       busy={"amartin"})  # fmt: skip
    tried = replace(ENQUEUED, tried=("bleroy", "coordination"))  # not offered them again
    assert reply.actions == (Say(text="Tous en ligne, patientez."), tried)
    assert "queue-waiting" in [r.code for r in reply.reasons]
    assert reply.update.callback_needed is None  # settled later, as for a ring


def test_when_everyone_is_on_a_call_the_caller_waits_at_once() -> None:
    reply = ring(LOT, at=T0, attempt=0, busy={"amartin", "bleroy", "coordination"})
    assert reply.actions[-1] == ENQUEUED


def test_when_nobody_is_on_a_call_and_nobody_accepted_a_message_is_offered_as_before() -> None:
    reply = ring_ended(LOT, at=T0, attempt=2, dial_status="no-answer", accepted_by=None)
    assert any(isinstance(a, RecordMessage) for a in reply.actions)
    assert not any(isinstance(a, Enqueue) for a in reply.actions)


@pytest.mark.parametrize(
    ("position", "heard"),
    [
        pytest.param(1, "Vous êtes le prochain. Message : tapez 0.", id="first"),
        pytest.param(2, "Un appel avant le vôtre. Message : tapez 0.", id="second"),
        pytest.param(4, "3 appels avant le vôtre. Message : tapez 0.", id="fourth"),
    ],
)
def test_a_waiting_caller_hears_their_place_and_the_key_for_a_message(
    position: int, heard: str
) -> None:
    reply = hold(LOT, position=position, waited_s=30, max_wait_s=120)
    assert reply.actions == (Ask(prompt=heard, then=Next(step="queue-key"), timeout_s=10),)


def test_after_the_longest_wait_the_caller_leaves_the_queue_for_a_message() -> None:
    assert hold(LOT, position=1, waited_s=119, max_wait_s=120).actions[0] != Leave()
    reply = hold(LOT, position=1, waited_s=120, max_wait_s=120)
    assert reply.actions == (Leave(),)
    assert [r.code for r in reply.reasons] == ["queue-max-wait"]


@pytest.mark.parametrize(
    ("digits", "leaves"), [("0", True), ("5", False), (None, False)], ids=["0", "5", "none"]
)
def test_key_0_leaves_the_queue_at_any_time(digits: str | None, leaves: bool) -> None:
    assert (Leave() in hold_key(LOT, digits=digits).actions) is leaves


@pytest.mark.parametrize(
    ("result", "records", "over"),
    [
        pytest.param("leave", True, False, id="leave-for-a-message"),
        pytest.param("queue-full", True, False, id="queue-full-message"),
        pytest.param("error", True, False, id="error-message"),
        pytest.param("bridged", False, True, id="talked-then-hung-up"),
        pytest.param("hangup", False, False, id="abandoned"),
    ],
)
def test_leaving_the_queue(result: str, records: bool, over: bool) -> None:
    reply = queue_left(LOT, at=T0, result=result)
    assert any(isinstance(a, RecordMessage) for a in reply.actions) is records
    assert (reply.actions == (Hangup(),)) is over


def test_a_referent_free_again_takes_the_caller_out_of_the_queue_by_pressing_1() -> None:
    taken = offer_accepted(LOT, digits="1", referent_id="amartin")
    assert taken.actions == (
        Say(text="Mise en relation."),
        TakeFromQueue(
            queue="dac99",
            joining=Next(step="queue-joining", params=(("referent", "amartin"),)),
            then=Next(step="queue-dialed", params=(("referent", "amartin"),)),
            timeout_s=20,
        ),
    )
    assert offer_accepted(LOT, digits="2", referent_id="amartin").actions == (Hangup(),)


def waiter(request_id: int, seconds: int, **kwargs: object) -> Waiter:
    return Waiter(request_id=request_id, enqueued_at=at(seconds), **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("waiters", "busy", "expected"),
    [
        pytest.param([waiter(2, 30), waiter(1, 10)], {"bleroy"}, [(1, "amartin")],
                     id="longest-waiting-first"),
        pytest.param([waiter(1, 10), waiter(2, 30)], set(), [(1, "amartin"), (2, "bleroy")],
                     id="two-free-two-waiting"),
        pytest.param([waiter(1, 10)], {"amartin", "bleroy"}, [], id="nobody-free"),
        pytest.param([waiter(1, 10, offered_to={"amartin"}), waiter(2, 30)], {"bleroy"},
                     [(2, "amartin")], id="declined-not-offered-again"),
        pytest.param([waiter(1, 10, offer_pending=True), waiter(2, 30)], {"amartin"},
                     [(2, "bleroy")], id="offer-in-flight-skipped"),
    ],
)  # fmt: skip
def test_who_is_offered_to_whom(
    waiters: list[Waiter], busy: set[str], expected: list[tuple[int, str]]
) -> None:
    chosen = offers(waiters, on_duty=["amartin", "bleroy"], busy=busy)
    assert [(o.request_id, o.referent_id) for o in chosen] == expected


@pytest.mark.parametrize(
    ("facts", "waiting", "record"),
    [
        pytest.param(QueueFacts(), False, QueueRecord(waited_s=None, abandoned=False),
                     id="never-waited"),
        pytest.param(QueueFacts(enqueued_at=at(0), queue_time_s=40), True,
                     QueueRecord(waited_s=40, abandoned=False), id="waiting"),
        pytest.param(QueueFacts(enqueued_at=at(0), queue_time_s=40, taken=True), False,
                     QueueRecord(waited_s=40, abandoned=False), id="taken"),
        pytest.param(QueueFacts(enqueued_at=at(0), left="leave", queue_time_s=120), False,
                     QueueRecord(waited_s=120, abandoned=False), id="left-for-a-message"),
        pytest.param(QueueFacts(enqueued_at=at(0), left="hangup", queue_time_s=50), False,
                     QueueRecord(waited_s=50, abandoned=True), id="hung-up"),
        pytest.param(QueueFacts(enqueued_at=at(0), ended_at=at(70)), False,
                     QueueRecord(waited_s=70, abandoned=True), id="status-before-action"),
    ],
)  # fmt: skip
def test_a_calls_time_in_the_queue(facts: QueueFacts, waiting: bool, record: QueueRecord) -> None:
    assert is_waiting(facts) is waiting
    assert queue_record(facts) == record
