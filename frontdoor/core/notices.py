"""What referents and the coordinator are told, and when: pure texts and choices.

No content of a request ever goes in a notice: numbers, names and messages stay in the store.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from frontdoor.core.calendar import Opening, require_aware
from frontdoor.core.department import Department
from frontdoor.core.reasons import Reason
from frontdoor.core.roster import DutyPeriod, on_duty
from frontdoor.core.spoken import spoken_time


@dataclass(kw_only=True, frozen=True)
class ShiftStart:
    referent_id: str
    starts: datetime
    ends: datetime


def shift_starts(
    periods: Sequence[DutyPeriod], *, after: datetime, until: datetime
) -> list[ShiftStart]:
    """Referents whose duty begins in (after, until], with when it ends.

    ``periods`` are consecutive duty periods (core.roster.duty_periods) covering the window
    and the rest of the day; a referent on duty across several periods has one shift.
    """
    require_aware(after)
    require_aware(until)
    starts: list[ShiftStart] = []
    for index, period in enumerate(periods):
        if not after < period.starts <= until:
            continue
        before = periods[index - 1] if index else None
        for referent_id in period.duty.referent_ids:
            continuing = (
                before is not None
                and before.ends == period.starts
                and referent_id in before.duty.referent_ids
            )
            if continuing:
                continue
            ends = period.ends
            for following in periods[index + 1 :]:
                if following.starts != ends or referent_id not in following.duty.referent_ids:
                    break
                ends = following.ends
            starts.append(ShiftStart(referent_id=referent_id, starts=period.starts, ends=ends))
    return starts


def shift_start_text(department_name: str, shift: ShiftStart, *, open_callbacks: int) -> str:
    """The SMS a referent gets as their duty begins."""
    hours = f"de {spoken_time(shift.starts.time())} à {spoken_time(shift.ends.time())}"
    waiting = {0: "Aucun rappel en attente.", 1: "1 rappel en attente."}.get(
        open_callbacks, f"{open_callbacks} rappels en attente."
    )
    return f"{department_name} : vous êtes de permanence {hours}. {waiting}"


def escalation_text(department_name: str, reason_text: str) -> str:
    return f"{department_name} : {reason_text}"


@dataclass(kw_only=True, frozen=True)
class Recipients:
    """Who hears, in opening hours, of a new written contact (SMS, mail)."""

    referent_ids: tuple[str, ...]
    backup: bool  # nobody on duty: these are the backup list

    @property
    def nobody(self) -> bool:
        """Nobody to tell: the contact needs a callback."""
        return not self.referent_ids


def recipients(department: Department, *, at: datetime) -> Recipients:
    """The referents on duty at ``at``; the backup list when nobody is on duty."""
    duty = on_duty(at, department.roster, department.calendar.timezone)
    if duty.referent_ids:
        return Recipients(referent_ids=duty.referent_ids, backup=False)
    return Recipients(referent_ids=department.roster.backup, backup=True)


@dataclass(kw_only=True, frozen=True)
class VoicemailNotice:
    """Who is told at once that a caller left a voice message, and why them."""

    referent_ids: tuple[str, ...]
    reason: Reason


def voicemail_notice(
    department: Department, *, left_at: datetime, opening: Opening, already_told: bool
) -> VoicemailNotice | None:
    """As for a new SMS or mail: in opening hours only, the referents on duty, else the
    backup list; nobody out of hours (the callback task waits for the reopening), and never
    twice for one message."""
    require_aware(left_at)
    if already_told or not opening.is_open:
        return None
    told = recipients(department, at=left_at)
    if told.nobody:
        return None
    names = ", ".join(referent_names(department, told.referent_ids))
    text = f"personne de permanence ; prévenus : {names}" if told.backup else f"prévenus : {names}"
    return VoicemailNotice(
        referent_ids=told.referent_ids, reason=Reason(code="voicemail-notify", text=text)
    )


def referent_names(department: Department, referent_ids: Sequence[str]) -> list[str]:
    """The referents' names from the roster (an id no longer in it stays as it is)."""
    return [
        referent.name if (referent := department.referents.get(rid)) else rid
        for rid in referent_ids
    ]
