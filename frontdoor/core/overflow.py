"""Overflow: a call the referents on duty cannot take goes to a neighbouring line.

A department may name an overflow line (`[overflow]` in its file): a neighbouring DAC or a
regional platform. When the hunt is over (core.call_flow.ring) and a rule of `RULES` says so,
the caller hears that she is put through to it, and the line is rung with the same screen as
a referent's leg (its whisper, press 1 to take the call). Not taken there either: a message
and a callback, as without overflow.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from frontdoor.core.numbers import written_number
from frontdoor.core.reasons import Reason

# What an overflow line's acceptance is recorded as (the `detail` of its "accepted" event),
# and who took a call overflowed there, for the hunt (core.call_flow.ring_ended).
TAKER = "overflow"
# The event saying where a call went (its detail: `destination`), for the console.
EVENT = "overflowed"


@dataclass(kw_only=True, frozen=True)
class OverflowLine:
    number: str  # E.164
    label: str  # as the caller hears it and the console shows it: "le DAC du Cantal"
    # Every referent rung declined or did not answer, and none is on another call.
    when_nobody_accepts: bool = True
    # Everyone free was rung (or nobody was) and the others are on a call: the call overflows
    # instead of waiting once this many callers already wait (0: at once). None: it waits.
    when_waiting: int | None = None
    # A caller who waited the longest wait in the queue ([ringing] max_wait) overflows
    # instead of being offered a message.
    when_wait_over: bool = False


@dataclass(kw_only=True, frozen=True)
class HuntOver:
    """Where the hunt stands when no ring attempt of the plan is left."""

    rung: int  # referents of the plan rung for this call (none: nobody on duty to ring)
    on_a_call: int  # referents of the plan on another call, not rung
    waiting: int  # callers already waiting in the department's queue
    wait_over: bool = False  # this caller waited in the queue the longest wait


@dataclass(kw_only=True, frozen=True)
class Rule:
    name: str
    description: str  # as the console shows it
    check: Callable[[OverflowLine, HuntOver], bool]


RULES: tuple[Rule, ...] = (
    Rule(
        name="overflow-nobody-accepted",
        description="aucun référent de permanence n'a pris l'appel",
        check=lambda line, hunt: line.when_nobody_accepts and hunt.rung > 0
        and hunt.on_a_call == 0,
    ),
    Rule(
        name="overflow-queue-full",
        description="tous les référents sont en ligne et la file d'attente est pleine",
        check=lambda line, hunt: line.when_waiting is not None and hunt.on_a_call > 0
        and hunt.waiting >= line.when_waiting,
    ),
    Rule(
        name="overflow-wait-over",
        description="attente maximale atteinte, tous les référents toujours en ligne",
        check=lambda line, hunt: line.when_wait_over and hunt.wait_over,
    ),
)  # fmt: skip


def overflow_reason(line: OverflowLine | None, hunt: HuntOver) -> Reason | None:
    """Why the call goes to the overflow line now; None: it does not (message or queue)."""
    if line is None:
        return None
    for rule in RULES:
        if rule.check(line, hunt):
            return Reason(code=rule.name, text=f"{rule.description} : {destination(line)}")
    return None


def destination(line: OverflowLine) -> str:
    """Where the call went, as the console says it: "Débordé vers le DAC du Cantal (04 71 …)"."""
    return f"Débordé vers {line.label} ({written_number(line.number)})"


UNANSWERED = Reason(
    code="overflow-unanswered",
    text="la ligne de débordement n'a pas pris l'appel : message proposé",
)
