"""How many notices of new contacts one recipient gets: a budget per department and
recipient (a referent's phone, or the mailbox's notify_address), shared by every kind of
notice (a new SMS, a new mail, a voicemail); the alerts of late callbacks (the escalation) have
a budget of their own, by the same rule (Topic).

Every contact is stored and shown in the console whatever the budget says: only the SMS (or
mail) telling of it is held back. Within the budget, each notice goes as it is. Past it, the
notices are held and counted; when the window has room again, the next one to go is a single
summary of those held ("DAC du Lot : 37 nouvelles sollicitations depuis 14 h 05…"), sent by
the next contact or by the `notice-summaries` job, whichever comes first. The summary counts
in the window as a notice does: a recipient never gets more than `limit` notices in any
`window`, however many senders write and for however long.

The numbers (NOTICES): six in a rolling hour. A DAC takes a few dozen requests on a busy
day, most of them by phone; the written ones (SMS, mail) and the voicemails that notify come
a handful an hour at the busiest (a discharge team sending its Friday list, a Monday
morning). Six covers that with room, and past six the referent is at the console anyway:
one more SMS per contact would only be noise on a phone they also use for calls. A flood
from many senders (a script, a hostile tester, a mailing gone wrong) then costs six SMS per
referent on duty in its first hour, and at most six an hour after that, instead of one per
contact and referent. The alerts of late callbacks follow the same rule, under a budget of
their own: a flood out of hours makes as many callback tasks, all late at the same deadline,
and the escalation's recipients would otherwise get one SMS for each at the same minute.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from zoneinfo import ZoneInfo

from frontdoor.core.calendar import require_aware
from frontdoor.core.spoken import spoken_time


@dataclass(kw_only=True, frozen=True)
class Policy:
    limit: int  # notices in any window, the summaries included
    window: timedelta


# Six notices per recipient in any rolling hour (see above for why).
NOTICES = Policy(limit=6, window=timedelta(hours=1))


@dataclass(kw_only=True, frozen=True)
class Budget:
    """What one recipient was sent lately, and what was held back from them."""

    sent: tuple[datetime, ...] = ()  # the notices sent within the window, oldest first
    held: int = 0  # notices held back since the last one sent
    held_since: datetime | None = None  # when the first of them came


class Verdict(Enum):
    SEND = "send"  # the notice, as it is
    SUMMARY = "summary"  # instead of it, one notice telling of those held and itself
    HOLD = "hold"  # nothing now: counted for the next summary


@dataclass(kw_only=True, frozen=True)
class Choice:
    verdict: Verdict
    budget: Budget  # the recipient's budget after it
    count: int = 1  # how many contacts it tells of (a summary's, those held and this one)
    since: datetime | None = None  # a summary: since when they came


def consider(budget: Budget, *, at: datetime, policy: Policy = NOTICES) -> Choice:
    """What to do with one more notice for this recipient at ``at``."""
    require_aware(at)
    recent = _recent(budget, at, policy)
    if len(recent) >= policy.limit:
        held = Budget(sent=recent, held=budget.held + 1, held_since=budget.held_since or at)
        return Choice(verdict=Verdict.HOLD, budget=held, count=0)
    after = Budget(sent=(*recent, at))
    if budget.held:
        return Choice(verdict=Verdict.SUMMARY, budget=after, count=budget.held + 1,
                      since=budget.held_since or at)  # fmt: skip
    return Choice(verdict=Verdict.SEND, budget=after)


def summary_due(budget: Budget, *, at: datetime, policy: Policy = NOTICES) -> Choice | None:
    """The summary of the notices held back, if there are some and the window has room at
    ``at``; else None (nothing held, or not yet)."""
    require_aware(at)
    if not budget.held:
        return None
    recent = _recent(budget, at, policy)
    if len(recent) >= policy.limit:
        return None
    return Choice(verdict=Verdict.SUMMARY, budget=Budget(sent=(*recent, at)),
                  count=budget.held, since=budget.held_since or at)  # fmt: skip


def room_at(budget: Budget, *, policy: Policy = NOTICES) -> datetime | None:
    """When the window has room again for one more notice; None when it has room now (or
    whenever the next one comes)."""
    if len(budget.sent) < policy.limit:
        return None
    return sorted(budget.sent)[-policy.limit] + policy.window


class Topic(Enum):
    """What a budget's notices are about: each recipient has a budget per topic."""

    CONTACTS = "contacts"  # a new SMS, mail or voicemail
    LATE_CALLBACKS = "late-callbacks"  # a callback past its deadline (the escalation)


# What a summary says, by topic: (one, many with {count}, "trop pour les annoncer …").
_SUMMARY_WORDS = {
    Topic.CONTACTS: ("1 nouvelle sollicitation", "{count} nouvelles sollicitations", "une à une"),
    Topic.LATE_CALLBACKS: ("1 rappel en retard", "{count} rappels en retard", "un à un"),
}


def summary_text(
    department_name: str, *, count: int, since: datetime, at: datetime, timezone: ZoneInfo,
    topic: Topic = Topic.CONTACTS,
) -> str:  # fmt: skip
    """The one SMS (or mail subject) that stands for the notices held back: how many, since
    when; never who, never a number or an address."""
    require_aware(since)
    local, today = since.astimezone(timezone), at.astimezone(timezone).date()
    when = spoken_time(local.time().replace(second=0, microsecond=0))
    if local.date() != today:
        when = f"le {local:%d/%m} à {when}"
    one, many, each = _SUMMARY_WORDS[topic]
    what = one if count == 1 else many.format(count=count)
    return (
        f"{department_name} : {what} depuis {when}, trop pour les annoncer {each}. "
        "À traiter dans Frontdoor."
    )


def _recent(budget: Budget, at: datetime, policy: Policy) -> tuple[datetime, ...]:
    """The notices sent within the window that ends at ``at`` (one stamped later, a replay's
    clock behind the others, still counts: never more room than the last hour left)."""
    return tuple(sorted(t for t in budget.sent if t > at - policy.window))
