"""Who is on duty now and next, the gaps ahead, and an override in two clicks.

Overrides made here are stored like the imported ones (source "console:<login>"), so every
instance applies them; this instance refreshes its copy at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time, timedelta
from typing import Any

from aiohttp import web
from sqlmodel import col, select

from frontdoor.console.auth import chosen_department, needs, viewer_of
from frontdoor.console.formats import short_moment
from frontdoor.console.labels import name_of
from frontdoor.console.pages import render
from frontdoor.core.absences import may_cancel_absence
from frontdoor.core.access import Action
from frontdoor.core.dates import local_instant
from frontdoor.core.department import Department
from frontdoor.core.roster import Override, OverrideKind, duty_gaps, duty_periods, on_duty
from frontdoor.keys import CLOCK, DEPARTMENTS, SESSIONS, STORE_COPIES
from frontdoor.kit.bodies import path_id, read_form
from frontdoor.kit.date_parameters import (
    DateKind,
    DateParameter,
    day_of,
    instant_of,
    takes_dates,
    wall_time_of,
)
from frontdoor.roster_import import FEED_SOURCE
from frontdoor.store.accounts import account_names
from frontdoor.store.models import RosterOverrideRow
from frontdoor.store.roster_overrides import as_override, override_row

AHEAD = timedelta(days=7)
GAPS_AHEAD = timedelta(days=14)
SOURCE_PREFIX = "console:"
ICAL_PREFIX = "ical:"


def department_of(request: web.Request) -> Department:
    department = request.config_dict[DEPARTMENTS].for_slug(chosen_department(request))
    if department is None:
        raise web.HTTPNotFound(text="département introuvable")
    return department


def _source_text(source: str, accounts: Mapping[str, str]) -> str:
    """Where an override came from, in French: who entered it, or which calendar."""
    if source.startswith(SOURCE_PREFIX):
        login = source.removeprefix(SOURCE_PREFIX)
        return f"saisi par {name_of(accounts, login)}"
    if source == FEED_SOURCE:
        return "calendrier iCal (abonnement)"
    if source.startswith(ICAL_PREFIX):
        return f"calendrier iCal {source.removeprefix(ICAL_PREFIX)}"
    return source


def _names(department: Department, ids: tuple[str, ...]) -> list[str]:
    return [department.referents[i].name if i in department.referents else i for i in ids]


@needs(Action.SEE_DUTY)
async def show(request: web.Request) -> web.StreamResponse:
    department = department_of(request)
    viewer = viewer_of(request)
    now = request.config_dict[CLOCK]()
    tz = department.calendar.timezone
    current = on_duty(now, department.roster, tz)
    periods = duty_periods(department.calendar, department.roster, now, now + AHEAD)
    gaps = duty_gaps(department.calendar, department.roster, now, now + GAPS_AHEAD)
    async with request.config_dict[SESSIONS]() as session:
        overrides = (
            await session.exec(
                select(RosterOverrideRow)
                .where(
                    RosterOverrideRow.department == department.slug,
                    col(RosterOverrideRow.ends) > now,
                )
                .order_by(col(RosterOverrideRow.starts))
            )
        ).all()
        accounts = await account_names(session=session, department=department.slug)
    names = {rid: referent.name for rid, referent in department.referents.items()}
    return render(
        "duty.html",
        request,
        {
            "department": department,
            "now_names": _names(department, current.referent_ids),
            "now_reason": current.reason.text,
            "periods": [
                {
                    "starts": short_moment(period.starts, timezone=tz, now=now),
                    "ends": f"{period.ends.astimezone(tz):%H:%M}",
                    "starts_iso": period.starts.isoformat(),
                    "ends_iso": period.ends.isoformat(),
                    "referents": [
                        (i, department.referents[i].name if i in department.referents else i)
                        for i in period.duty.referent_ids
                    ],
                }
                for period in periods
            ],
            "gaps": [
                f"{short_moment(gap.starts, timezone=tz, now=now)} – "
                f"{short_moment(gap.ends, timezone=tz, now=now)}"
                for gap in gaps
            ],
            "overrides": [
                {
                    "id": row.id,
                    "text": as_override(row).describe(names),
                    "when": f"{short_moment(row.starts, timezone=tz, now=now)} – "
                    f"{short_moment(row.ends, timezone=tz, now=now)}",
                    "source": _source_text(row.source, accounts),
                    "removable": row.source.startswith(SOURCE_PREFIX),
                }
                for row in overrides
            ],
            "referents": sorted(department.referents.values(), key=lambda r: r.name),
            "today": now.astimezone(tz).date().isoformat(),
            "may_override": viewer.may(Action.OVERRIDE_DUTY),
            "may_declare_absence": viewer.may(Action.DECLARE_ABSENCE)
            and (viewer.referent_id in department.referents or viewer.may(Action.OVERRIDE_DUTY)),
            "absences": [
                {
                    "id": row.id,
                    "name": _names(department, (row.referent_id,))[0],
                    "when": f"{short_moment(row.starts, timezone=tz, now=now)} – "
                    f"{short_moment(row.ends, timezone=tz, now=now)}",
                    "reason": row.reason,
                }
                for row in overrides
                if may_cancel_absence(
                    as_override(row),
                    from_console=row.source.startswith(SOURCE_PREFIX),
                    declared_by_viewer=row.source == SOURCE_PREFIX + viewer.login,
                    own=viewer.referent_id,
                    for_anyone=viewer.may(Action.OVERRIDE_DUTY),
                )
            ],
        },
    )


# The form's dates and times, and the "unavailable for this period" button's instants.
STARTS_DATE = DateParameter(name="starts_date", kind=DateKind.DAY, source="form", label="du")
STARTS_TIME = DateParameter(name="starts_time", kind=DateKind.TIME, source="form", label="à")
ENDS_DATE = DateParameter(name="ends_date", kind=DateKind.DAY, source="form", label="au")
ENDS_TIME = DateParameter(name="ends_time", kind=DateKind.TIME, source="form", label="à")
STARTS_AT = DateParameter(
    name="starts_iso", kind=DateKind.INSTANT, source="form", label="début de la période"
)
ENDS_AT = DateParameter(
    name="ends_iso", kind=DateKind.INSTANT, source="form", label="fin de la période"
)


def moment_of(
    request: web.Request,
    form: Mapping[str, Any],
    department: Department,
    instant: DateParameter,
    day: DateParameter,
    wall: DateParameter,
) -> datetime:
    """An end of the change: the button's instant, else the form's local date and time."""
    moment = instant_of(request, form, instant.name)
    if moment is not None:
        return moment
    chosen = day_of(request, form, day.name)
    if chosen is None:
        raise web.HTTPBadRequest(text=f"{instant.label} : date à renseigner")
    at = wall_time_of(request, form, wall.name) or time(0)
    return local_instant(chosen, at, department.calendar.timezone)


def _override_from(
    request: web.Request, form: Mapping[str, Any], department: Department
) -> Override:
    get = form.get
    referent_id = str(get("referent_id", ""))
    instead_of = str(get("instead_of", "")) or None
    if referent_id not in department.referents or (
        instead_of is not None and instead_of not in department.referents
    ):
        raise web.HTTPBadRequest(text="référent inconnu dans ce département")
    try:
        kind = OverrideKind(str(get("kind", "")))
    except ValueError:
        raise web.HTTPBadRequest(
            text="changement : à choisir (remplace, renfort ou indisponible)"
        ) from None
    starts = moment_of(request, form, department, STARTS_AT, STARTS_DATE, STARTS_TIME)
    ends = moment_of(request, form, department, ENDS_AT, ENDS_DATE, ENDS_TIME)
    try:
        return Override(
            starts=starts,
            ends=ends,
            kind=kind,
            referent_id=referent_id,
            instead_of=instead_of if kind is OverrideKind.REPLACE else None,
            reason=str(get("reason", "")).strip()[:200] or "modifié depuis la console",
        )
    except ValueError as error:
        raise web.HTTPBadRequest(text=f"changement de permanence invalide : {error}") from None


@needs(Action.OVERRIDE_DUTY)
@takes_dates(STARTS_DATE, STARTS_TIME, ENDS_DATE, ENDS_TIME, STARTS_AT, ENDS_AT)
async def add_override(request: web.Request) -> web.StreamResponse:
    department = department_of(request)
    override = _override_from(request, await read_form(request), department)
    async with request.config_dict[SESSIONS]() as session:
        session.add(
            override_row(
                department.slug,
                override,
                source=SOURCE_PREFIX + viewer_of(request).login,
                now=request.config_dict[CLOCK](),
            )
        )
        await session.commit()
    await request.config_dict[STORE_COPIES].refresh()
    raise web.HTTPSeeOther(f"/console/astreinte?departement={department.slug}")


@needs(Action.OVERRIDE_DUTY)
async def remove_override(request: web.Request) -> web.StreamResponse:
    department = department_of(request)
    override_id = path_id(request, "override_id")
    if override_id is None:
        raise web.HTTPNotFound(text="changement introuvable")
    async with request.config_dict[SESSIONS]() as session:
        row = await session.get(RosterOverrideRow, override_id)
        # Only the console's own: an imported calendar's are changed in that calendar.
        if (
            row is None
            or row.department != department.slug
            or not row.source.startswith(SOURCE_PREFIX)
        ):
            raise web.HTTPNotFound(text="changement introuvable")
        await session.delete(row)
        await session.commit()
    await request.config_dict[STORE_COPIES].refresh()
    raise web.HTTPSeeOther(f"/console/astreinte?departement={department.slug}")


ROUTES = [
    ("GET", "/astreinte", show),
    ("POST", "/astreinte/changements", add_override),
    ("POST", "/astreinte/changements/{override_id}/suppression", remove_override),
]
