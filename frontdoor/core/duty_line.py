"""The duty board's live part: who is on a call, how many callers wait and since when the
longest waits, in French as the board shows it; and whether it changed since last shown."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo

from frontdoor.core.waiting import Waiter


@dataclass(kw_only=True, frozen=True)
class DutyLine:
    """The line now, as the board writes it (equal lines show the same)."""

    on_a_call: str  # "En ligne : Anne Martin, Bruno Leroy" or "En ligne : personne"
    waiting: str  # "Aucun appel en attente", "2 appels en attente, le premier depuis 14:02"
    callers_waiting: int


def duty_line(
    *,
    busy: Iterable[str],
    names: Mapping[str, str],
    waiters: Iterable[Waiter],
    timezone: tzinfo,
) -> DutyLine:
    """What the board says of the line: the referents on a call by name (an id the
    department no longer names as itself), the callers waiting and the longest wait's start."""
    talking = sorted(names.get(referent, referent) for referent in busy)
    since = sorted(waiter.enqueued_at for waiter in waiters)
    return DutyLine(
        on_a_call=f"En ligne : {', '.join(talking) if talking else 'personne'}",
        waiting=_waiting_text(len(since), since[0] if since else None, timezone),
        callers_waiting=len(since),
    )


def _waiting_text(count: int, longest: datetime | None, timezone: tzinfo) -> str:
    if count == 0 or longest is None:
        return "Aucun appel en attente"
    start = f"{longest.astimezone(timezone):%H:%M}"
    if count == 1:
        return f"1 appel en attente depuis {start}"
    return f"{count} appels en attente, le premier depuis {start}"


def line_news(shown: DutyLine | None, now: DutyLine) -> DutyLine | None:
    """The line to send the board: None when it shows this already."""
    return None if shown == now else now
