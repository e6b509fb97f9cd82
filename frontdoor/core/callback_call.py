"""Click-to-call: a referent calls a person back from the DAC's number, never their own.

Frontdoor first rings the referent; when they answer, they hear which callback this is and
press 1, then the person is dialled with the department's number shown.
"""

from __future__ import annotations

from frontdoor.core.department import Department
from frontdoor.core.prompts import prompt
from frontdoor.core.reasons import Reason
from frontdoor.core.voice_actions import Ask, Connect, Hangup, Next, Reply, Say


def referent_answers(department: Department, *, task_id: int, request_id: int) -> Reply:
    """What the referent hears on picking up the callback Frontdoor placed for them."""
    return Reply(
        actions=(
            Ask(
                prompt=prompt(department, "callback_intro", request=str(request_id)),
                then=Next(step="callback-connect", params=(("task", str(task_id)),)),
                timeout_s=department.ringing.accept_timeout_s,
            ),
            # Not answered by a person (voicemail, silence): nobody is dialled.
            Hangup(),
        )
    )


def connect(department: Department, *, digits: str | None, person_number: str | None) -> Reply:
    if digits != "1":
        return Reply(actions=(Hangup(),))
    if not person_number:
        return Reply(
            actions=(Say(text=prompt(department, "callback_no_number")), Hangup()),
            reasons=(Reason(code="callback-no-number", text="pas de numéro à rappeler"),),
        )
    return Reply(
        actions=(
            Say(text=prompt(department, "callback_connecting")),
            Connect(
                number=person_number,
                caller_id=department.number,
                timeout_s=department.ringing.timeout_s * 2,
            ),
        ),
        reasons=(Reason(code="callback-dialled", text="rappel composé depuis le numéro du DAC"),),
    )
