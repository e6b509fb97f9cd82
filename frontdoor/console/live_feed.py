"""The console's server-sent event streams (the inbox's, the duty board's): one loop that looks
at the store every FRONTDOOR_CONSOLE_LIVE_EVERY_S seconds, ends when the viewer's session does,
and says why when it ends for good.

A stream's page (its department's inbox, its duty line) is read once a look for every stream
that shows it (console.live_looks); each stream then sends what its browser does not show yet.
The streams are fed from the store, not from this process's memory, so a browser connected to
any instance sees what every instance takes in.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any, Protocol, TypeVar

from aiohttp import web

from frontdoor.console.auth import SESSION_COOKIE, viewer_of
from frontdoor.console.live_looks import LIVE_LOOKS, SharedPage
from frontdoor.console.live_streams import LIVE_STREAMS, Ending, Stream
from frontdoor.core.access import reaches
from frontdoor.keys import CLOCK, SESSIONS, SETTINGS
from frontdoor.kit.loop_load import LOOP_LOAD
from frontdoor.store.accounts import digest

LookT = TypeVar("LookT")  # what a stream's page is made into at each look
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

    @cached_property
    def encoded(self) -> bytes:
        """Encoded once: an event made once a look is sent to every stream that shows it."""
        data = json.dumps(self.data, ensure_ascii=False)
        event_id = f"id: {self.id}\n" if self.id is not None else ""
        return f"{event_id}event: {self.kind}\ndata: {data}\n\n".encode()


class Feed(Protocol[LookT]):
    """What one stream sends: its page, read once a look for every stream that shows it, then
    what of it is new to this stream's browser."""

    @property
    def page(self) -> SharedPage[Any, LookT]: ...

    def news(self, look: LookT, *, now: datetime) -> Sequence[Event]: ...


@dataclass(kw_only=True, frozen=True)
class Endings:
    """The page's words when its stream ends for good, or is refused."""

    farewells: Mapping[Ending, str] = field(default_factory=dict)
    too_many: str


async def serve(
    request: web.Request, feed: Feed[Any], *, department: str, endings: Endings
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
            await _looks(request, stream, opened, feed, department=department)
            farewell = endings.farewells.get(opened.ending) if opened.ending else None
            if farewell is not None:
                await stream.write(Event(kind="fin", data={"message": farewell}).encoded)
        return stream
    finally:
        live_streams.closed(opened)


async def _looks(
    request: web.Request,
    stream: web.StreamResponse,
    opened: Stream,
    feed: Feed[Any],
    *,
    department: str,
) -> None:
    config = request.config_dict
    every_s = config[SETTINGS].console_live_every_s
    await stream.write(f"retry: {RETRY_MS}\n\n".encode())
    quiet_s = 0.0
    while not opened.stop.is_set():
        news: Sequence[Event] = ()
        # While the loop is overloaded the callers go first: the look is skipped (no news).
        if not config[LOOP_LOAD].yielding:
            seen = await config[LIVE_LOOKS].look(
                config[SESSIONS], session=opened.session, page=feed.page, now=config[CLOCK]()
            )
            if seen.account is None or not reaches(seen.account.departments, department):
                opened.end(Ending.SIGNED_OUT)
                return
            news = feed.news(seen.page, now=seen.now)
        if news:  # one write a look, however many events
            await stream.write(b"".join(event.encoded for event in news))
        quiet_s = 0.0 if news else quiet_s + every_s
        if quiet_s >= KEEPALIVE_S:
            await stream.write(b": keepalive\n\n")
            quiet_s = 0.0
        with contextlib.suppress(TimeoutError):  # the next look, unless the stream ends first
            wait_s = until_next_look(every_s, clock_s=asyncio.get_running_loop().time())
            await asyncio.wait_for(opened.stop.wait(), timeout=wait_s)


def until_next_look(every_s: float, *, clock_s: float) -> float:
    """Seconds until the instance's next look, at `clock_s` of the loop's clock: looks fall on
    its multiples of every_s, so that every stream, whenever it opened, wakes for the same
    looks and shares them (console.live_looks)."""
    return every_s - clock_s % every_s


async def end_live_streams(app: web.Application) -> None:
    """For on_shutdown: every open stream returns, so its response ends cleanly at once
    instead of being held open for the shutdown timeout, then cut (aiohttp's docs, "Graceful
    shutdown", close websockets the same way); and the look under way, if any, ends before the
    store closes (it holds a connection)."""
    app[LIVE_STREAMS].end_all()
    await app[LIVE_LOOKS].finished()


def end_session_streams(request: web.Request, token: str) -> None:
    """At sign-out: this instance's streams of the session end now (the others' at their
    next look)."""
    request.config_dict[LIVE_STREAMS].end_session(digest(token))
