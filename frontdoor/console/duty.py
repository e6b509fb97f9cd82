"""Who is on duty now and next, the gaps ahead, and an override in two clicks.

Overrides made here are stored like the imported ones (source "console:<login>"), so every
instance applies them; this instance refreshes its copy at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from datetime import datetime, time, timedelta
from typing import Any

from aiohttp import web
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.console.auth import chosen_department, needs, viewer_of
from frontdoor.console.formats import short_moment
from frontdoor.console.labels import name_of
from frontdoor.console.live_feed import SIGNED_OUT, Endings, Event, serve
from frontdoor.console.live_streams import Ending
from frontdoor.console.pages import render
from frontdoor.core.absences import may_cancel_absence
from frontdoor.core.access import Action
from frontdoor.core.dates import local_instant
from frontdoor.core.department import Department
from frontdoor.core.duty_changes import (
    CONSOLE_SOURCE_PREFIX,
    DutyChangeRefused,
    console_source,
    duty_change,
    is_from_console,
    may_declare_absences,
)
from frontdoor.core.duty_line import DutyLine, duty_line, line_news
from frontdoor.core.roster import Override, duty_gaps, duty_periods, on_duty
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
from frontdoor.store.roster_overrides import (
    as_override,
    delete_override,
    keep_override,
    override_of,
    upcoming_overrides,
)
from frontdoor.store.waiting import LineState, line_state

AHEAD = timedelta(days=7)
GAPS_AHEAD = timedelta(days=14)
ICAL_PREFIX = "ical:"


def department_of(request: web.Request) -> Department:
    department = request.config_dict[DEPARTMENTS].for_slug(chosen_department(request))
    if department is None:
        raise web.HTTPNotFound(text="département introuvable")
    return department


def _source_text(source: str, accounts: Mapping[str, str]) -> str:
    """Where an override came from, in French: who entered it, or which calendar."""
    if is_from_console(source):
        login = source.removeprefix(CONSOLE_SOURCE_PREFIX)
        return f"saisi par {name_of(accounts, login)}"
    if source == FEED_SOURCE:
        return "calendrier iCal (abonnement)"
    if source.startswith(ICAL_PREFIX):
        return f"calendrier iCal {source.removeprefix(ICAL_PREFIX)}"
    return source


def _names(department: Department, ids: tuple[str, ...]) -> list[str]:
    return [department.referents[i].name if i in department.referents else i for i in ids]


def _referent_names(department: Department) -> dict[str, str]:
    return {rid: referent.name for rid, referent in department.referents.items()}


class DutyLinePage:
    """The department's line now, as every open board of it shows it: read once a look."""

    def __init__(self, department: Department) -> None:
        self.key = ("duty", department.slug)
        self.department = department

    async def read(self, session: AsyncSession, *, now: datetime) -> LineState:
        return await line_state(session, department=self.department, now=now)

    def made(self, line: LineState, *, now: datetime) -> DutyLine:
        department = self.department
        return duty_line(
            busy=line.busy,
            names=_referent_names(department),
            waiters=line.waiters,
            timezone=department.calendar.timezone,
        )


class DutyLineFeed:
    """The board's live part: who is on a call, how many wait and since when; sent to the
    browser each time it says something else than what the browser shows."""

    def __init__(self, page: DutyLinePage) -> None:
        self.page = page
        self.shown: DutyLine | None = None  # what the browser shows, as last sent

    def news(self, look: DutyLine, *, now: datetime) -> list[Event]:
        changed = line_news(self.shown, look)
        if changed is None:
            return []
        self.shown = changed
        return [Event(kind="ligne", data=asdict(changed))]


# The board's words when its stream ends for good, or is refused.
ENDINGS = Endings(
    farewells={
        Ending.REPLACED: "Mise à jour en direct arrêtée : la permanence est ouverte dans un "
        "autre onglet. Rechargez la page pour la reprendre ici.",
        Ending.SIGNED_OUT: SIGNED_OUT,
    },
    too_many="Trop de pages ouvertes en direct : rechargez la page dans un instant.",
)


