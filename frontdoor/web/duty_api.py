"""Who is on duty now, in the JSON API: GET /api/duty, the caller's department.

The referents on duty at this instant (the roster with its overrides, core.roster.on_duty, as
the console's duty page and the routing read it) with why, and whether the line is open
(core.calendar.opening_at). Names and ids; their phone numbers only with the scope
duty:phones (a coordinator's token: the team page's), never with a static key. Staff data
only, no request: nothing is journaled.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from frontdoor.core.calendar import opening_at
from frontdoor.core.roster import on_duty
from frontdoor.keys import CLOCK, DEPARTMENTS
from frontdoor.kit.callers import caller_of, require_scope


def _moment(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


async def get_duty(request: web.Request) -> web.Response:
    caller = caller_of(request)
    require_scope(caller, "duty:read")
    department = request.app[DEPARTMENTS].for_slug(caller.department)
    if department is None:
        raise web.HTTPNotFound(text="no such department")
    now = request.app[CLOCK]()
    duty = on_duty(now, department.roster, department.calendar.timezone)
    opening = opening_at(now, department.calendar)
    phones = "duty:phones" in caller.scopes
    referents = []
    for referent_id in duty.referent_ids:
        known = department.referents.get(referent_id)
        shown: dict[str, Any] = {"id": referent_id, "name": known.name if known else referent_id}
        if phones:
            shown["phone"] = known.phone if known else None
        referents.append(shown)
    return web.json_response(
        {
            "department": department.slug,
            "at": now.astimezone(department.calendar.timezone).isoformat(),
            "on_duty": referents,
            "reason": duty.reason.as_dict(),
            "open": opening.is_open,
            "opening_reason": opening.reason.as_dict(),
            "closes_at": _moment(opening.closes_at),
            "reopens_at": _moment(opening.reopens_at),
        }
    )


def add_routes(app: web.Application) -> None:
    app.router.add_get("/api/duty", get_duty, allow_head=False)
