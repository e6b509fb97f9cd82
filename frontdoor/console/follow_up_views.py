"""How the console shows follow-ups of orientations: on the request's responses block, and
in the referents' list of those due (beside the requests, with no personal data: the
request's number, the resource, the day and who it is given to)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from frontdoor.core.department import Department
from frontdoor.core.follow_ups import (
    OUTCOME_LABELS,
    STATUS_LABELS,
    assignable,
    due_state,
    french_day,
    local_today,
)
from frontdoor.store.follow_ups import DueFollowUp, earlier_days
from frontdoor.store.models import FollowUp


def follow_ups_block(
    department: Department | None, follow_ups: Mapping[int, FollowUp], *, now: datetime
) -> dict[str, Any]:
    """What the request's responses block shows of its follow-ups, and offers."""
    if department is None:
        return {"follow_ups": {}, "follow_up_referents": {}, "follow_up_outcomes": {}}
    today = local_today(now, department.calendar.timezone)
    return {
        "follow_ups": {
            response_id: {
                "row": row,
                "due": french_day(row.due_on),
                "state": due_state(row.due_on, today=today),
                "status": _said(STATUS_LABELS, row.status),
                "outcome": _said(OUTCOME_LABELS, row.outcome or ""),
                "earlier": [french_day(day) for day in earlier_days(row)],
            }
            for response_id, row in follow_ups.items()
        },
        "follow_up_referents": assignable(department),
        "follow_up_outcomes": {code.value: text for code, text in OUTCOME_LABELS.items()},
    }


def _said(labels: Mapping[Any, str], code: str) -> str:
    """A code's French label; a code this version no longer names, as it is."""
    return {str(known): text for known, text in labels.items()}.get(code, code)


@dataclass(kw_only=True, frozen=True)
class DueItem:
    request_id: int
    resource: str
    due: str
    state: str
    assignee: str


def due_items(
    department: Department, due: Sequence[DueFollowUp], *, now: datetime
) -> list[DueItem]:
    today = local_today(now, department.calendar.timezone)
    names = assignable(department)
    return [
        DueItem(
            request_id=item.follow_up.request_id,
            resource=item.resource_name or "ressource non nommée",
            due=french_day(item.follow_up.due_on),
            state=due_state(item.follow_up.due_on, today=today),
            assignee=names.get(item.follow_up.assigned_to or "", "personne"),
        )
        for item in due
    ]
