"""What a call gets when nobody is on duty, as each department chose: never a ring-forever."""

from __future__ import annotations

from dataclasses import replace

import pytest

from frontdoor.core.call_flow import ring, ring_ended
from frontdoor.core.department import Department
from frontdoor.core.roster import NobodyOnDuty, WhenNobody
from frontdoor.core.routing import plan_route
from frontdoor.core.voice_actions import Connect, Hangup, Outcome, RecordMessage
from tests.core.departments_made import MONDAY_10H, department

NEIGHBOUR = "+33199000001"
# Mid-morning, in a department with nobody in its roster.
NOBODY = department(on_duty=())


def choosing(action: WhenNobody, forward_to: str | None = None) -> Department:
    roster = replace(NOBODY.roster, when_nobody=NobodyOnDuty(action=action, forward_to=forward_to))
    prompts = {
        "forwarding": "Transfert.",
        "connecting": "Patientez.",
        "nobody_available": "Personne.",
        "leave_message": "Message.",
        "no_message": "Rien.",
    }
    return replace(NOBODY, roster=roster, prompts=prompts)


@pytest.mark.parametrize(
    ("action", "forward_to", "stages", "code"),
    [
        pytest.param(WhenNobody.BACKUP, None, ["backup"], "backup-list", id="backup-list-rung"),
        pytest.param(WhenNobody.MESSAGE, None, [], "when-nobody-message", id="message-at-once"),
        pytest.param(WhenNobody.FORWARD, NEIGHBOUR, ["forward"], "when-nobody-forward",
                     id="forwarded-to-neighbour"),
    ],
)  # fmt: skip
def test_nobody_on_duty_follows_the_departments_choice(
    action: WhenNobody, forward_to: str | None, stages: list[str], code: str
) -> None:
    plan = plan_route(choosing(action, forward_to), MONDAY_10H)

    assert [a.stage for a in plan.attempts] == stages
    assert code in [r.code for r in plan.reasons]


def test_someone_on_duty_is_rung_whatever_the_choice_for_nobody() -> None:
    dept = replace(
        department(),
        roster=replace(department().roster, when_nobody=NobodyOnDuty(action=WhenNobody.MESSAGE)),
    )

    assert [a.stage for a in plan_route(dept, MONDAY_10H).attempts] == ["duty", "backup"]


def test_a_forwarded_call_goes_to_the_neighbour_and_is_settled_when_it_answers() -> None:
    dept = choosing(WhenNobody.FORWARD, NEIGHBOUR)

    first = ring(dept, at=MONDAY_10H, attempt=0)
    answered = ring_ended(dept, at=MONDAY_10H, attempt=0, dial_status="completed",
                          accepted_by=None)  # fmt: skip
    unanswered = ring_ended(dept, at=MONDAY_10H, attempt=0, dial_status="no-answer",
                            accepted_by=None)  # fmt: skip

    [connect] = [a for a in first.actions if isinstance(a, Connect)]
    assert connect.number == NEIGHBOUR
    assert connect.then is not None
    assert answered.actions == (Hangup(),)
    assert answered.update.outcome is Outcome.FORWARDED
    assert answered.update.callback_needed is False
    assert any(isinstance(a, RecordMessage) for a in unanswered.actions)
    assert unanswered.update.callback_needed is True
