"""The team and the line as the coordinator changed them in the console, over the file.

The department file stays the source of what it declares; the console's changes are laid over
it, in the order they were made:

- a referent added in the console joins the team (rung when an override or an imported
  calendar puts her on duty); a referent removed is taken off the team, the rota, the backup
  list and every override; a changed phone number replaces the file's;
- a change about a referent remembers what the file said of her when it was made. When the
  file now says something else of her (it was edited since: another name, another number, or
  it declares the id a console addition used), the file wins and the change is set aside;
- closures added in the console add to the file's; the console removes only its own.

Pure: the file's department and the changes come in, the department calls use comes out.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum

from frontdoor.core.calendar import Closure, require_aware
from frontdoor.core.department import Department
from frontdoor.core.roster import (
    Override,
    OverrideKind,
    Reach,
    Referent,
    Roster,
    Rotation,
    Shift,
)


class TeamChangeKind(StrEnum):
    REFERENT_ADDED = "referent-added"
    REFERENT_REMOVED = "referent-removed"
    PHONE_CHANGED = "phone-changed"
    CLOSURE_ADDED = "closure-added"
    CLOSURE_REMOVED = "closure-removed"
    # A referent chose where she is rung (core.browser_phone): her own choice, which the
    # file does not declare, so an edit of the file never sets it aside.
    REACH_CHANGED = "reach-changed"


@dataclass(kw_only=True, frozen=True)
class TeamChange:
    """One change made in the console; ``id`` orders them and names a closure to remove.

    ``file_said`` is the file's entry for the referent when the change was made
    (``file_entry``), None when the file did not declare her.
    """

    id: int
    kind: TeamChangeKind
    referent_id: str | None = None
    name: str | None = None
    phone: str | None = None
    file_said: str | None = None
    starts: datetime | None = None
    ends: datetime | None = None
    reason: str | None = None
    closure_change_id: int | None = None  # CLOSURE_REMOVED: the CLOSURE_ADDED it undoes
    reach: Reach | None = None  # REACH_CHANGED: where she is rung now
    client: str | None = None  # REACH_CHANGED: her browser's identity at Twilio

    def __post_init__(self) -> None:
        about_referent = self.kind in (
            TeamChangeKind.REFERENT_ADDED,
            TeamChangeKind.REFERENT_REMOVED,
            TeamChangeKind.PHONE_CHANGED,
            TeamChangeKind.REACH_CHANGED,
        )
        if about_referent != (self.referent_id is not None):
            raise ValueError("a referent's id goes with a change about a referent, and only so")
        if self.kind is TeamChangeKind.REFERENT_ADDED and not (self.name and self.phone):
            raise ValueError("a referent added needs a name and a phone number")
        if self.kind is TeamChangeKind.PHONE_CHANGED and not self.phone:
            raise ValueError("a phone number change needs the new number")
        if (self.kind is TeamChangeKind.REACH_CHANGED) != (self.reach is not None):
            raise ValueError("where a referent is rung goes with a change of it, and only so")
        if self.reach in (Reach.BROWSER, Reach.BOTH) and not self.client:
            raise ValueError("a referent rung in her browser needs her browser's identity")
        if self.kind is TeamChangeKind.CLOSURE_ADDED:
            if self.starts is None or self.ends is None:
                raise ValueError("a closure needs a start and an end")
            require_aware(self.starts)
            require_aware(self.ends)
            if self.ends.astimezone(UTC) <= self.starts.astimezone(UTC):
                raise ValueError("a closure must end after it starts")
        if (self.kind is TeamChangeKind.CLOSURE_REMOVED) != (self.closure_change_id is not None):
            raise ValueError("the closure to remove goes with a closure removal, and only so")


def file_entry(referent: Referent | None) -> str | None:
    """What the file says of a referent, as a change remembers it."""
    return None if referent is None else f"{referent.name} | {referent.phone}"


@dataclass(kw_only=True, frozen=True)
class TeamState:
    """The team and the console's closures after the changes, and the changes set aside."""

    referents: Mapping[str, Referent]
    removed: frozenset[str]  # the file's referents the console took off the team
    closures: Mapping[int, Closure]  # the console's, by the id of the change that added it
    set_aside: tuple[int, ...]  # changes the file has overtaken since


def team_state(file_referents: Mapping[str, Referent], changes: Iterable[TeamChange]) -> TeamState:
    """The file's referents with the console's changes laid over them, in order."""
    referents = dict(file_referents)
    removed: set[str] = set()
    closures: dict[int, Closure] = {}
    set_aside: list[int] = []
    for change in sorted(changes, key=lambda c: c.id):
        if change.kind is TeamChangeKind.CLOSURE_ADDED and change.starts and change.ends:
            closures[change.id] = Closure(
                starts=change.starts,
                ends=change.ends,
                reason=change.reason or "fermeture exceptionnelle",
            )
            continue
        if change.kind is TeamChangeKind.CLOSURE_REMOVED:
            closures.pop(change.closure_change_id or 0, None)
            continue
        referent_id = change.referent_id or ""
        if change.kind is TeamChangeKind.REACH_CHANGED:
            if referent_id in referents and change.reach is not None:
                referents[referent_id] = replace(
                    referents[referent_id], reach=change.reach, client=change.client
                )
            continue
        if change.file_said != file_entry(file_referents.get(referent_id)):
            set_aside.append(change.id)  # the file was edited since: it wins
            continue
        if change.kind is TeamChangeKind.REFERENT_ADDED:
            referents[referent_id] = Referent(
                id=referent_id, name=change.name or "", phone=change.phone or ""
            )
            removed.discard(referent_id)
        elif change.kind is TeamChangeKind.REFERENT_REMOVED:
            referents.pop(referent_id, None)
            removed.add(referent_id)
        elif referent_id in referents:  # PHONE_CHANGED
            referents[referent_id] = replace(referents[referent_id], phone=change.phone or "")
    return TeamState(
        referents=referents,
        removed=frozenset(removed & set(file_referents)),
        closures=closures,
        set_aside=tuple(set_aside),
    )


