"""A referent's absence, declared in the console: whose it may be, and the duty change it is.

An absence is stored as a ``remove`` override (core.roster), like the duty board's
"Indisponible", so every instance applies it and it wins over any rota, swap or calendar.
"""

from __future__ import annotations

from datetime import datetime

from frontdoor.core.roster import Override, OverrideKind

ABSENCE_REASON = "absence"


class AbsenceRefused(ValueError):
    """Why an absence cannot be declared, in French."""


def absent_referent(*, asked: str | None, own: str | None, for_anyone: bool) -> str:
    """Whose absence this is: one's own (``asked`` empty or one's own id); anyone's only for
    who may change duty (a coordinator)."""
    if asked and asked != own:
        if for_anyone:
            return asked
        raise AbsenceRefused("vous ne pouvez déclarer que votre propre absence")
    if own is None:
        raise AbsenceRefused("votre compte n'est lié à aucun référent de la permanence")
    return own


def absence(*, referent_id: str, starts: datetime, ends: datetime, reason: str) -> Override:
    """The duty change an absence is: off duty from ``starts`` to ``ends``, whatever else says."""
    words = reason.strip()[:180]
    return Override(
        starts=starts,
        ends=ends,
        kind=OverrideKind.REMOVE,
        referent_id=referent_id,
        reason=f"{ABSENCE_REASON} : {words}" if words else ABSENCE_REASON,
    )


def may_cancel_absence(
    override: Override,
    *,
    from_console: bool,
    declared_by_viewer: bool,
    own: str | None,
    for_anyone: bool,
) -> bool:
    """A console absence may be cancelled by whom it concerns, who declared it, or a
    coordinator; an imported calendar's only in that calendar."""
    if override.kind is not OverrideKind.REMOVE or not from_console:
        return False
    return for_anyone or declared_by_viewer or (own is not None and override.referent_id == own)
