"""How a call ended, from the set of facts Twilio reported (core.call_settlement)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from frontdoor.core.call_settlement import Accepted, CallFacts, RingEnded, settle
from frontdoor.core.voice_actions import Outcome

T = datetime(2026, 5, 12, 8, 0, tzinfo=UTC)
PRESSED = Accepted(attempt=0, referent_id="amartin", leg_sid="CAleg", at=T + timedelta(seconds=25))
BRIDGED = RingEnded(attempt=0, status="completed", leg_sid="CAleg")
ENDED = T + timedelta(seconds=70)

# (id, facts, outcome, answered, callback_needed, task_owed)
TABLE = [
    ("pressed-and-bridged", CallFacts(step_outcome=Outcome.IN_PROGRESS, accepted={PRESSED},
     rings={BRIDGED}, ended_at=ENDED), Outcome.TAKEN, PRESSED.at, False, False),
    ("pressed-not-bridged-yet", CallFacts(step_outcome=Outcome.IN_PROGRESS, accepted={PRESSED}),
     Outcome.IN_PROGRESS, None, None, False),
    ("bridged-another-leg", CallFacts(step_outcome=Outcome.IN_PROGRESS, accepted={PRESSED},
     rings={RingEnded(attempt=0, status="completed", leg_sid="CAother")}, ended_at=ENDED),
     Outcome.ABANDONED, None, True, True),
    ("pressed-after-the-caller-hung-up", CallFacts(step_outcome=Outcome.IN_PROGRESS,
     accepted={PRESSED}, rings={BRIDGED}, ended_at=T + timedelta(seconds=20)),
     Outcome.ABANDONED, None, True, True),
    ("ring-not-answered", CallFacts(step_outcome=Outcome.IN_PROGRESS, accepted={PRESSED},
     rings={RingEnded(attempt=0, status="no-answer", leg_sid=None)}, ended_at=ENDED),
     Outcome.ABANDONED, None, True, True),
    ("withheld-abandoned", CallFacts(step_outcome=Outcome.IN_PROGRESS, ended_at=ENDED,
     withheld_number=True), Outcome.ABANDONED, None, False, False),
    ("voicemail", CallFacts(step_outcome=Outcome.CLOSED, voicemail=True, ended_at=ENDED),
     Outcome.VOICEMAIL, None, True, True),
    ("voicemail-before-the-end", CallFacts(step_outcome=Outcome.IN_PROGRESS, voicemail=True),
     Outcome.VOICEMAIL, None, True, True),
    ("closed-no-message", CallFacts(step_outcome=Outcome.CLOSED, ended_at=ENDED),
     Outcome.CLOSED, None, True, True),
    ("closed-withheld", CallFacts(step_outcome=Outcome.CLOSED, ended_at=ENDED,
     withheld_number=True), Outcome.CLOSED, None, False, False),
    ("closed-still-on-the-line", CallFacts(step_outcome=Outcome.CLOSED), Outcome.CLOSED, None,
     None, False),
    ("informed", CallFacts(step_outcome=Outcome.INFORMED, ended_at=ENDED), Outcome.INFORMED,
     None, False, False),
    ("forwarded", CallFacts(step_outcome=Outcome.FORWARDED, ended_at=ENDED),
     Outcome.FORWARDED, None, False, False),
]  # fmt: skip


@pytest.mark.parametrize(
    ("facts", "outcome", "answered_at", "callback_needed", "task_owed"),
    [row[1:] for row in TABLE],
    ids=[row[0] for row in TABLE],
)
def test_a_call_is_settled_from_its_facts(
    facts: CallFacts,
    outcome: Outcome,
    answered_at: datetime | None,
    callback_needed: bool | None,
    task_owed: bool,
) -> None:
    settled = settle(facts)

    assert settled.outcome is outcome
    assert settled.answered_at == answered_at
    assert settled.taken_by == ("amartin" if outcome is Outcome.TAKEN else None)
    assert settled.callback_needed is callback_needed
    assert settled.task_owed is task_owed


def test_the_earliest_referent_who_pressed_1_on_a_bridged_leg_took_the_call() -> None:
    later = Accepted(attempt=1, referent_id="bleroy", leg_sid="CAb", at=T + timedelta(seconds=60))
    facts = CallFacts(
        step_outcome=Outcome.IN_PROGRESS,
        accepted={later, PRESSED},
        rings={BRIDGED, RingEnded(attempt=1, status="completed", leg_sid="CAb")},
    )

    assert settle(facts).taken_by == "amartin"
