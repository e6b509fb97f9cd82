"""The JSON API of callback tasks: list them, call the person back, close them.

Calls back go out from the department's number through Twilio (click-to-call): Frontdoor
rings the referent's phone, then bridges to the person. Never from a personal phone.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.core.callbacks import (
    OUTCOME_LABELS_FR,
    CallbackOutcome,
    close_task,
    is_overdue,
)
from frontdoor.core.numbers import is_withheld
from frontdoor.core.reasons import Reason
from frontdoor.core.voice_actions import Next
from frontdoor.outbound.twilio_api import OutboundError
from frontdoor.store.models import CallbackTaskRow, Request
from frontdoor.store.requests import record_event, request_by_id
from frontdoor.store.tasks import as_task, copy_task, open_tasks
from frontdoor.voice.twiml import url_of
from frontdoor.web.api import Caller, caller_of
from frontdoor.web.keys import CLOCK, DEPARTMENTS, SESSIONS, SETTINGS, TWILIO_API


def _task_json(row: CallbackTaskRow, now: Any) -> dict[str, Any]:
    task = as_task(row)
    return {
        "id": row.id,
        "request_id": row.request_id,
        "department": row.department,
        "created_at": row.created_at.isoformat(),
        "due_at": row.due_at.isoformat(),
        "overdue": is_overdue(task, now),
        "assignees": row.assignees,
        "status": row.status,
        "outcome": row.outcome,
        "closed_at": row.closed_at.isoformat() if row.closed_at else None,
        "closed_by": row.closed_by,
        "escalated_at": row.escalated_at.isoformat() if row.escalated_at else None,
        "calls_placed": row.calls_placed,
        "reasons": row.reasons,
    }


async def _own_task(
    request: web.Request, caller: Caller, session: AsyncSession
) -> tuple[CallbackTaskRow, Request]:
    try:
        task_id = int(request.match_info["task_id"])
    except ValueError:
        raise web.HTTPNotFound(text="no such task") from None
    row = await session.get(CallbackTaskRow, task_id)
    if row is None or row.department != caller.department:
        raise web.HTTPNotFound(text="no such task")
    owner = await request_by_id(session=session, request_id=row.request_id)
    assert owner is not None
    return row, owner


async def list_tasks(request: web.Request) -> web.Response:
    caller = caller_of(request)
    now = request.app[CLOCK]()
    async with request.app[SESSIONS]() as session:
        rows = await open_tasks(session=session, department=caller.department)
        return web.json_response({"data": [_task_json(r, now) for r in rows], "count": len(rows)})


async def close(request: web.Request) -> web.Response:
    caller = caller_of(request)
    try:
        payload = await request.json()
        outcome = CallbackOutcome(payload["outcome"])
    except (json.JSONDecodeError, TypeError, KeyError, ValueError):
        known = ", ".join(o.value for o in CallbackOutcome)
        raise web.HTTPUnprocessableEntity(text=f'expected {{"outcome": one of {known}}}') from None
    now = request.app[CLOCK]()
    async with request.app[SESSIONS]() as session:
        row, owner = await _own_task(request, caller, session)
        try:
            closed = close_task(as_task(row), outcome=outcome, at=now, by=caller.referent)
        except ValueError as error:
            raise web.HTTPConflict(text=str(error)) from None
        copy_task(closed, row)
        session.add(row)
        event = record_event(
            session,
            owner,
            kind="callback-closed",
            at=now,
            referent_id=caller.referent,
            detail=outcome.value,
        )
        event.reasons = [
            Reason(
                code="callback-closed",
                text=f"rappel clos par {caller.referent} : {OUTCOME_LABELS_FR[outcome]}",
            ).as_dict()
        ]
        await session.commit()
        return web.json_response(_task_json(row, now))


async def call_back(request: web.Request) -> web.Response:
    """Ring the referent's phone; when they press 1, Frontdoor dials the person."""
    caller = caller_of(request)
    app = request.app
    department = app[DEPARTMENTS].for_slug(caller.department)
    referent = department.referents.get(caller.referent) if department else None
    if department is None or referent is None:
        raise web.HTTPForbidden(text="only a referent of the department can call back")
    now = app[CLOCK]()
    async with app[SESSIONS]() as session:
        row, owner = await _own_task(request, caller, session)
        if row.status != "open":
            raise web.HTTPConflict(text="this callback is already closed")
        if is_withheld(owner.caller_number):
            raise web.HTTPConflict(text="no number to call back (withheld)")
        bridge = url_of(Next(step="callback", params=(("task", str(row.id)),)))
        try:
            call_sid = await app[TWILIO_API].place_call(
                to=referent.phone,
                from_=department.number,
                url=app[SETTINGS].public_url + bridge,
            )
        except OutboundError as error:
            raise web.HTTPBadGateway(text=f"Twilio refused the call: {error}") from None
        row.calls_placed += 1
        session.add(row)
        event = record_event(
            session, owner, kind="callback-call", at=now, referent_id=referent.id, leg_sid=call_sid
        )
        event.reasons = [
            Reason(
                code="callback-call", text=f"rappel lancé par {referent.id} depuis le numéro du DAC"
            ).as_dict()
        ]
        await session.commit()
    return web.json_response({"call_sid": call_sid}, status=202)


def add_routes(app: web.Application) -> None:
    app.router.add_get("/api/tasks", list_tasks)
    app.router.add_post("/api/tasks/{task_id}/close", close)
    app.router.add_post("/api/tasks/{task_id}/call", call_back)
