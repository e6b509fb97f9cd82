"""The follow-up of an orientation recorded earlier, through the JSON API: asked for, then
closed with what was found ("to_chase" with a new day keeps it open). The same keys,
department and journal as the responses (frontdoor.web.api)."""

from __future__ import annotations

from aiohttp import web

from frontdoor.actions.api_opening import own_request
from frontdoor.core.follow_ups import FollowUpError, follow_up_closed, parse_closing
from frontdoor.keys import CLOCK, SESSIONS
from frontdoor.kit.bodies import path_id
from frontdoor.kit.callers import caller_of
from frontdoor.store.follow_ups import close, follow_up_of, plan, response_of
from frontdoor.web.api import as_json, json_object, traced
from frontdoor.web.follow_up_bodies import (
    FOLLOW_UP_EXPECTED,
    FOLLOW_UP_KEYS,
    department_named,
    planned_reason,
    wanted_follow_up,
)


async def put_follow_up(request: web.Request) -> web.Response:
    """Ask for the follow-up of an orientation recorded earlier (409 when it has one)."""
    caller = caller_of(request)
    payload = await json_object(
        request, required=set(), optional=FOLLOW_UP_KEYS, expected=FOLLOW_UP_EXPECTED
    )
    async with request.app[SESSIONS]() as session:
        found = await own_request(request, caller, session)
        response_id = path_id(request, "response_id")
        response = None
        if response_id is not None:
            response = await response_of(session=session, request=found, response_id=response_id)
        if response is None:
            raise web.HTTPNotFound(text="no such response")
        wanted = wanted_follow_up(request, caller.department, payload, kind=response.kind)
        row = await plan(
            session=session, request=found, response=response, wanted=wanted,
            at=request.app[CLOCK](), by=caller.journaled_as,
        )  # fmt: skip
        if row is None:
            raise web.HTTPConflict(text="this response has a follow-up already")
        reason = planned_reason(request, caller.department, wanted, by=caller.referent)
        traced(request, caller, session, found, reason)
        await session.commit()
        return web.json_response(await as_json(session, found), status=201)


async def close_follow_up(request: web.Request) -> web.Response:
    """What was found: {"outcome": "taken_in_charge" | "to_chase" | "no_news"}; "to_chase"
    with "due_on" or "in_days" keeps it open until then."""
    caller = caller_of(request)
    payload = await json_object(
        request, required={"outcome"}, optional={"due_on", "in_days"},
        expected='{"outcome": "…", "due_on" or "in_days" with to_chase}',
    )  # fmt: skip
    department = department_named(request, caller.department)
    now = request.app[CLOCK]()
    try:
        closing = parse_closing(
            outcome=payload["outcome"], on=payload.get("due_on"),
            in_days=payload.get("in_days"), now=now, timezone=department.calendar.timezone,
        )  # fmt: skip
    except FollowUpError as error:
        raise web.HTTPUnprocessableEntity(text=str(error)) from None
    async with request.app[SESSIONS]() as session:
        found = await own_request(request, caller, session)
        response_id = path_id(request, "response_id")
        row = None
        if response_id is not None:
            row = await follow_up_of(session=session, response_id=response_id)
        if row is None or row.request_id != found.id:
            raise web.HTTPNotFound(text="no follow-up of this response")
        due_on = row.due_on
        try:
            close(row, closing, at=now, by=caller.journaled_as)
        except ValueError:
            raise web.HTTPConflict(text="this follow-up is closed already") from None
        session.add(row)
        reason = follow_up_closed(closing, due_on=due_on, by=caller.referent)
        traced(request, caller, session, found, reason)
        await session.commit()
        return web.json_response(await as_json(session, found))


def add_routes(app: web.Application) -> None:
    follow_up = "/api/requests/{request_id}/responses/{response_id}/follow-up"
    app.router.add_put(follow_up, put_follow_up)
    app.router.add_post(follow_up + "/close", close_follow_up)
