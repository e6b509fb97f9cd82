"""Duty from a calendar feed: events whose title names a referent put them on duty.

A coordinator who keeps the rota in a shared agenda (Thunderbird, Outlook, Nextcloud…)
exports it as iCalendar. Each event in the window, recurrences expanded, whose SUMMARY names
referents (by id or by name, ignoring case and accents) becomes one ``add`` override per
referent for the event's span. An all-day event covers the line's opening hours of each of
its days. An event naming nobody is reported, not dropped, so a typo in a title does not
silently leave a slot uncovered. Cancelled events are skipped.

An event that says it is an absence — its SUMMARY or one of its CATEGORIES holds one of the
words of ``ABSENCE_WORDS`` ("Congé Anne Martin", "Absence amartin", CATEGORIES:Congés) —
takes the referents it names off duty for its span instead (a ``remove`` override, which
wins over every rota and swap), so a team's shared holiday calendar can be imported too.

Pure: the text comes in, overrides and problems come out; fetching the feed is an edge's job.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import icalendar
import recurring_ical_events

from frontdoor.core.calendar import Calendar, open_slots, require_aware
from frontdoor.core.failures import describe_failure
from frontdoor.core.roster import Override, OverrideKind, Referent

# Words (folded by `normalized`) that make an event an absence rather than a duty.
ABSENCE_WORDS = frozenset(
    {"absence", "absences", "absent", "absente", "conge", "conges", "indisponible", "off"}
)


def is_absence(summary: str, categories: Iterable[str]) -> bool:
    """Whether an event's title or categories say it is an absence."""
    words = set(normalized(summary).split())
    for category in categories:
        words.update(normalized(category).split())
    return not words.isdisjoint(ABSENCE_WORDS)


@dataclass(kw_only=True, frozen=True)
class IcalProblem:
    """An event that could not be used: its position among the file's events (1 for the
    first; 0 for the file as a whole), its UID, and why, in French."""

    index: int
    uid: str | None
    message: str

    def __str__(self) -> str:
        where = f"événement n° {self.index}" if self.index else "fichier"
        return f"{where} ({self.uid}) : {self.message}" if self.uid else f"{where} : {self.message}"


@dataclass(kw_only=True, frozen=True)
class IcalRoster:
    overrides: tuple[Override, ...]
    problems: tuple[IcalProblem, ...]


def overrides_from_ical(
    text: str,
    *,
    referents: Mapping[str, Referent],
    calendar: Calendar,
    starts: datetime,
    ends: datetime,
) -> IcalRoster:
    """The overrides an iCalendar text makes within [starts, ends) (``add`` for a duty,
    ``remove`` for an absence), and its problems.

    ``calendar`` gives the department's time zone (for floating times) and its opening hours
    (for all-day events). Overrides are clipped to the window.
    """
    require_aware(starts)
    require_aware(ends)
    try:
        source = icalendar.Calendar.from_ical(text)
    except ValueError as error:
        return IcalRoster(
            overrides=(),
            problems=(
                IcalProblem(index=0, uid=None, message=f"illisible ({describe_failure(error)})"),
            ),
        )
    uids = _index_by_uid(source)
    window = (starts.astimezone(UTC), ends.astimezone(UTC))
    overrides: list[Override] = []
    unmatched: dict[tuple[int, str | None, str], list[datetime | date]] = {}
    problems = _without_start(source)
    try:
        # A day's margin either side: floating times are only placed in the zone below.
        occurrences = list(
            recurring_ical_events.of(source).between(
                starts - timedelta(days=1), ends + timedelta(days=1)
            )
        )
    except ValueError as error:
        return IcalRoster(
            overrides=(),
            problems=(
                IcalProblem(
                    index=0, uid=None, message=f"événements illisibles ({describe_failure(error)})"
                ),
            ),
        )
    for event in occurrences:
        if str(event.get("STATUS", "")).upper() == "CANCELLED":
            continue
        uid = str(event["UID"]) if "UID" in event else None
        index = uids.get(uid, 0) if uid else 0
        spans = _spans(event, calendar, window)
        if not spans:
            continue
        summary = str(event.get("SUMMARY", "")).strip()
        named = _named_referents(summary, referents)
        if not named:
            unmatched.setdefault((index, uid, summary), []).append(event.start)
            continue
        kind = OverrideKind.REMOVE if is_absence(summary, _categories(event)) else OverrideKind.ADD
        for span_start, span_end in spans:
            if span_end <= span_start:
                problems.append(
                    IcalProblem(index=index, uid=uid, message=f"« {summary} » dure zéro minute")
                )
                continue
            overrides.extend(
                Override(
                    starts=span_start.astimezone(calendar.timezone),
                    ends=span_end.astimezone(calendar.timezone),
                    kind=kind,
                    referent_id=referent_id,
                    reason=f"agenda : « {summary} »",
                )
                for referent_id in named
            )
    for (index, uid, summary), firsts in unmatched.items():
        first = min(_aware(moment, calendar) for moment in firsts)
        title = f"« {summary} »" if summary else "un événement sans titre"
        problems.append(
            IcalProblem(
                index=index,
                uid=uid,
                message=f"{title} ne nomme aucun référent (identifiant ou nom) : "
                f"{len(firsts)} occurrence(s) ignorée(s), la première le "
                f"{first.astimezone(calendar.timezone):%d/%m/%Y %H:%M}",
            )
        )
    overrides.sort(key=lambda o: (o.starts.astimezone(UTC), o.referent_id))
    problems.sort(key=lambda p: p.index)
    return IcalRoster(overrides=tuple(overrides), problems=tuple(problems))


