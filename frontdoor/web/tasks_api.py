"""The JSON API of callback tasks: call the person back, close them (lists_api lists them).

Calls back go out from the department's number through Twilio (click-to-call): Frontdoor
rings the referent's phone, then bridges to the person. Never from a personal phone.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.actions import answering
from frontdoor.actions.actor import NotFound, Refused
from frontdoor.actions.api_opening import actor_of
from frontdoor.core.callbacks import CallbackOutcome, is_overdue
from frontdoor.core.request_work import CallbackRefusal
from frontdoor.keys import CLOCK, DEPARTMENTS, SESSIONS
from frontdoor.kit.bodies import path_id, read_json
from frontdoor.kit.callers import Caller, caller_of
from frontdoor.kit.runtime import JOB_RUNTIME
from frontdoor.store.models import CallbackTaskRow
from frontdoor.store.tasks import as_task, task_by_id

NO_TASK = "no such task"


def task_json(row: CallbackTaskRow, now: Any) -> dict[str, Any]:
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


async def _request_of_task(request: web.Request, caller: Caller, session: AsyncSession) -> int:
    """The request of the task in the path, if it is the caller's department's (404
    otherwise); the action then opens it (department check and audit row)."""
    row = await task_by_id(session=session, task_id=path_id(request, "task_id"))
    if row is None or row.department != caller.department:
        raise web.HTTPNotFound(text=NO_TASK)
    return row.request_id


async def close(request: web.Request) -> web.Response:
    caller = caller_of(request)
    try:
        payload = await read_json(request)
        outcome = CallbackOutcome(payload["outcome"])
    except (web.HTTPBadRequest, TypeError, KeyError, ValueError):
        known = ", ".join(o.value for o in CallbackOutcome)
        raise web.HTTPUnprocessableEntity(text=f'expected {{"outcome": one of {known}}}') from None
    async with request.app[SESSIONS]() as session:
        try:
            _found, row = await answering.close_callback_task(
                session=session, actor=actor_of(caller),
                request_id=await _request_of_task(request, caller, session), outcome=outcome,
                runtime=request.app[JOB_RUNTIME], purpose="api_write",
            )  # fmt: skip
        except NotFound:
            raise web.HTTPNotFound(text=NO_TASK) from None
        except Refused as refused:
            raise _api_error(refused) from None
        return web.json_response(task_json(row, request.app[CLOCK]()))


async def call_back(request: web.Request) -> web.Response:
    """Ring the referent's phone; when they press 1, Frontdoor dials the person."""
    caller = caller_of(request)
    app = request.app
    department = app[DEPARTMENTS].for_slug(caller.department)
    referent = department.referents.get(caller.referent) if department else None
    if department is None or referent is None:
        raise web.HTTPForbidden(text="only a referent of the department can call back")
    async with app[SESSIONS]() as session:
        try:
            _found, call_sid = await answering.call_back(
                session=session, actor=actor_of(caller),
                request_id=await _request_of_task(request, caller, session),
                runtime=app[JOB_RUNTIME], purpose="api_write",
            )  # fmt: skip
        except NotFound:
            raise web.HTTPNotFound(text=NO_TASK) from None
        except Refused as refused:
            raise _api_error(refused) from None
    return web.json_response({"call_sid": call_sid}, status=202)


def _api_error(refused: Refused) -> web.HTTPException:
    if refused.code == CallbackRefusal.CLOSED:
        return web.HTTPConflict(text="this callback is already closed")
    if refused.code == CallbackRefusal.WITHHELD:
        return web.HTTPConflict(text="no number to call back (withheld)")
    if refused.code == CallbackRefusal.NO_CALLBACK:
        return web.HTTPForbidden(text="only a referent of the department can call back")
    return web.HTTPBadGateway(text=f"Twilio refused the call: {refused.detail}")


def add_routes(app: web.Application) -> None:
    app.router.add_post("/api/tasks/{task_id}/close", close)
    app.router.add_post("/api/tasks/{task_id}/call", call_back)
