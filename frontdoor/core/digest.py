"""The coordinator's daily digest: yesterday's activity, callbacks, uncovered hours ahead."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from frontdoor.core.calendar import WEEKDAY_NAMES_FR
from frontdoor.core.roster import DutyGap

DIGEST_HOUR = 7  # local time

OUTCOME_LABELS = {
    "taken": "pris par un référent",
    "overflowed": "pris par la ligne de débordement",
    "voicemail": "message laissé",
    "abandoned": "raccroché avant réponse",
    "closed": "ligne fermée, sans message",
    "public_not_allowed": "particulier réorienté",
    "in_progress": "en cours",
}


def digest_due(local_now: datetime) -> bool:
    """Sent in the hour after DIGEST_HOUR, local time (the job runs hourly)."""
    return local_now.hour == DIGEST_HOUR


def digest_text(
    *,
    department_name: str,
    day: datetime,
    outcomes: Mapping[str, int],
    open_callbacks: int,
    overdue_callbacks: int,
    gaps: Sequence[DutyGap],
) -> str:
    total = sum(outcomes.values())
    lines = [
        f"{department_name} — synthèse du {WEEKDAY_NAMES_FR[day.weekday()]} {day:%d/%m/%Y}",
        "",
        f"Appels reçus : {total}",
    ]
    lines += [
        f"  - {OUTCOME_LABELS.get(outcome, outcome)} : {count}"
        for outcome, count in sorted(outcomes.items(), key=lambda item: -item[1])
    ]
    lines += ["", f"Rappels à faire : {open_callbacks}, dont {overdue_callbacks} en retard"]
    if gaps:
        lines += ["", "Heures d'ouverture sans personne de permanence (14 jours) :"]
        lines += [
            f"  - {WEEKDAY_NAMES_FR[g.starts.weekday()]} {g.starts:%d/%m %H:%M} – {g.ends:%H:%M}"
            for g in gaps
        ]
    else:
        lines += ["", "Permanence assurée sur toutes les heures d'ouverture des 14 jours à venir."]
    return "\n".join(lines) + "\n"
