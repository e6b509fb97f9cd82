"""Overflow to a neighbouring line (core.overflow): when the hunt sends a call there, how the
line is rung and screened, and what follows when it takes the call or does not."""

from __future__ import annotations

from dataclasses import replace

import pytest

from frontdoor.core import overflow
from frontdoor.core.call_flow import accept, overflow_whisper, queue_left, ring, ring_ended
from frontdoor.core.call_settlement import Accepted, CallFacts, RingEnded, settle
from frontdoor.core.department import Department, RingStrategy
from frontdoor.core.overflow import RULES, HuntOver, OverflowLine, overflow_reason
from frontdoor.core.referrers import ReferrerType
from frontdoor.core.voice_actions import (
    Ask,
    Enqueue,
    Hangup,
    Next,
    Outcome,
    RecordMessage,
    Ring,
    RingOverflow,
    Say,
)
from frontdoor.core.waiting import on_a_call
from tests.core import call_flows_made
from tests.core.call_flows_made import TUESDAY_10H

CANTAL = OverflowLine(number="+33471000015", label="le DAC du Cantal")
PROMPTS = {
    **call_flows_made.QUEUE_PROMPTS,
    "overflow_connecting": "Transfert vers $line.",
    "overflow_whisper": "Appel du $department transféré : appel $caller. Tapez 1.",
}
T0 = TUESDAY_10H


def department(line: OverflowLine | None = CANTAL) -> Department:
    """amartin then bleroy on duty, coordination as backup: three sequential attempts."""
    made = call_flows_made.department(strategy=RingStrategy.SEQUENTIAL)
    return replace(made, prompts=PROMPTS, overflow=line)


def hunt(*, rung: int = 0, on_a_call: int = 0, waiting: int = 0) -> HuntOver:
    return HuntOver(rung=rung, on_a_call=on_a_call, waiting=waiting)


@pytest.mark.parametrize(
    ("line", "over", "expected"),
    [
        pytest.param(None, hunt(rung=3), None, id="no-overflow-line"),
        pytest.param(CANTAL, hunt(rung=3), "overflow-nobody-accepted", id="all-declined"),
        pytest.param(replace(CANTAL, when_nobody_accepts=False), hunt(rung=3), None,
                     id="all-declined-not-wanted"),
        pytest.param(CANTAL, hunt(rung=0), None, id="nobody-on-duty-when-nobody-decides"),
        pytest.param(CANTAL, hunt(rung=1, on_a_call=2), None, id="busy-callers-wait"),
        pytest.param(replace(CANTAL, when_waiting=0), hunt(on_a_call=3), "overflow-queue-full",
                     id="all-busy-overflow-at-once"),
        pytest.param(replace(CANTAL, when_waiting=2), hunt(on_a_call=3, waiting=1), None,
                     id="all-busy-queue-not-full"),
        pytest.param(replace(CANTAL, when_waiting=2), hunt(rung=1, on_a_call=1, waiting=2),
                     "overflow-queue-full", id="some-busy-others-declined-queue-full"),
        pytest.param(replace(CANTAL, when_waiting=0, when_nobody_accepts=False), hunt(rung=3),
                     None, id="queue-rule-only-nobody-busy"),
        pytest.param(replace(CANTAL, when_wait_over=True), replace(hunt(), wait_over=True),
                     "overflow-wait-over", id="waited-the-longest-wait"),
        pytest.param(CANTAL, replace(hunt(), wait_over=True), None,
                     id="waited-the-longest-wait-not-wanted"),
    ],
)  # fmt: skip
def test_when_a_call_overflows(line: OverflowLine | None, over: HuntOver, expected: str) -> None:
    why = overflow_reason(line, over)
    assert (why.code if why else None) == expected


def test_every_rule_says_in_french_where_the_call_went() -> None:
    assert [rule.name for rule in RULES] == [
        "overflow-nobody-accepted", "overflow-queue-full", "overflow-wait-over",
    ]  # fmt: skip
    why = overflow_reason(CANTAL, hunt(rung=1))
    assert why is not None
    assert why.text.endswith(": Débordé vers le DAC du Cantal (04 71 00 00 15)")
    assert overflow.destination(CANTAL) == "Débordé vers le DAC du Cantal (04 71 00 00 15)"


def test_after_the_last_referent_declined_the_caller_hears_where_she_is_put_through() -> None:
    reply = ring_ended(department(), at=T0, attempt=2, dial_status="completed", accepted_by=None)
    assert reply.actions == (
        Say(text="Transfert vers le DAC du Cantal."),
        RingOverflow(
            attempt=3,
            number="+33471000015",
            timeout_s=20,
            caller_id=call_flows_made.NUMBER,
            then=Next(step="dialed", params=(("attempt", "3"),)),
        ),
    )
    assert "overflow-nobody-accepted" in [r.code for r in reply.reasons]
    assert reply.update.callback_needed is None  # settled by what follows


