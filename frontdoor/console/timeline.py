"""A request's timeline: its events, messages, notes and non-oppositions in one order."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from frontdoor.console.labels import EVENTS, label, message_title, name_of
from frontdoor.core import overflow
from frontdoor.core.consents import current_stances
from frontdoor.core.request_fields import NonOpposition
from frontdoor.store.models import Message, NonOppositionRecord, RequestEvent, RequestNote


@dataclass(kw_only=True, frozen=True)
class Entry:
    at: datetime
    title: str
    who: str | None = None
    text: str | None = None  # personal data (a message, a note): shown, never logged
    reasons: tuple[str, ...] = ()
    kind: str = "event"  # "event", "message", "note"
    details: dict[str, Any] = field(default_factory=dict)


def timeline(
    *,
    events: Sequence[RequestEvent],
    messages: Sequence[Message],
    notes: Sequence[RequestNote],
    names: Mapping[str, str] | None = None,
) -> list[Entry]:
    """``names``: referents' and accounts' names by id and login, shown instead of them."""
    names = names or {}
    entries = [
        Entry(
            at=event.at,
            title=label(EVENTS, event.kind),
            who=name_of(names, event.referent_id, default="") or _line_of(event),
            reasons=tuple(str(reason.get("text", "")) for reason in event.reasons),
            details={"attempt": event.attempt, "detail": event.detail},
        )
        for event in events
    ]
    entries += [
        Entry(
            at=message.at,
            title=message_title(message.channel, message.direction, message.status),
            who=name_of(names, message.author, default="") or None,
            text=message.body,
            kind="message",
            details={"status": message.status, "kind": message.kind},
        )
        for message in messages
    ]
    entries += [
        Entry(
            at=note.at,
            title="Note",
            who=name_of(names, note.author, default="") or None,
            text=note.body,
            kind="note",
        )
        for note in notes
    ]
    # Non-oppositions appear through their events ("non-opposition"), which say who and what.
    # Stable: entries at the same instant keep the order in which they were written.
    return sorted(entries, key=lambda entry: entry.at)


def _line_of(event: RequestEvent) -> str | None:
    """Who an event of a leg that is no referent's is about: the overflow line's."""
    return "ligne de débordement" if event.detail == overflow.TAKER else None


def latest_stances(
    records: Sequence[NonOppositionRecord],
) -> dict[NonOpposition, NonOppositionRecord]:
    """The stance in force for each non-opposition: the last one recorded."""
    return current_stances(records)
