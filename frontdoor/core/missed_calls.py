"""The SMS a caller gets when nobody took her call: when she will be called back.

A call missed (nobody took it, a message left or not), abandoned, or that reached the closed
line is owed a callback (core.call_settlement, core.callbacks). When the department says so
(`[callbacks] missed_call_sms`), the caller hears it by SMS from the department's number,
with the callback's deadline. The rules are a table, checked in order: the first that holds
says why no SMS goes; none holding, it goes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from frontdoor.core.calendar import require_aware
from frontdoor.core.department import Department
from frontdoor.core.numbers import is_mobile, is_withheld
from frontdoor.core.reasons import Reason
from frontdoor.core.sms import render
from frontdoor.core.spoken import spoken_moment
from frontdoor.core.voice_actions import Outcome

# The outcomes of a call nobody took: a message left, the caller gone, the line closed.
MISSED = frozenset({Outcome.VOICEMAIL, Outcome.ABANDONED, Outcome.CLOSED})
# Twilio reports a call's end and its <Dial> result in any order, seconds apart: the SMS waits
# this long after the call ended, so that a referent who took it after all is known by then.
SETTLING = timedelta(minutes=2)
# Past this after the call, an SMS about it would come too late to be of use.
TOO_LATE = timedelta(hours=12)


@dataclass(kw_only=True, frozen=True)
class MissedCall:
    """What is known of a call when its SMS is decided."""

    outcome: Outcome
    caller_number: str | None
    callback_due: datetime | None  # the open callback task's deadline; None: no task open
    opted_out: bool  # the number sent STOP to the department


@dataclass(kw_only=True, frozen=True)
class Rule:
    name: str  # kebab-case, as the reason's code says it
    description: str  # French, as the request's timeline says why no SMS went
    check: Callable[[Department, MissedCall], bool]


RULES: tuple[Rule, ...] = (
    Rule(name="missed-call-sms-off", description="SMS d'appel manqué non activé pour ce DAC",
         check=lambda department, call: not department.callbacks.missed_call_sms),
    Rule(name="not-missed", description="appel pris ou sans rappel à faire",
         check=lambda department, call: call.outcome not in MISSED),
    Rule(name="no-callback-owed", description="aucun rappel en attente pour cet appel",
         check=lambda department, call: call.callback_due is None),
    Rule(name="withheld-number", description="numéro masqué : pas de SMS possible",
         check=lambda department, call: is_withheld(call.caller_number)),
    Rule(name="not-a-mobile", description="le numéro n'est pas un mobile français",
         check=lambda department, call: not is_mobile(call.caller_number)),
    Rule(name="opted-out", description="ce numéro a demandé à ne plus recevoir nos SMS (STOP)",
         check=lambda department, call: call.opted_out),
)  # fmt: skip


@dataclass(kw_only=True, frozen=True)
class MissedCallSms:
    text: str | None  # the SMS to send; None: none
    reasons: tuple[Reason, ...]


def missed_call_sms(
    department: Department, call: MissedCall, *, now: datetime, texts: Mapping[str, str]
) -> MissedCallSms:
    """The SMS owed to the caller of a missed call, or why there is none."""
    require_aware(now)
    for rule in RULES:
        if rule.check(department, call):
            return MissedCallSms(
                text=None,
                reasons=(Reason(code=rule.name, text=f"pas de SMS : {rule.description}"),),
            )
    assert call.callback_due is not None
    due = call.callback_due.astimezone(department.calendar.timezone)
    callback = spoken_moment(due, now=now)
    return MissedCallSms(
        text=render(texts["missed_call"], department, callback=callback),
        reasons=(
            Reason(code="missed-call-sms", text=f"SMS d'appel manqué : rappel au plus tard "
                   f"{callback}"),
        ),
    )  # fmt: skip