def normalized(text: str) -> str:
    """Lowercase ASCII words separated by single spaces: "Élodie  Lefèvre-Roux" → "elodie
    lefevre roux"."""
    folded = text.casefold().replace("œ", "oe").replace("æ", "ae")
    decomposed = unicodedata.normalize("NFKD", folded)
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.findall(r"[a-z0-9]+", ascii_text))


def _named_referents(summary: str, referents: Mapping[str, Referent]) -> tuple[str, ...]:
    """Referents whose id or full name appears as whole words in the title, in roster order."""
    title = f" {normalized(summary)} "
    named = []
    for referent in referents.values():
        for needle in (normalized(referent.id), normalized(referent.name)):
            if needle and f" {needle} " in title:
                named.append(referent.id)
                break
    return tuple(named)


def _categories(event: Any) -> list[str]:
    """Every category of an event, however many CATEGORIES lines carry them."""
    found = event.get("CATEGORIES")
    if found is None:
        return []
    lines = found if isinstance(found, list) else [found]
    return [str(category) for line in lines for category in getattr(line, "cats", [line])]


def _without_start(source: icalendar.Calendar) -> list[IcalProblem]:
    """Take out the events that have no start (they cannot be placed), reporting each."""
    problems = []
    for position, component in enumerate(source.walk("VEVENT"), start=1):
        if "DTSTART" not in component:
            uid = str(component["UID"]) if "UID" in component else None
            problems.append(
                IcalProblem(index=position, uid=uid, message="événement sans début (DTSTART)")
            )
    source.subcomponents = [c for c in source.subcomponents if c.name != "VEVENT" or "DTSTART" in c]
    return problems


def _index_by_uid(source: icalendar.Calendar) -> dict[str, int]:
    """Each UID's position among the file's events (1 for the first), first occurrence wins."""
    indexes: dict[str, int] = {}
    for position, component in enumerate(source.walk("VEVENT"), start=1):
        if "UID" in component:
            indexes.setdefault(str(component["UID"]), position)
    return indexes


def _spans(
    event: Any, calendar: Calendar, window: tuple[datetime, datetime]
) -> list[tuple[datetime, datetime]]:
    """The UTC spans an occurrence puts someone on duty, clipped to the window."""
    begin, end = event.start, event.end  # without DTEND: a day, or no time at all (RFC 5545)
    if not isinstance(begin, datetime):  # all-day: the opening hours of each of its days
        lo = max(_aware(begin, calendar), window[0])
        hi = min(_aware(max(end, begin + timedelta(days=1)), calendar), window[1])
        return [
            (slot.starts.astimezone(UTC), slot.ends.astimezone(UTC))
            for slot in (open_slots(calendar, lo, hi) if lo < hi else [])
        ]
    span_start, span_end = _aware(begin, calendar), _aware(end, calendar)
    if span_end <= span_start:
        # Reported as lasting no time, if it falls in the window.
        return [(span_start, span_start)] if window[0] <= span_start < window[1] else []
    lo, hi = max(span_start, window[0]), min(span_end, window[1])
    return [(lo, hi)] if lo < hi else []


def _aware(moment: datetime | date, calendar: Calendar) -> datetime:
    """A UTC instant; floating times are the department's wall clock."""
    if not isinstance(moment, datetime):
        moment = datetime.combine(moment, time())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=calendar.timezone)
    return moment.astimezone(UTC)
