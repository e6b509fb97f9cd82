"""The follow-up a referent asks for when orienting a person: "vérifier dans 15 jours que la
personne a bien été prise en charge par le SSIAD". One per orientation response, due on a
day of the department's calendar, optionally given to one of its referents; closed with
what was found. "À relancer" may set a new due day: the follow-up then stays open, and the
day it replaces is kept in its history.

A follow-up is the team's own work, not a callback owed to a caller: it counts in no
indicator (it lives beside callback_tasks, never in it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from enum import StrEnum

from frontdoor.core.dates import DateRefused, parse_day
from frontdoor.core.department import Department
from frontdoor.core.reasons import Reason
from frontdoor.core.responses import ORIENTING
from frontdoor.core.spoken import spoken_date

# The longest "dans N jours" a referent may ask for.
MAX_DAYS = 366
# The referents' list shows the follow-ups due within this many days, and those overdue.
DUE_SOON = timedelta(days=7)


class FollowUpOutcome(StrEnum):
    TAKEN_IN_CHARGE = "taken_in_charge"
    TO_CHASE = "to_chase"
    NO_NEWS = "no_news"


OUTCOME_LABELS: dict[FollowUpOutcome, str] = {
    FollowUpOutcome.TAKEN_IN_CHARGE: "prise en charge effective",
    FollowUpOutcome.TO_CHASE: "à relancer",
    FollowUpOutcome.NO_NEWS: "sans nouvelles",
}


class FollowUpStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


STATUS_LABELS: dict[FollowUpStatus, str] = {
    FollowUpStatus.OPEN: "à faire",
    FollowUpStatus.CLOSED: "clos",
}


class FollowUpError(ValueError):
    """A follow-up that cannot be planned or closed: the French message says why."""


@dataclass(kw_only=True, frozen=True)
class FollowUpPlan:
    due_on: date
    assigned_to: str | None = None  # a referent id of the department


@dataclass(kw_only=True, frozen=True)
class Closing:
    outcome: FollowUpOutcome
    # "À relancer" with a new day: the follow-up stays open, due then.
    next_due_on: date | None = None


def local_today(now: datetime, timezone: tzinfo) -> date:
    """The day it is in the department's zone."""
    return now.astimezone(timezone).date()


def assignable(department: Department) -> dict[str, str]:
    """Who a follow-up may be given to: the department's referents, id → name."""
    return {referent.id: referent.name for referent in department.referents.values()}


def may_follow(kind: str) -> bool:
    """Whether a response of this kind may carry a follow-up: the kinds that send the
    person somewhere."""
    return kind in {orienting.value for orienting in ORIENTING}


def _filled(value: object) -> bool:
    return value is not None and str(value).strip() != ""


def due_asked(*, on: object, in_days: object) -> bool:
    """Whether a form or a body asked for a due day at all."""
    return _filled(on) or _filled(in_days)


def due_date(*, on: object, in_days: object, now: datetime, timezone: tzinfo) -> date:
    """The due day: a day chosen ("2026-05-28"), or "dans N jours" counted from the day it
    is in the department's zone. Exactly one of them; never a day already past."""
    if _filled(on) == _filled(in_days):
        raise FollowUpError("échéance du suivi : une date ou un nombre de jours, l'un des deux")
    today = local_today(now, timezone)
    if _filled(in_days):
        text = str(in_days).strip()
        if isinstance(in_days, bool) or not (text.isascii() and text.isdigit() and len(text) < 4):
            raise FollowUpError("échéance du suivi : un nombre de jours est attendu (15)")
        days = int(text)
        if not 1 <= days <= MAX_DAYS:
            raise FollowUpError(f"échéance du suivi : de 1 à {MAX_DAYS} jours")
        return today + timedelta(days=days)
    try:
        chosen = parse_day(str(on))
    except DateRefused as refused:
        raise FollowUpError(f"échéance du suivi : {refused}") from None
    if chosen < today:
        raise FollowUpError(f"échéance du suivi : le {french_day(chosen)} est déjà passé")
    return chosen


def parse_assignee(value: object, referents: Mapping[str, str]) -> str | None:
    """A referent of the department (id → name), or nobody when left empty."""
    if not _filled(value):
        return None
    chosen = str(value).strip()
    if chosen not in referents:
        raise FollowUpError("suivi : la personne choisie n'est pas un référent du département")
    return chosen


def plan_follow_up(
    *,
    kind: str,
    on: object,
    in_days: object,
    assignee: object,
    referents: Mapping[str, str],
    now: datetime,
    timezone: tzinfo,
) -> FollowUpPlan:
    """A referent's request for a follow-up of a response of this kind."""
    if not may_follow(kind):
        raise FollowUpError("seule une orientation (ou une réorientation) peut avoir un suivi")
    return FollowUpPlan(
        due_on=due_date(on=on, in_days=in_days, now=now, timezone=timezone),
        assigned_to=parse_assignee(assignee, referents),
    )


def parse_closing(
    *, outcome: object, on: object, in_days: object, now: datetime, timezone: tzinfo
) -> Closing:
    """What was found: an outcome; "à relancer" may set the next due day."""
    try:
        chosen = FollowUpOutcome(str(outcome)) if _filled(outcome) else None
    except ValueError:
        chosen = None
    if chosen is None:
        known = ", ".join(f"{code.value} ({label})" for code, label in OUTCOME_LABELS.items())
        raise FollowUpError(f"issue du suivi : à choisir parmi {known}")
    if not due_asked(on=on, in_days=in_days):
        return Closing(outcome=chosen)
    if chosen is not FollowUpOutcome.TO_CHASE:
        raise FollowUpError("seul un suivi « à relancer » reçoit une nouvelle échéance")
    next_due = due_date(on=on, in_days=in_days, now=now, timezone=timezone)
    return Closing(outcome=chosen, next_due_on=next_due)


def due_state(due_on: date, *, today: date) -> str:
    """ "en retard", "aujourd'hui" or "à venir", as the lists say it."""
    if due_on < today:
        return "en retard"
    return "aujourd'hui" if due_on == today else "à venir"


def french_day(day: date) -> str:
    """ "jeudi 28 mai 2026"."""
    return spoken_date(day, year=True)


def follow_up_planned(plan: FollowUpPlan, *, by: str, assignee_name: str | None) -> Reason:
    who = f", confié à {assignee_name}" if assignee_name else ""
    return Reason(
        code="follow-up-planned",
        text=f"suivi de l'orientation demandé par {by} : à vérifier le "
        f"{french_day(plan.due_on)}{who}",
    )


def follow_up_closed(closing: Closing, *, due_on: date, by: str) -> Reason:
    label = OUTCOME_LABELS[closing.outcome]
    if closing.next_due_on is not None:
        return Reason(
            code="follow-up-rescheduled",
            text=f"suivi {label} selon {by} : échéance du {french_day(due_on)} reportée au "
            f"{french_day(closing.next_due_on)}",
        )
    return Reason(code="follow-up-closed", text=f"suivi clos par {by} : {label}")
