"""The JSON API of callback tasks: list them, call the person back, close them.

Calls back go out from the department's number through Twilio (click-to-call): Frontdoor
rings the referent's phone, then bridges to the person. Never from a personal phone.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.actions.callbacks import (
    CallbackRefused,
    Refusal,
    close_callback,
    place_callback,
)
from frontdoor.core.callbacks import CallbackOutcome, is_overdue
from frontdoor.keys import CLOCK, DEPARTMENTS, SESSIONS, SETTINGS
from frontdoor.kit.bodies import path_id, read_json
from frontdoor.kit.callers import Caller, caller_of, journal
from frontdoor.kit.twilio_accounts import twilio_api_for
from frontdoor.store.models import CallbackTaskRow, Request
from frontdoor.store.requests import request_by_id
from frontdoor.store.tasks import as_task, open_tasks


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
    task_id = path_id(request, "task_id")
    if task_id is None:
        raise web.HTTPNotFound(text="no such task")
    row = await session.get(CallbackTaskRow, task_id)
    if row is None or row.department != caller.department:
        raise web.HTTPNotFound(text="no such task")
    owner = await request_by_id(session=session, request_id=row.request_id)
    assert owner is not None
    # Journaled before anything is changed or refused (nothing else is pending yet).
    journal(request, caller, session, [row.request_id])
    await session.commit()
    return row, owner


async def list_tasks(request: web.Request) -> web.Response:
    caller = caller_of(request)
    now = request.app[CLOCK]()
    async with request.app[SESSIONS]() as session:
        rows = await open_tasks(session=session, department=caller.department)
        # What it shows, journaled as a request's page is: one row per request listed.
        journal(request, caller, session, [row.request_id for row in rows], "api_list")
        await session.commit()
        return web.json_response({"data": [_task_json(r, now) for r in rows], "count": len(rows)})


async def close(request: web.Request) -> web.Response:
    caller = caller_of(request)
    try:
        payload = await read_json(request)
        outcome = CallbackOutcome(payload["outcome"])
    except (web.HTTPBadRequest, TypeError, KeyError, ValueError):
        known = ", ".join(o.value for o in CallbackOutcome)
        raise web.HTTPUnprocessableEntity(text=f'expected {{"outcome": one of {known}}}') from None
    now = request.app[CLOCK]()
    async with request.app[SESSIONS]() as session:
        row, owner = await _own_task(request, caller, session)
        try:
            close_callback(
                session=session, row=row, owner=owner, outcome=outcome, by=caller.referent, now=now
            )
        except ValueError as error:
            raise web.HTTPConflict(text=str(error)) from None
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
    async with app[SESSIONS]() as session:
        row, owner = await _own_task(request, caller, session)
        try:
            call_sid = await place_callback(
                session=session,
                row=row,
                owner=owner,
                department=department,
                referent=referent,
                twilio_api=twilio_api_for(app, department.slug),
                public_url=app[SETTINGS].public_url,
                now=app[CLOCK](),
            )
        except CallbackRefused as refused:
            raise _api_error(refused) from None
        await session.commit()
    return web.json_response({"call_sid": call_sid}, status=202)


def _api_error(refused: CallbackRefused) -> web.HTTPException:
    if refused.refusal is Refusal.CLOSED:
        return web.HTTPConflict(text="this callback is already closed")
    if refused.refusal is Refusal.WITHHELD:
        return web.HTTPConflict(text="no number to call back (withheld)")
    return web.HTTPBadGateway(text=f"Twilio refused the call: {refused.detail}")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/api/tasks", list_tasks)
    app.router.add_post("/api/tasks/{task_id}/close", close)
    app.router.add_post("/api/tasks/{task_id}/call", call_back)
