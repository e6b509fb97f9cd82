"""The JSON API's callers as actors, and the request of a path opened for them: the actions'
opener, translated (another department's request or none: 404)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from frontdoor.actions.actor import Actor, NotFound
from frontdoor.actions.opening import open_request
from frontdoor.core.access import Role
from frontdoor.keys import CLOCK
from frontdoor.kit.bodies import path_id
from frontdoor.kit.callers import Caller
from frontdoor.store.models import Request


def actor_of(caller: Caller) -> Actor:
    """An API caller acts as one referent of one department."""
    return Actor(
        departments=(caller.department,),
        login=caller.journaled_as,
        referent=caller.referent,
        role=Role.REFERENT,
        signs_as=caller.referent,
    )


def api_purpose(request: web.Request) -> str:
    return "api_read" if request.method == "GET" else "api_write"


async def own_request(request: web.Request, caller: Caller, session: Any) -> Request:
    """The request named in the path, if it is the caller's department's (404 otherwise),
    journaled before anything of it is returned or changed."""
    try:
        return await open_request(
            session=session,
            actor=actor_of(caller),
            request_id=path_id(request, "request_id"),
            at=request.app[CLOCK](),
            purpose=api_purpose(request),
        )
    except NotFound:
        raise web.HTTPNotFound(text="no such request") from None