def effective_department(department: Department, changes: Iterable[TeamChange]) -> Department:
    """The department as calls and the console use it: its file's, with the console's team
    and closures laid over (see the module's rules)."""
    state = team_state(department.referents, changes)
    gone = frozenset(department.referents) - frozenset(state.referents)
    calendar = department.calendar
    if state.closures:
        calendar = replace(calendar, closures=(*calendar.closures, *state.closures.values()))
    return replace(
        department,
        referents=state.referents,
        roster=without_referents(department.roster, gone),
        calendar=calendar,
    )


def without_referents(roster: Roster, gone: frozenset[str]) -> Roster:
    """The roster with these referents off every shift, rotation, backup list and override."""
    if not gone:
        return roster

    def kept(ids: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(i for i in ids if i not in gone)

    def concerns(override: Override) -> bool:
        return override.referent_id in gone or (
            override.kind is OverrideKind.REPLACE and override.instead_of in gone
        )

    return replace(
        roster,
        shifts=tuple(
            Shift(weekdays=s.weekdays, hours=s.hours, referent_ids=kept(s.referent_ids))
            for s in roster.shifts
        ),
        rotations=tuple(
            Rotation(
                weekdays=r.weekdays,
                hours=r.hours,
                anchor=r.anchor,
                weeks=tuple(kept(week) for week in r.weeks),
            )
            for r in roster.rotations
        ),
        backup=kept(roster.backup),
        overrides=tuple(o for o in roster.overrides if not concerns(o)),
    )


class TeamRefused(ValueError):
    """Why a change of the team cannot be made, in French."""


MAX_NAME_CHARS = 120


def new_referent_id(name: str, taken: Iterable[str]) -> str:
    """An id for a referent added in the console, from her name: "Élodie Lefèvre" →
    "elodie-lefevre" (then "-2", "-3"… when taken, by the file or an earlier addition)."""
    folded = unicodedata.normalize("NFKD", name.casefold())
    words = re.findall(r"[a-z0-9]+", "".join(c for c in folded if not unicodedata.combining(c)))
    base = "-".join(words)[:50] or "referent"
    used = set(taken)
    candidate, n = base, 1
    while candidate in used:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def referent_added(
    file_referents: Mapping[str, Referent],
    state: TeamState,
    *,
    name: str,
    phone: str,
    referent_id: str | None = None,
) -> TeamChange:
    """A referent joins the team: a new one (her id made from her name), or one of the
    file's the console had removed (``referent_id``), with the name and number given."""
    name = " ".join(name.split())
    if not name:
        raise TeamRefused("nom du référent : à renseigner")
    if len(name) > MAX_NAME_CHARS:
        raise TeamRefused(f"nom du référent : au plus {MAX_NAME_CHARS} caractères")
    if referent_id is None:
        referent_id = new_referent_id(name, (*file_referents, *state.referents))
    elif referent_id not in state.removed:
        raise TeamRefused("ce référent fait déjà partie de l'équipe")
    return TeamChange(
        id=0,
        kind=TeamChangeKind.REFERENT_ADDED,
        referent_id=referent_id,
        name=name,
        phone=phone,
        file_said=file_entry(file_referents.get(referent_id)),
    )


def referent_removed(
    file_referents: Mapping[str, Referent], state: TeamState, referent_id: str
) -> TeamChange:
    """A referent leaves the team (never the last one: the line would ring nobody)."""
    if referent_id not in state.referents:
        raise TeamRefused("référent inconnu dans ce département")
    if len(state.referents) == 1:
        raise TeamRefused("l'équipe ne peut pas rester sans référent")
    return TeamChange(
        id=0,
        kind=TeamChangeKind.REFERENT_REMOVED,
        referent_id=referent_id,
        file_said=file_entry(file_referents.get(referent_id)),
    )


def phone_changed(
    file_referents: Mapping[str, Referent], state: TeamState, referent_id: str, phone: str
) -> TeamChange:
    if referent_id not in state.referents:
        raise TeamRefused("référent inconnu dans ce département")
    if state.referents[referent_id].phone == phone:
        raise TeamRefused("c'est déjà son numéro")
    return TeamChange(
        id=0,
        kind=TeamChangeKind.PHONE_CHANGED,
        referent_id=referent_id,
        phone=phone,
        file_said=file_entry(file_referents.get(referent_id)),
    )


def closure_added(*, starts: datetime, ends: datetime, reason: str) -> TeamChange:
    """An exceptional closure of the line (a team seminar, a *pont*)."""
    try:
        return TeamChange(
            id=0,
            kind=TeamChangeKind.CLOSURE_ADDED,
            starts=starts,
            ends=ends,
            reason=" ".join(reason.split())[:200] or "fermeture exceptionnelle",
        )
    except ValueError:
        raise TeamRefused("fermeture : la fin doit venir après le début") from None


def closure_removed(state: TeamState, closure_change_id: int) -> TeamChange:
    """Only a closure the console added; the file's are changed in the file."""
    if closure_change_id not in state.closures:
        raise TeamRefused("fermeture introuvable")
    return TeamChange(
        id=0, kind=TeamChangeKind.CLOSURE_REMOVED, closure_change_id=closure_change_id
    )
