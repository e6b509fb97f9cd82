"""The team and the line, changed by a coordinator without a restart (core.team).

Referents added or removed, a phone number changed, exceptional closures added or removed:
each is one row of `team_changes` (who, when, what, before), laid over the department file
by every instance at its next refresh, and by this one at once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from aiohttp import web

from frontdoor.console.absences import span_edge
from frontdoor.console.auth import needs, viewer_of
from frontdoor.console.duty import department_of
from frontdoor.console.formats import short_moment
from frontdoor.console.pages import render
from frontdoor.core.access import Action
from frontdoor.core.browser_phone import REACH_LABELS
from frontdoor.core.department import Department
from frontdoor.core.roster import Reach
from frontdoor.core.team import (
    TeamChange,
    TeamChangeKind,
    TeamRefused,
    TeamState,
    closure_added,
    closure_removed,
    file_entry,
    phone_changed,
    referent_added,
    referent_removed,
    team_state,
)
from frontdoor.directory.imported import e164
from frontdoor.keys import CLOCK, DEPARTMENTS, SESSIONS, STORE_COPIES
from frontdoor.kit.bodies import path_id, read_form
from frontdoor.kit.date_parameters import DateKind, DateParameter, takes_dates
from frontdoor.store.models import TeamChangeRow
from frontdoor.store.team_changes import department_changes, record_change, team_journal

FROM_DATE = DateParameter(name="from_date", kind=DateKind.DAY, source="form", label="du")
FROM_TIME = DateParameter(name="from_time", kind=DateKind.TIME, source="form", label="à")
TO_DATE = DateParameter(name="to_date", kind=DateKind.DAY, source="form", label="au")
TO_TIME = DateParameter(name="to_time", kind=DateKind.TIME, source="form", label="à")

KIND_LABELS: Mapping[TeamChangeKind, str] = {
    TeamChangeKind.REFERENT_ADDED: "référent ajouté",
    TeamChangeKind.REFERENT_REMOVED: "référent retiré",
    TeamChangeKind.PHONE_CHANGED: "numéro changé",
    TeamChangeKind.CLOSURE_ADDED: "fermeture ajoutée",
    TeamChangeKind.CLOSURE_REMOVED: "fermeture retirée",
    TeamChangeKind.REACH_CHANGED: "joignable ailleurs",
}


def _file(request: web.Request, department: Department) -> Department:
    configured = request.config_dict[DEPARTMENTS].as_configured(department.slug)
    return configured if configured is not None else department


async def _state(
    request: web.Request, file: Department
) -> tuple[TeamState, tuple[TeamChange, ...]]:
    async with request.config_dict[SESSIONS]() as session:
        changes = await department_changes(session=session, department=file.slug)
    return team_state(file.referents, changes), changes


def _what(row: TeamChangeRow, department: Department, now: datetime) -> str:
    tz = department.calendar.timezone
    kind = TeamChangeKind(row.kind)
    if kind is TeamChangeKind.REFERENT_ADDED:
        return f"{row.name} ({row.phone})"
    if kind is TeamChangeKind.REFERENT_REMOVED:
        return f"{row.referent_id} (était : {row.before})"
    if kind is TeamChangeKind.PHONE_CHANGED:
        return f"{row.referent_id} : {row.before} → {row.phone}"
    if kind is TeamChangeKind.REACH_CHANGED and row.reach:
        return f"{row.referent_id} : {REACH_LABELS[Reach(row.reach)]}"
    if kind is TeamChangeKind.CLOSURE_ADDED and row.starts and row.ends:
        return (
            f"{short_moment(row.starts, timezone=tz, now=now)} – "
            f"{short_moment(row.ends, timezone=tz, now=now)} : {row.reason}"
        )
    return f"{row.before}"


@needs(Action.EDIT_TEAM)
async def show(request: web.Request) -> web.StreamResponse:
    department = department_of(request)
    file = _file(request, department)
    now = request.config_dict[CLOCK]()
    tz = department.calendar.timezone
    state, changes = await _state(request, file)
    set_aside = frozenset(state.set_aside)
    async with request.config_dict[SESSIONS]() as session:
        journal = await team_journal(session=session, department=department.slug)

    def moment(at: datetime) -> str:
        return short_moment(at, timezone=tz, now=now)

    return render(
        "team.html",
        request,
        {
            "department": department,
            "referents": [
                {
                    "id": referent.id,
                    "name": referent.name,
                    "phone": referent.phone,
                    "origin": "fichier"
                    if file_entry(referent) == file_entry(file.referents.get(referent.id))
                    else "console",
                }
                for referent in sorted(state.referents.values(), key=lambda r: r.name)
            ],
            "removed": [file.referents[i] for i in sorted(state.removed)],
            "file_closures": [
                f"{moment(c.starts)} – {moment(c.ends)} : {c.reason}"
                for c in file.calendar.closures
                if c.ends > now
            ],
            "closures": [
                {"id": change_id, "text": f"{moment(c.starts)} – {moment(c.ends)} : {c.reason}"}
                for change_id, c in sorted(state.closures.items(), key=lambda i: i[1].starts)
                if c.ends > now
            ],
            "journal": [
                {
                    "when": moment(row.created_at),
                    "who": row.created_by,
                    "kind": KIND_LABELS[TeamChangeKind(row.kind)],
                    "what": _what(row, department, now),
                    "set_aside": row.id in set_aside,
                }
                for row in journal
            ],
            "today": now.astimezone(tz).date().isoformat(),
        },
    )


def _phone(form: Mapping[str, Any], department: Department) -> str:
    # Typed as the DAC's people write it: "0692 …" in La Réunion (core.numbers.parse_phone).
    phone = e164(str(form.get("phone", "")), department.phone_region)
    if phone is None:
        raise TeamRefused("numéro de téléphone invalide (par exemple 06 12 34 56 78)")
    return phone


async def _record(request: web.Request, department: Department, change: TeamChange) -> None:
    """Store the change with who made it and what it replaced, then refresh this copy."""
    before = None
    if change.referent_id is not None:
        current = department.referents.get(change.referent_id)
        before = file_entry(current)
        if change.kind is TeamChangeKind.PHONE_CHANGED and current is not None:
            before = current.phone
    elif change.kind is TeamChangeKind.CLOSURE_REMOVED:
        async with request.config_dict[SESSIONS]() as session:
            added = await session.get(TeamChangeRow, change.closure_change_id)
        if added is not None and added.starts and added.ends:
            tz = department.calendar.timezone
            before = (
                f"{added.starts.astimezone(tz):%d/%m/%Y %H:%M} – "
                f"{added.ends.astimezone(tz):%d/%m/%Y %H:%M} : {added.reason}"
            )
    async with request.config_dict[SESSIONS]() as session:
        await record_change(
            session=session,
            department=department.slug,
            change=change,
            before=before,
            by=viewer_of(request).login,
            now=request.config_dict[CLOCK](),
        )
        await session.commit()
    await request.config_dict[STORE_COPIES].refresh()


def _back(department: Department, anchor: str = "") -> web.HTTPSeeOther:
    return web.HTTPSeeOther(f"/console/equipe?departement={department.slug}{anchor}")


# What a form asks for: (form, the file's department, the team now, the department) → change.
MakeChange = Callable[[Mapping[str, Any], Department, TeamState, Department], TeamChange]


async def _change(request: web.Request, make: MakeChange, anchor: str) -> web.StreamResponse:
    """Parse, decide (core.team), record: the shape of every form of the page."""
    department = department_of(request)
    file = _file(request, department)
    form = await read_form(request)
    state, _changes = await _state(request, file)
    try:
        change = make(form, file, state, department)
    except TeamRefused as refused:
        raise web.HTTPBadRequest(text=str(refused)) from None
    await _record(request, department, change)
    raise _back(department, anchor)


@needs(Action.EDIT_TEAM)
async def add_referent(request: web.Request) -> web.StreamResponse:
    return await _change(
        request,
        lambda form, file, state, department: referent_added(
            file.referents,
            state,
            name=str(form.get("name", "")),
            phone=_phone(form, department),
            referent_id=str(form.get("referent_id", "")) or None,
        ),
        "#referents",
    )


@needs(Action.EDIT_TEAM)
async def remove_referent(request: web.Request) -> web.StreamResponse:
    referent_id = request.match_info["referent_id"]
    return await _change(
        request,
        lambda _f, file, state, _d: referent_removed(file.referents, state, referent_id),
        "#referents",
    )


@needs(Action.EDIT_TEAM)
async def change_phone(request: web.Request) -> web.StreamResponse:
    referent_id = request.match_info["referent_id"]
    return await _change(
        request,
        lambda form, file, state, department: phone_changed(
            file.referents, state, referent_id, _phone(form, department)
        ),
        "#referents",
    )


@needs(Action.EDIT_TEAM)
@takes_dates(FROM_DATE, FROM_TIME, TO_DATE, TO_TIME)
async def add_closure(request: web.Request) -> web.StreamResponse:
    return await _change(
        request,
        lambda form, _f, _s, department: closure_added(
            starts=span_edge(
                request, form, department, FROM_DATE, FROM_TIME, end=False, what="fermeture"
            ),
            ends=span_edge(request, form, department, TO_DATE, TO_TIME, end=True, what="fermeture"),
            reason=str(form.get("reason", "")),
        ),
        "#fermetures",
    )


@needs(Action.EDIT_TEAM)
async def remove_closure(request: web.Request) -> web.StreamResponse:
    closure_id = path_id(request, "closure_id")
    return await _change(
        request,
        lambda _f, _file, state, _d: closure_removed(state, closure_id or 0),
        "#fermetures",
    )


ROUTES = [
    ("GET", "/equipe", show),
    ("POST", "/equipe/referents", add_referent),
    ("POST", "/equipe/referents/{referent_id}/suppression", remove_referent),
    ("POST", "/equipe/referents/{referent_id}/telephone", change_phone),
    ("POST", "/equipe/fermetures", add_closure),
    ("POST", "/equipe/fermetures/{closure_id}/suppression", remove_closure),
]
