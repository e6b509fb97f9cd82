"""The JSON API: enter a request by hand (frontdoor.actions.manual), read a request with its
reasons and responses, correct its referrer type,
record or remove a response (an orientation with its follow-up: follow_ups_api asks for
one afterwards and closes it), mark it a repeat of an earlier request or clear that.

Two kinds of bearer token open it: a console account's own token (`fd_…`, scoped, revocable,
created in the console; `api_tokens.py` resolves it before the handler runs), or a key of
FRONTDOOR_API_KEYS granting one department's requests as one referent (frontdoor.kit.callers
reads either). Every access to a request is written to the audit journal before its data is
returned (the kit's `journal`), and no answer of the API may be kept by a browser or a proxy
(`not_stored`).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from frontdoor.actions.actor import NotFound
from frontdoor.actions.api_opening import actor_of, own_request
from frontdoor.actions.manual import enter_request
from frontdoor.actions.working import correct_referrer
from frontdoor.core.manual_requests import ManualRequestError, parse_manual_request
from frontdoor.core.reasons import Reason
from frontdoor.core.referrers import ReferrerType
from frontdoor.core.repeats import RepeatError, parse_repeat_of, repeat_cleared, repeat_marked
from frontdoor.core.responses import (
    ResponseError,
    parse_response,
    response_added,
    response_removed,
)
from frontdoor.keys import CLOCK, DEPARTMENTS, SESSIONS
from frontdoor.kit.bodies import path_id, read_json
from frontdoor.kit.callers import Caller, caller_of
from frontdoor.store.follow_ups import follow_ups_of, plan
from frontdoor.store.models import (
    FollowUp,
    FollowUpPublic,
    Request,
    RequestEventPublic,
    RequestResponsePublic,
)
from frontdoor.store.repeats import clear_repeat, mark_repeat
from frontdoor.store.requests import events_of, public_request, record_event
from frontdoor.store.responses import add_response, remove_response, responses_of
from frontdoor.web.follow_up_bodies import planned_reason, wanted_follow_up


async def not_stored(request: web.Request, response: web.StreamResponse) -> None:
    """Every answer of the JSON API, errors included, may carry personal data: no browser,
    cache or proxy keeps it (on_response_prepare, so no route can forget it)."""
    if request.path.startswith("/api/"):
        response.headers["Cache-Control"] = "no-store"


async def as_json(session: Any, found: Request) -> dict[str, Any]:
    events = await events_of(session=session, request_id=found.id or 0)
    body = public_request(found)
    follow_ups = await follow_ups_of(session=session, request_id=found.id or 0)
    body["responses"] = [
        {
            **RequestResponsePublic.model_validate(r, from_attributes=True).model_dump(mode="json"),
            "follow_up": _follow_up_json(follow_ups.get(r.id or 0)),
        }
        for r in await responses_of(session=session, request_id=found.id or 0)
    ]
    body["events"] = [
        RequestEventPublic.model_validate(e, from_attributes=True).model_dump(mode="json")
        for e in events
    ]
    return body


def _follow_up_json(row: FollowUp | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return FollowUpPublic.model_validate(row, from_attributes=True).model_dump(mode="json")


async def get_request(request: web.Request) -> web.Response:
    caller = caller_of(request)
    async with request.app[SESSIONS]() as session:
        found = await own_request(request, caller, session)
        return web.json_response(await as_json(session, found))


async def json_object(
    request: web.Request,
    *,
    required: set[str],
    expected: str,
    optional: frozenset[str] | set[str] = frozenset(),
) -> dict[str, Any]:
    """The JSON object posted, holding every `required` key and nothing beyond `optional`;
    400 saying what was `expected` otherwise."""
    try:
        payload = await read_json(request)
    except web.HTTPBadRequest:
        raise web.HTTPBadRequest(text="expected a JSON object") from None
    if not isinstance(payload, dict) or not required <= set(payload) <= required | optional:
        raise web.HTTPBadRequest(text=f"expected {expected}")
    return payload


async def post_request(request: web.Request) -> web.Response:
    """Enter a request that did not come through the single number: {"channel": "visit",
    "at": "2026-05-12T10:00:00+02:00", "name": "…", "contact": "05 65 00 00 01" or an
    address, "referrer_type": "gp", "note": "…"} (all but the channel optional)."""
    caller = caller_of(request)
    payload = await json_object(
        request, required={"channel"}, optional=set(MANUAL_FIELDS),
        expected='{"channel": "…", "at": "…", "name": "…", "contact": "…", '
        '"referrer_type": "…", "note": "…"}',
    )  # fmt: skip
    if not all(isinstance(value, str) for value in payload.values()):
        raise web.HTTPUnprocessableEntity(text="every field: text expected")
    department = request.app[DEPARTMENTS].for_slug(caller.department)
    if department is None:
        raise web.HTTPNotFound(text="no such department")
    now = request.app[CLOCK]()
    try:
        entered = parse_manual_request(
            channel=payload["channel"],
            **{MANUAL_FIELDS[name]: value for name, value in payload.items() if name != "channel"},
            now=now,
            timezone=department.calendar.timezone,
            region=department.phone_region,
        )
    except ManualRequestError as error:
        raise web.HTTPUnprocessableEntity(text=str(error)) from None
    async with request.app[SESSIONS]() as session:
        found = await enter_request(
            session=session, actor=actor_of(caller), department=department.slug,
            entered=entered, at=now, purpose="api_write",
        )  # fmt: skip
        return web.json_response(await as_json(session, found), status=201)


# The API's names for the fields of core.manual_requests.parse_manual_request.
MANUAL_FIELDS = {
    "at": "at",
    "name": "name",
    "contact": "contact",
    "referrer_type": "referrer_type",
    "note": "note",
}


async def patch_request(request: web.Request) -> web.Response:
    """Correct the referrer type a caller chose (or that was guessed)."""
    caller = caller_of(request)
    payload = await json_object(
        request, required={"referrer_type"}, expected='{"referrer_type": "…"}'
    )
    try:
        referrer = ReferrerType(payload["referrer_type"])
    except ValueError:
        known = ", ".join(t.value for t in ReferrerType)
        raise web.HTTPUnprocessableEntity(text=f"referrer_type: one of {known}") from None
    async with request.app[SESSIONS]() as session:
        try:
            found = await correct_referrer(
                session=session, actor=actor_of(caller), request_id=path_id(request, "request_id"),
                referrer=referrer, at=request.app[CLOCK](), purpose="api_write",
            )  # fmt: skip
        except NotFound:
            raise web.HTTPNotFound(text="no such request") from None
        return web.json_response(await as_json(session, found))


async def post_response(request: web.Request) -> web.Response:
    """Record a response: {"kind": "orientation", "resource_id": 12} (resource optional)."""
    caller = caller_of(request)
    payload = await json_object(
        request,
        required={"kind"},
        optional={"resource_id", "follow_up"},
        expected='{"kind": "…", "resource_id": …, "follow_up": {…}}',
    )
    try:
        choice = parse_response(kind=payload["kind"], resource_id=payload.get("resource_id"))
    except ResponseError as error:
        raise web.HTTPUnprocessableEntity(text=str(error)) from None
    wanted = None
    if payload.get("follow_up") is not None:
        wanted = wanted_follow_up(
            request, caller.department, payload["follow_up"], kind=choice.kind.value
        )
    async with request.app[SESSIONS]() as session:
        found = await own_request(request, caller, session)
        at = request.app[CLOCK]()
        row = await add_response(
            session=session, request=found, choice=choice, at=at, by=caller.journaled_as
        )
        if row is None:
            raise web.HTTPUnprocessableEntity(text="resource_id: not in the directory")
        reasons = [response_added(choice, by=caller.referent, resource_name=row.resource_name)]
        if wanted is not None:
            await plan(
                session=session, request=found, response=row, wanted=wanted, at=at,
                by=caller.journaled_as,
            )  # fmt: skip
            reasons.append(planned_reason(request, caller.department, wanted, by=caller.referent))
        event = record_event(
            session, found, kind="response-added", at=at, referent_id=caller.referent
        )
        event.reasons = [reason.as_dict() for reason in reasons]
        await session.commit()
        return web.json_response(await as_json(session, found), status=201)


async def delete_response(request: web.Request) -> web.Response:
    caller = caller_of(request)
    response_id = path_id(request, "response_id")
    async with request.app[SESSIONS]() as session:
        found = await own_request(request, caller, session)
        row = None
        if response_id is not None:
            row = await remove_response(session=session, request=found, response_id=response_id)
        if row is None:
            raise web.HTTPNotFound(text="no such response")
        event = record_event(
            session, found, kind="response-removed", at=request.app[CLOCK](),
            referent_id=caller.referent,
        )  # fmt: skip
        event.reasons = [response_removed(row.kind, by=caller.referent).as_dict()]
        await session.commit()
        return web.json_response(await as_json(session, found))


async def put_repeat_of(request: web.Request) -> web.Response:
    """Mark the request a repeat of an earlier one of its department: {"repeat_of": 12}."""
    caller = caller_of(request)
    payload = await json_object(
        request, required={"repeat_of"}, expected='{"repeat_of": <request id>}'
    )
    try:
        original_id = parse_repeat_of(payload["repeat_of"])
    except RepeatError as error:
        raise web.HTTPBadRequest(text=str(error)) from None
    if original_id is None:
        raise web.HTTPBadRequest(text="repeat_of : numéro de la demande répétée attendu")
    async with request.app[SESSIONS]() as session:
        found = await own_request(request, caller, session)
        refusal = await mark_repeat(session=session, request=found, original_id=original_id)
        if refusal is not None:
            raise web.HTTPBadRequest(text=refusal)
        reason = repeat_marked(original_id, by=caller.referent)
        traced(request, caller, session, found, reason)
        await session.commit()
        return web.json_response(await as_json(session, found))


async def delete_repeat_of(request: web.Request) -> web.Response:
    """The request is not a repeat after all: it counts as a sollicitation again."""
    caller = caller_of(request)
    async with request.app[SESSIONS]() as session:
        found = await own_request(request, caller, session)
        previous = clear_repeat(session=session, request=found)
        if previous is not None:
            traced(request, caller, session, found, repeat_cleared(previous, by=caller.referent))
        await session.commit()
        return web.json_response(await as_json(session, found))


def traced(
    request: web.Request, caller: Caller, session: Any, found: Request, reason: Reason
) -> None:
    event = record_event(
        session, found, kind=reason.code, at=request.app[CLOCK](), referent_id=caller.referent
    )
    event.reasons = [reason.as_dict()]


def add_routes(app: web.Application) -> None:
    app.router.add_post("/api/requests", post_request)
    app.router.add_get("/api/requests/{request_id}", get_request)
    app.router.add_patch("/api/requests/{request_id}", patch_request)
    app.router.add_post("/api/requests/{request_id}/responses", post_response)
    app.router.add_delete("/api/requests/{request_id}/responses/{response_id}", delete_response)
    app.router.add_put("/api/requests/{request_id}/repeat-of", put_repeat_of)
    app.router.add_delete("/api/requests/{request_id}/repeat-of", delete_repeat_of)
