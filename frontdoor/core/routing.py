"""Which referents a call rings, in which order: a plain function of the department and the time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from frontdoor.core.department import Department, RingStrategy
from frontdoor.core.reasons import Reason
from frontdoor.core.roster import Referent, WhenNobody, on_duty

# Twilio dials at most ten <Number>s and <Client>s at once: a referent rung on her mobile and
# in her browser takes two of them.
MAX_SIMULTANEOUS = 10


@dataclass(kw_only=True, frozen=True)
class RingAttempt:
    referents: tuple[Referent, ...]
    stage: str  # "duty", "backup" or "forward"
    # With nobody on duty and `when_nobody` a number: the call goes there, unscreened.
    forward_to: str | None = None


@dataclass(kw_only=True, frozen=True)
class RoutePlan:
    attempts: tuple[RingAttempt, ...]
    reasons: tuple[Reason, ...]


def plan_route(department: Department, at: datetime) -> RoutePlan:
    """The ring attempts for a call received at ``at``: referents on duty, then the backup list."""
    duty = on_duty(at, department.roster, department.calendar.timezone)
    on = [department.referents[i] for i in duty.referent_ids]
    backup = [
        department.referents[i] for i in department.roster.backup if i not in duty.referent_ids
    ]
    if not on:
        nobody = department.roster.when_nobody
        if nobody.action is WhenNobody.MESSAGE:
            return RoutePlan(
                attempts=(),
                reasons=(
                    duty.reason,
                    Reason(code="when-nobody-message", text="personne de permanence : message"),
                ),
            )
        if nobody.action is WhenNobody.FORWARD:
            return RoutePlan(
                attempts=(
                    RingAttempt(referents=(), stage="forward", forward_to=nobody.forward_to),
                ),
                reasons=(
                    duty.reason,
                    Reason(
                        code="when-nobody-forward",
                        text=f"personne de permanence : transfert vers {nobody.forward_to}",
                    ),
                ),
            )
    reasons = [duty.reason]
    if backup:
        reasons.append(
            Reason(code="backup-list", text=f"en secours : {', '.join(r.id for r in backup)}")
        )

    attempts: list[RingAttempt] = []
    if department.ringing.strategy is RingStrategy.SIMULTANEOUS:
        # More people than Twilio rings at once: the next ten ring in a following attempt.
        for stage, people in (("duty", on), ("backup", backup)):
            attempts.extend(RingAttempt(referents=chunk, stage=stage) for chunk in _at_once(people))
        reasons.append(
            Reason(code="ring-simultaneous", text="sonnerie simultanée, puis liste de secours")
        )
    else:
        attempts.extend(RingAttempt(referents=(r,), stage="duty") for r in on)
        attempts.extend(RingAttempt(referents=(r,), stage="backup") for r in backup)
        reasons.append(
            Reason(
                code="ring-sequential",
                text=f"sonnerie l'un après l'autre ({department.ringing.timeout_s} s chacun), "
                "puis liste de secours",
            )
        )
    return RoutePlan(attempts=tuple(attempts), reasons=tuple(reasons))


def _at_once(people: list[Referent]) -> list[tuple[Referent, ...]]:
    """The people in order, in groups whose legs Twilio can ring at once."""
    groups: list[tuple[Referent, ...]] = []
    group: list[Referent] = []
    for person in people:
        if group and sum(p.legs for p in group) + person.legs > MAX_SIMULTANEOUS:
            groups.append(tuple(group))
            group = []
        group.append(person)
    if group:
        groups.append(tuple(group))
    return groups