@needs(Action.SEE_DUTY)
async def live(request: web.Request) -> web.StreamResponse:
    """Server-sent events: the line now (who is on a call, who waits), at each change."""
    department = department_of(request)
    feed = DutyLineFeed(DutyLinePage(department))
    return await serve(request, feed, department=department.slug, endings=ENDINGS)


@needs(Action.SEE_DUTY)
async def show(request: web.Request) -> web.StreamResponse:
    department = department_of(request)
    viewer = viewer_of(request)
    now = request.config_dict[CLOCK]()
    tz = department.calendar.timezone
    current = on_duty(now, department.roster, tz)
    periods = duty_periods(department.calendar, department.roster, now, now + AHEAD)
    gaps = duty_gaps(department.calendar, department.roster, now, now + GAPS_AHEAD)
    line = DutyLinePage(department)
    async with request.config_dict[SESSIONS]() as session:
        overrides = await upcoming_overrides(session=session, department=department.slug, after=now)
        accounts = await account_names(session=session, department=department.slug)
        # The line now (core.waiting): who is on a call, how many callers wait.
        line_now = await line.read(session, now=now)
    names = _referent_names(department)
    return render(
        "duty.html",
        request,
        {
            "department": department,
            "now_names": _names(department, current.referent_ids),
            "now_reason": current.reason.text,
            "line": line.made(line_now, now=now),
            "live": f"/console/astreinte/direct?departement={department.slug}",
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
                    "removable": is_from_console(row.source),
                }
                for row in overrides
            ],
            "referents": sorted(department.referents.values(), key=lambda r: r.name),
            "today": now.astimezone(tz).date().isoformat(),
            "may_override": viewer.may(Action.OVERRIDE_DUTY),
            "may_declare_absence": may_declare_absences(
                may_declare=viewer.may(Action.DECLARE_ABSENCE),
                own=viewer.referent_id,
                referents=department.referents,
                for_anyone=viewer.may(Action.OVERRIDE_DUTY),
            ),
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
                    from_console=is_from_console(row.source),
                    declared_by_viewer=row.source == console_source(viewer.login),
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
    try:
        return duty_change(
            referent_id=str(form.get("referent_id", "")),
            instead_of=str(form.get("instead_of", "")) or None,
            kind=str(form.get("kind", "")),
            starts=moment_of(request, form, department, STARTS_AT, STARTS_DATE, STARTS_TIME),
            ends=moment_of(request, form, department, ENDS_AT, ENDS_DATE, ENDS_TIME),
            reason=str(form.get("reason", "")),
            referents=department.referents,
        )
    except DutyChangeRefused as refused:
        raise web.HTTPBadRequest(text=str(refused)) from None


@needs(Action.OVERRIDE_DUTY)
@takes_dates(STARTS_DATE, STARTS_TIME, ENDS_DATE, ENDS_TIME, STARTS_AT, ENDS_AT)
async def add_override(request: web.Request) -> web.StreamResponse:
    department = department_of(request)
    override = _override_from(request, await read_form(request), department)
    async with request.config_dict[SESSIONS]() as session:
        await keep_override(
            session=session,
            department=department.slug,
            override=override,
            source=console_source(viewer_of(request).login),
            now=request.config_dict[CLOCK](),
        )
    await request.config_dict[STORE_COPIES].refresh()
    raise web.HTTPSeeOther(f"/console/astreinte?departement={department.slug}")


@needs(Action.OVERRIDE_DUTY)
async def remove_override(request: web.Request) -> web.StreamResponse:
    department = department_of(request)
    async with request.config_dict[SESSIONS]() as session:
        row = await override_of(
            session=session, department=department.slug, override_id=path_id(request, "override_id")
        )
        # Only the console's own: an imported calendar's are changed in that calendar.
        if row is None or not is_from_console(row.source):
            raise web.HTTPNotFound(text="changement introuvable")
        await delete_override(session=session, row=row)
    await request.config_dict[STORE_COPIES].refresh()
    raise web.HTTPSeeOther(f"/console/astreinte?departement={department.slug}")


ROUTES = [
    ("GET", "/astreinte", show),
    ("GET", "/astreinte/direct", live),
    ("POST", "/astreinte/changements", add_override),
    ("POST", "/astreinte/changements/{override_id}/suppression", remove_override),
]
