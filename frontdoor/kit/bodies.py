"""Reading what a client sent, when it may be anything: bodies, their size, ids in paths.

A body that cannot be decoded (bytes its charset does not hold, a charset nobody knows, JSON
that is not JSON or nests without end) is the client's mistake: 400, never a server error.
A body declared larger than the app takes is refused with 413 before a byte of it is read;
one that does not declare its size is cut off by aiohttp as soon as it passes the limit. A NUL
character, which PostgreSQL's text columns refuse, is refused at the door too (400).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from multidict import MultiDictProxy

# The ids of the store's tables are 32-bit integers (PostgreSQL's `integer`).
MAX_ID = 2**31 - 1
NUL = "\x00"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def refuse_oversized(request: web.Request, handler: Handler) -> web.StreamResponse:
    """413 at once for a body whose Content-Length is over the app's client_max_size."""
    limit = request.client_max_size
    if limit and request.content_length is not None and request.content_length > limit:
        raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=request.content_length)
    return await handler(request)


@web.middleware
async def refuse_nul(request: web.Request, handler: Handler) -> web.StreamResponse:
    """400 for a NUL character in the query string: no text column of PostgreSQL holds one."""
    if NUL in request.query_string:
        raise web.HTTPBadRequest(text="query string: NUL character")
    return await handler(request)


async def read_form(
    request: web.Request,
) -> MultiDictProxy[str | bytes | bytearray | web.FileField]:
    """The posted form; 400 when it cannot be read: bytes its charset does not hold, a charset
    nobody knows, a multipart body with broken headers or an unknown transfer encoding, or a
    NUL character (which no text column of PostgreSQL holds)."""
    try:
        form = await request.post()
    except (ValueError, LookupError, RuntimeError, HttpProcessingError):
        raise web.HTTPBadRequest(text="form body: unreadable") from None
    if any(
        NUL in name or (isinstance(value, str) and NUL in value) for name, value in form.items()
    ):
        raise web.HTTPBadRequest(text="form body: NUL character")
    return form


async def read_json(request: web.Request) -> Any:
    """The JSON document posted; 400 when it is not one (or not in its charset), or holds a
    NUL character."""
    try:
        document = await request.json()
    except (ValueError, LookupError, RecursionError):  # JSONDecodeError, UnicodeDecodeError
        raise web.HTTPBadRequest(text="expected a JSON document") from None
    if _holds_nul(document):
        raise web.HTTPBadRequest(text="JSON document: NUL character")
    return document


def _holds_nul(document: Any) -> bool:
    pending = [document]
    while pending:  # not recursive: the document may nest as deep as the parser let it
        item = pending.pop()
        if isinstance(item, str) and NUL in item:
            return True
        if isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


def path_id(request: web.Request, name: str) -> int | None:
    """The id the path names, if it can be one (see as_id)."""
    return as_id(request.match_info[name])


def as_id(value: str | None) -> int | None:
    """`value` as an id of the store, if it can be one: ASCII digits of a positive integer
    the store can hold (not "٣", "²", "+1", " 1" or 2**31)."""
    if not value or not value.isascii() or not value.isdigit():
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None
