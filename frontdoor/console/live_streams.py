"""The console's live streams open in this instance: how many each session and account may
hold, and ending them (sign-out, a newer stream, shutdown).

Each stream holds a connection and takes part in the instance's looks at the store every few
seconds (console.live_looks): 1,500 of them from one session slowed the webhooks to seconds
when each looked on its own. A browser opens one per inbox tab, and a reload
opens the new one before the old is noticed gone, so the oldest of a session makes way for a
new one rather than the new one being refused. Across instances, a stream also ends at its
next look at the store when its session is over (signed out, expired, account disabled).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from enum import Enum

from aiohttp import web

# An inbox tab or two per department, on a screen or a phone; an HTTP/1.1 browser has six
# connections per host, and the pages need some of them.
PER_SESSION = 4
# A person signed in on a desk, a laptop and a phone.
PER_ACCOUNT = 12
# What one instance serves before it refuses new streams: each costs a socket, and at each
# look its session among the look's and what it writes to its browser (a region's staff is a
# few hundred people).
IN_ALL = 600


class Ending(Enum):
    """Why a stream was asked to end; the browser is told, unless the app is stopping."""

    REPLACED = "replaced"  # a newer stream of the same session or account took its place
    SIGNED_OUT = "signed-out"  # its session ended (sign-out, expiry, account disabled)
    SHUTDOWN = "shutdown"  # the instance stops: the browser reconnects, to another one


@dataclass(eq=False)
class Stream:
    session: str  # the digest of the session's token
    account_id: int
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    ending: Ending | None = None

    def end(self, why: Ending) -> None:
        if self.ending is None:
            self.ending = why
        self.stop.set()


class LiveStreams:
    def __init__(
        self,
        *,
        per_session: int = PER_SESSION,
        per_account: int = PER_ACCOUNT,
        in_all: int = IN_ALL,
    ) -> None:
        self.per_session, self.per_account, self.in_all = per_session, per_account, in_all
        self._open: list[Stream] = []  # oldest first
        self._stopping = False

    def __len__(self) -> int:
        return len(self._open)

    def open(self, *, session: str, account_id: int) -> Stream | None:
        """A new stream, making room in its session and account; None when the instance
        is full or stopping."""
        self._make_room([s for s in self._open if s.session == session], self.per_session)
        self._make_room([s for s in self._open if s.account_id == account_id], self.per_account)
        if self._stopping or len(self._open) >= self.in_all:
            return None
        stream = Stream(session=session, account_id=account_id)
        self._open.append(stream)
        return stream

    def closed(self, stream: Stream) -> None:
        """The stream's response is over."""
        if stream in self._open:
            self._open.remove(stream)

    def end_session(self, session: str) -> None:
        for stream in [stream for stream in self._open if stream.session == session]:
            self._close(stream, Ending.SIGNED_OUT)

    def end_all(self) -> None:
        self._stopping = True
        for stream in list(self._open):
            self._close(stream, Ending.SHUTDOWN)

    def _make_room(self, streams: list[Stream], limit: int) -> None:
        for oldest in streams[: max(0, len(streams) - limit + 1)]:
            self._close(oldest, Ending.REPLACED)

    def _close(self, stream: Stream, why: Ending) -> None:
        stream.end(why)
        self.closed(stream)


# The console's live streams open in this instance (ended at sign-out and at shutdown).
LIVE_STREAMS = web.AppKey("live_streams", LiveStreams)
