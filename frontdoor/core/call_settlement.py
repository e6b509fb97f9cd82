"""How a call ended, from the facts Twilio reported, whatever their order.

Twilio guarantees no order between a call's callbacks: the status callback can come before
the <Dial> action, a referent can press 1 after the caller hung up, a recording's status
before its <Record> action. The caller's own steps (greeting, menus, directory, forward) are
answered one after the other and decide the call's course; the other facts (who pressed 1,
how each ring ended, a message left, the call over) come in any order. `settle` is a pure
function of the set of facts: every order of arrival gives the same outcome, answered time,
taker and callback owed.
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass
from datetime import datetime

from frontdoor.core.voice_actions import Outcome

# Outcomes the caller's own steps decide; the others are settled here.
SETTLED = frozenset(
    {Outcome.IN_PROGRESS, Outcome.TAKEN, Outcome.OVERFLOWED, Outcome.VOICEMAIL, Outcome.ABANDONED}
)
# A <Dial> that bridged the caller to the leg that answered.
_BRIDGED = frozenset({"completed", "answered"})


@dataclass(kw_only=True, frozen=True)
class Accepted:
    """A referent pressed 1 on their leg during a ring attempt (or the overflow line did,
    core.overflow: `overflow`, and no referent)."""

    attempt: int
    referent_id: str
    leg_sid: str | None
    at: datetime
    overflow: bool = False


@dataclass(kw_only=True, frozen=True)
class RingEnded:
    """Twilio's <Dial> action: how a ring attempt ended, and the leg bridged (if any)."""

    attempt: int
    status: str
    leg_sid: str | None


@dataclass(kw_only=True, frozen=True)
class CallFacts:
    step_outcome: Outcome  # what the caller's steps decided (IN_PROGRESS: nothing final)
    accepted: Set[Accepted] = frozenset()
    rings: Set[RingEnded] = frozenset()
    voicemail: bool = False  # a message was recorded
    ended_at: datetime | None = None  # the status callback came: the caller is gone
    withheld_number: bool = False

    @property
    def ended(self) -> bool:
        return self.ended_at is not None


@dataclass(kw_only=True, frozen=True)
class Settlement:
    outcome: Outcome
    taken_by: str | None
    answered_at: datetime | None
    callback_needed: bool | None  # None: as the caller's steps left it (the call goes on)
    task_owed: bool  # the call is over and someone must call back


def taker(facts: CallFacts) -> Accepted | None:
    """The referent put through: one who pressed 1 on the leg the ring attempt bridged.

    Pressing 1 alone is not enough, nor is a bridged ring alone (only a leg whose referent
    pressed 1 is bridged); and a 1 pressed after the caller hung up takes nothing, whenever
    it is reported. The earliest wins.
    """
    bridged = {(ring.attempt, ring.leg_sid) for ring in facts.rings if ring.status in _BRIDGED}
    attempts = {attempt for attempt, _ in bridged}

    def bridges(accept: Accepted) -> bool:
        if accept.leg_sid is None:  # a leg not named: any bridge of its attempt
            return accept.attempt in attempts
        return (accept.attempt, accept.leg_sid) in bridged or (accept.attempt, None) in bridged

    matched = [
        accept
        for accept in facts.accepted
        if bridges(accept) and (facts.ended_at is None or accept.at <= facts.ended_at)
    ]
    return min(matched, key=lambda a: (a.at, a.attempt, a.referent_id), default=None)


def settle(facts: CallFacts) -> Settlement:
    """The request's final fields from the facts received, in whatever order they came."""
    took = taker(facts)
    if took is not None and took.overflow:
        return Settlement(outcome=Outcome.OVERFLOWED, taken_by=None, answered_at=took.at,
                          callback_needed=False, task_owed=False)  # fmt: skip
    if took is not None:
        return Settlement(outcome=Outcome.TAKEN, taken_by=took.referent_id,
                          answered_at=took.at, callback_needed=False, task_owed=False)  # fmt: skip
    if facts.voicemail:
        return Settlement(outcome=Outcome.VOICEMAIL, taken_by=None, answered_at=None,
                          callback_needed=True, task_owed=True)  # fmt: skip
    step = facts.step_outcome
    if step not in SETTLED:
        # Closed line, orientation, directory, forward: decided by the caller's steps. Only
        # a closed line is called back, and only when the number was not withheld.
        callback = step is Outcome.CLOSED and not facts.withheld_number
        if not facts.ended and step is Outcome.CLOSED:
            return Settlement(outcome=step, taken_by=None, answered_at=None,
                              callback_needed=None, task_owed=False)  # fmt: skip
        return Settlement(outcome=step, taken_by=None, answered_at=None,
                          callback_needed=callback, task_owed=callback and facts.ended)  # fmt: skip
    if facts.ended:
        owed = not facts.withheld_number
        return Settlement(outcome=Outcome.ABANDONED, taken_by=None, answered_at=None,
                          callback_needed=owed, task_owed=owed)  # fmt: skip
    return Settlement(outcome=Outcome.IN_PROGRESS, taken_by=None, answered_at=None,
                      callback_needed=None, task_owed=False)  # fmt: skip
