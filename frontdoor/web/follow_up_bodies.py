"""An orientation's follow-up as the JSON API is asked for it, with the response or
afterwards (frontdoor.web.api, frontdoor.web.follow_ups_api): one reader of the body, one
reason."""

from __future__ import annotations

from aiohttp import web

from frontdoor.core.department import Department
from frontdoor.core.follow_ups import (
    FollowUpError,
    FollowUpPlan,
    assignable,
    follow_up_planned,
    plan_follow_up,
)
from frontdoor.core.reasons import Reason
from frontdoor.keys import CLOCK, DEPARTMENTS

FOLLOW_UP_KEYS = frozenset({"due_on", "in_days", "assigned_to"})
FOLLOW_UP_EXPECTED = '{"due_on": "2026-05-28"} or {"in_days": 15}, "assigned_to" optional'


def department_named(request: web.Request, slug: str) -> Department:
    department = request.app[DEPARTMENTS].for_slug(slug)
    if department is None:
        raise web.HTTPNotFound(text="no such request")
    return department


def wanted_follow_up(
    request: web.Request, department: str, asked: object, *, kind: str
) -> FollowUpPlan:
    """The follow-up a body asks for: 400 when not the object expected, 422 in French when
    it cannot be planned."""
    if not isinstance(asked, dict) or not set(asked) <= FOLLOW_UP_KEYS:
        raise web.HTTPBadRequest(text=f"follow_up: expected {FOLLOW_UP_EXPECTED}")
    configured = department_named(request, department)
    try:
        return plan_follow_up(
            kind=kind, on=asked.get("due_on"), in_days=asked.get("in_days"),
            assignee=asked.get("assigned_to"), referents=assignable(configured),
            now=request.app[CLOCK](), timezone=configured.calendar.timezone,
        )  # fmt: skip
    except FollowUpError as error:
        raise web.HTTPUnprocessableEntity(text=str(error)) from None


def planned_reason(
    request: web.Request, department: str, wanted: FollowUpPlan, *, by: str
) -> Reason:
    names = assignable(department_named(request, department))
    return follow_up_planned(wanted, by=by, assignee_name=names.get(wanted.assigned_to or ""))
