"""The console's server-sent event streams (the inbox's, the duty board's): one loop that looks
at the store every FRONTDOOR_CONSOLE_LIVE_EVERY_S seconds with a short session, ends when the
viewer's session does, and says why when it ends for good.

A page's feed says what it reads at each look and what to send of it; the streams are fed from
the store, not from this process's memory, so a browser connected to any instance sees what
every instance takes in.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from aiohttp import web
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.console.auth import SESSION_COOKIE, viewer_of
from frontdoor.console.live_streams import LIVE_STREAMS, Ending, Stream
from frontdoor.core.access import reaches
from frontdoor.keys import CLOCK, SESSIONS, SETTINGS
from frontdoor.store.accounts import digest, signed_in

# A comment line now and then keeps proxies from closing an idle stream.
KEEPALIVE_S = 15.0
# The browser's wait before it reconnects by itself.
RETRY_MS = 3000
# Every page's last word when the viewer's session is over.
SIGNED_OUT = "Mise à jour en direct arrêtée : votre session est terminée."


@dataclass(kw_only=True, frozen=True)
class Event:
    kind: str
    data: Mapping[str, object]
    id: str | None = None  # what a reconnecting browser sends back as Last-Event-ID

    def encoded(self) -> bytes:
        data = json.dumps(self.data, ensure_ascii=False)
        event_id = f"id: {self.id}\n" if self.id is not None else ""
        return f"{event_id}event: {self.kind}\ndata: {data}\n\n".encode()


class Feed(Protocol):
    """What one page's stream sends: read at each look, then what is new to the browser."""

    async def read(self, session: AsyncSession, *, now: datetime) -> None: ...

    def news(self, *, now: datetime) -> Sequence[Event]: ...


@dataclass(kw_only=True, frozen=True)
class Endings:
    """The page's words when its stream ends for good, or is refused."""

    farewells: Mapping[Ending, str] = field(default_factory=dict)
    too_many: str


async def serve(
    request: web.Request, feed: Feed, *, department: str, endings: Endings
) -> web.StreamResponse:
    """The stream of a page about this department, counted among the instance's streams."""
    token = request.cookies.get(SESSION_COOKIE, "")
    live_streams = request.config_dict[LIVE_STREAMS]
    opened = live_streams.open(session=digest(token), account_id=viewer_of(request).account_id)
    if opened is None:
        raise web.HTTPServiceUnavailable(text=endings.too_many, headers={"Retry-After": "30"})
    try:
        stream = web.StreamResponse(
            headers={
                "Content-Type": "text/event-stream",
                "Cache-Control": "no-store",
                "X-Accel-Buffering": "no",  # nginx: pass events on at once
            }
        )
        await stream.prepare(request)
        # The browser going away (page closed, network lost) ends the stream, and so does the
        # app shutting down; the browser reconnects by itself, to another instance if this one
        # is gone.
        with contextlib.suppress(ConnectionResetError):
            await _looks(request, stream, opened, feed, token=token, department=department)
            farewell = endings.farewells.get(opened.ending) if opened.ending else None
            if farewell is not None:
                await stream.write(Event(kind="fin", data={"message": farewell}).encoded())
        return stream
    finally:
        live_streams.closed(opened)


async def _looks(
    request: web.Request,
    stream: web.StreamResponse,
    opened: Stream,
    feed: Feed,
    *,
    token: str,
    department: str,
) -> None:
    every_s = request.config_dict[SETTINGS].console_live_every_s
    await stream.write(f"retry: {RETRY_MS}\n\n".encode())
    quiet_s = 0.0
    while not opened.stop.is_set():
        now = request.config_dict[CLOCK]()
        # A short session per look: a stream must not hold a database connection.
        async with request.config_dict[SESSIONS]() as session:
            found = await signed_in(session=session, token=token, now=now)
            if found is None or not reaches(found[1].departments, department):
                opened.end(Ending.SIGNED_OUT)
                return
            await feed.read(session, now=now)
        news = feed.news(now=now)
        for event in news:
            await stream.write(event.encoded())
        quiet_s = 0.0 if news else quiet_s + every_s
        if quiet_s >= KEEPALIVE_S:
            await stream.write(b": keepalive\n\n")
            quiet_s = 0.0
        with contextlib.suppress(TimeoutError):  # the next look, unless the stream ends first
            await asyncio.wait_for(opened.stop.wait(), timeout=every_s)


async def end_live_streams(app: web.Application) -> None:
    """For on_shutdown: every open stream returns, so its response ends cleanly at once
    instead of being held open for the shutdown timeout, then cut (aiohttp's docs, "Graceful
    shutdown", close websockets the same way)."""
    app[LIVE_STREAMS].end_all()


def end_session_streams(request: web.Request, token: str) -> None:
    """At sign-out: this instance's streams of the session end now (the others' at their
    next look)."""
    request.config_dict[LIVE_STREAMS].end_session(digest(token))