def test_without_an_overflow_line_a_message_is_offered_as_before() -> None:
    reply = ring_ended(
        department(None), at=T0, attempt=2, dial_status="no-answer", accepted_by=None
    )
    assert any(isinstance(a, RecordMessage) for a in reply.actions)
    assert not any(isinstance(a, RingOverflow) for a in reply.actions)


def test_the_overflow_line_taking_the_call_ends_the_hunt() -> None:
    reply = ring_ended(
        department(), at=T0, attempt=3, dial_status="completed", accepted_by=overflow.TAKER
    )
    assert reply.actions == (Hangup(),)
    assert reply.update.outcome is Outcome.OVERFLOWED
    assert reply.update.callback_needed is False


def test_the_overflow_line_not_taking_it_leaves_a_message_never_a_second_overflow() -> None:
    reply = ring_ended(department(), at=T0, attempt=3, dial_status="no-answer", accepted_by=None)
    assert any(isinstance(a, RecordMessage) for a in reply.actions)
    assert not any(isinstance(a, (RingOverflow, Ring, Enqueue)) for a in reply.actions)
    assert [r.code for r in reply.reasons][-1] == "overflow-unanswered"
    assert reply.update.callback_needed is True


def test_a_full_queue_overflows_instead_of_waiting() -> None:
    busy = {"amartin", "bleroy", "coordination"}
    full = department(replace(CANTAL, when_waiting=2))
    assert isinstance(ring(full, at=T0, attempt=0, busy=busy, waiting=1).actions[-1], Enqueue)
    reply = ring(full, at=T0, attempt=0, busy=busy, waiting=2)
    assert isinstance(reply.actions[-1], RingOverflow)
    assert "overflow-queue-full" in [r.code for r in reply.reasons]


def test_the_overflow_line_hears_the_referents_screen_naming_the_department() -> None:
    reply = overflow_whisper(
        department(), attempt=3, referrer=ReferrerType.DOCTOR_TO_CONFIRM, caller_name=None
    )
    [ask, hangup] = reply.actions
    assert isinstance(ask, Ask)
    assert ask.prompt == "Appel du DAC test transféré : appel d'un médecin. Tapez 1."
    assert ask.then == Next(step="overflow-accept", params=(("attempt", "3"),))
    assert hangup == Hangup()  # no key: never bridged to a voicemail
    assert accept(department(), digits="1").actions == (Say(text="Mise en relation."),)


ITS_1 = Accepted(attempt=3, referent_id="", leg_sid="CAline", at=T0, overflow=True)
BRIDGED = RingEnded(attempt=3, status="completed", leg_sid="CAline")


def test_the_call_is_settled_as_overflowed_in_any_order_and_nobody_of_the_team_is_busy() -> None:
    facts = CallFacts(step_outcome=Outcome.IN_PROGRESS, accepted={ITS_1}, rings={BRIDGED})
    settled = settle(facts)
    assert settled.outcome is Outcome.OVERFLOWED
    assert settled.taken_by is None
    assert settled.answered_at == T0
    assert (settled.callback_needed, settled.task_owed) == (False, False)
    assert on_a_call(CallFacts(step_outcome=Outcome.IN_PROGRESS, accepted={ITS_1}), now=T0) == (
        frozenset()
    )
    ended_first = replace(facts, ended_at=T0.replace(minute=5))
    assert settle(ended_first).outcome is Outcome.OVERFLOWED


@pytest.mark.parametrize(
    ("result", "waited_s", "overflows"),
    [
        pytest.param("leave", 180, True, id="the-longest-wait"),
        pytest.param("leave", 40, False, id="key-0-a-message-as-asked"),
        pytest.param("hangup", 180, False, id="hung-up"),
        pytest.param("bridged", 180, False, id="taken-out-by-a-referent"),
    ],
)  # fmt: skip
def test_a_caller_out_of_the_queue_after_the_longest_wait_overflows_where_asked(
    result: str, waited_s: int, overflows: bool
) -> None:
    waits = department(replace(CANTAL, when_wait_over=True))  # max_wait: 180 s
    reply = queue_left(waits, at=T0, result=result, waited_s=waited_s)
    rang = [a for a in reply.actions if isinstance(a, RingOverflow)]
    assert rang == ([RingOverflow(attempt=3, number="+33471000015", timeout_s=20,
                                  caller_id=call_flows_made.NUMBER,
                                  then=Next(step="dialed", params=(("attempt", "3"),)))]
                    if overflows else [])  # fmt: skip
