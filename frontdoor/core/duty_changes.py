"""Duty changes made in the console: what a change is, and which the console may undo.

A change made in the console is stored like an imported calendar's override, with the source
"console:<login>"; the console removes only its own (an imported calendar's are changed in
that calendar, and come back with its next import otherwise).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from frontdoor.core.roster import Override, OverrideKind

CONSOLE_SOURCE_PREFIX = "console:"
DEFAULT_REASON = "modifié depuis la console"
REASON_LENGTH = 200


class DutyChangeRefused(ValueError):
    """Why a duty change cannot be made, in French."""


def console_source(login: str) -> str:
    """The source a change made in the console by `login` is stored under."""
    return CONSOLE_SOURCE_PREFIX + login


def is_from_console(source: str) -> bool:
    return source.startswith(CONSOLE_SOURCE_PREFIX)


def duty_change(
    *, referent_id: str, instead_of: str | None, kind: str, starts: datetime, ends: datetime,
    reason: str, referents: Collection[str],
) -> Override:  # fmt: skip
    """The override a coordinator's form asks for: referents of the department only;
    ``instead_of`` kept for a replacement only."""
    if referent_id not in referents or (instead_of is not None and instead_of not in referents):
        raise DutyChangeRefused("référent inconnu dans ce département")
    try:
        chosen = OverrideKind(kind)
    except ValueError:
        raise DutyChangeRefused(
            "changement : à choisir (remplace, renfort ou indisponible)"
        ) from None
    try:
        return Override(
            starts=starts,
            ends=ends,
            kind=chosen,
            referent_id=referent_id,
            instead_of=instead_of if chosen is OverrideKind.REPLACE else None,
            reason=reason.strip()[:REASON_LENGTH] or DEFAULT_REASON,
        )
    except ValueError as error:
        raise DutyChangeRefused(f"changement de permanence invalide : {error}") from None


def may_declare_absences(
    *, may_declare: bool, own: str | None, referents: Collection[str], for_anyone: bool
) -> bool:
    """Whether the duty board offers the absence form: to who may declare one and is a
    referent of the department, or may declare anyone's (a coordinator)."""
    return may_declare and (own in referents or for_anyone)
