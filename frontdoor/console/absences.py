"""A referent declares her own absence (a coordinator anyone's), and may cancel it.

Stored as a duty change of the console (core.absences: a ``remove`` override, source
"console:<login>"), so every instance applies it; this instance refreshes its copy at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time, timedelta
from typing import Any

from aiohttp import web

from frontdoor.console.auth import needs, viewer_of
from frontdoor.console.duty import ENDS_DATE, ENDS_TIME, STARTS_DATE, STARTS_TIME, department_of
from frontdoor.core.absences import AbsenceRefused, absence, absent_referent, may_cancel_absence
from frontdoor.core.access import Action
from frontdoor.core.dates import local_instant
from frontdoor.core.department import Department
from frontdoor.core.duty_changes import console_source, is_from_console
from frontdoor.keys import CLOCK, SESSIONS, STORE_COPIES
from frontdoor.kit.bodies import path_id, read_form
from frontdoor.kit.date_parameters import DateParameter, day_of, takes_dates, wall_time_of
from frontdoor.store.roster_overrides import (
    as_override,
    delete_override,
    keep_override,
    override_of,
)


def span_edge(
    request: web.Request,
    form: Mapping[str, Any],
    department: Department,
    day: DateParameter,
    wall: DateParameter,
    *,
    end: bool,
    what: str,
) -> datetime:
    """A day and an optional time; without a time, the start of the first day or the end
    of the last ("du 12 au 14 mai": the 14th included). ``what`` names it in an error."""
    chosen = day_of(request, form, day.name)
    if chosen is None:
        raise web.HTTPBadRequest(text=f"{what} {day.label} : date à renseigner")
    at = wall_time_of(request, form, wall.name)
    if at is None and end:
        chosen, at = chosen + timedelta(days=1), time(0)
    return local_instant(chosen, at or time(0), department.calendar.timezone)


def _board(department: Department) -> web.HTTPSeeOther:
    return web.HTTPSeeOther(f"/console/astreinte?departement={department.slug}#absences")


@needs(Action.DECLARE_ABSENCE)
@takes_dates(STARTS_DATE, STARTS_TIME, ENDS_DATE, ENDS_TIME)
async def declare(request: web.Request) -> web.StreamResponse:
    department = department_of(request)
    viewer = viewer_of(request)
    form = await read_form(request)
    try:
        referent_id = absent_referent(
            asked=str(form.get("referent_id", "")) or None,
            own=viewer.referent_id,
            for_anyone=viewer.may(Action.OVERRIDE_DUTY),
        )
    except AbsenceRefused as refused:
        raise web.HTTPBadRequest(text=str(refused)) from None
    if referent_id not in department.referents:
        raise web.HTTPBadRequest(text="référent inconnu dans ce département")
    try:
        change = absence(
            referent_id=referent_id,
            starts=span_edge(
                request, form, department, STARTS_DATE, STARTS_TIME, end=False, what="absence"
            ),
            ends=span_edge(
                request, form, department, ENDS_DATE, ENDS_TIME, end=True, what="absence"
            ),
            reason=str(form.get("reason", "")),
        )
    except ValueError:
        raise web.HTTPBadRequest(text="absence : la fin doit venir après le début") from None
    async with request.config_dict[SESSIONS]() as session:
        await keep_override(
            session=session,
            department=department.slug,
            override=change,
            source=console_source(viewer.login),
            now=request.config_dict[CLOCK](),
        )
    await request.config_dict[STORE_COPIES].refresh()
    raise _board(department)


@needs(Action.DECLARE_ABSENCE)
async def cancel(request: web.Request) -> web.StreamResponse:
    department = department_of(request)
    viewer = viewer_of(request)
    async with request.config_dict[SESSIONS]() as session:
        row = await override_of(
            session=session, department=department.slug, override_id=path_id(request, "absence_id")
        )
        if row is None or not may_cancel_absence(
            as_override(row),
            from_console=is_from_console(row.source),
            declared_by_viewer=row.source == console_source(viewer.login),
            own=viewer.referent_id,
            for_anyone=viewer.may(Action.OVERRIDE_DUTY),
        ):
            raise web.HTTPNotFound(text="absence introuvable")
        await delete_override(session=session, row=row)
    await request.config_dict[STORE_COPIES].refresh()
    raise _board(department)


ROUTES = [
    ("POST", "/astreinte/absences", declare),
    ("POST", "/astreinte/absences/{absence_id}/suppression", cancel),
]
