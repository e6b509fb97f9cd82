"""One look at the store for every live stream of this instance that looks at the same moment.

Each open stream (console.live_feed) looks at the store every FRONTDOOR_CONSOLE_LIVE_EVERY_S
seconds. Looking one by one, the 600 streams an instance serves made 300 looks a second, each
checking its session, reading its department's page and rendering it: beside them, calls
waited five seconds for the event loop (bench/README.md, "Webhooks beside floods"). Streams
that look within GATHER_S of each other share one look instead: one short session, one query
for all their sessions, and each page (a department's inbox, its duty line) read and made
once, however many streams show it. Every stream wakes for the same looks whenever it opened
(console.live_feed.until_next_look), and they go on from a look one after the other (PACE_S),
not all at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

from aiohttp import web
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.store.accounts import signed_in_accounts
from frontdoor.store.models import Account

# How long the first stream of a look waits for others to join it: short beside the seconds
# between two looks, long beside the few milliseconds over which a look's streams wake.
GATHER_S = 0.05
# The streams of a look go on one after the other, this far apart: each then compares and
# writes what is new to its browser, and hundreds of them at once would hold the event loop
# (calls waiting) for tens of milliseconds; paced, calls are served between them.
PACE_S = 0.0002

ReadT = TypeVar("ReadT")
LookT_co = TypeVar("LookT_co", covariant=True)


class SharedPage(Protocol[ReadT, LookT_co]):
    """What every stream of one page shows alike (a department's inbox, its duty line): read
    once a look, whoever views it, then made into what the streams send once the look's
    session is closed (on SQLite, its one connection is the webhooks' too). Pages with the
    same key read the same thing."""

    @property
    def key(self) -> Hashable: ...

    async def read(self, session: AsyncSession, *, now: datetime) -> ReadT: ...

    def made(self, read: ReadT, *, now: datetime) -> LookT_co: ...


@dataclass(frozen=True)
class Seen(Generic[LookT_co]):
    """What one look found for one stream."""

    account: Account | None  # the stream's viewer, None once their session is over
    page: LookT_co
    now: datetime  # the look's instant, the same for every stream that shared it


@dataclass(eq=False)
class _Look:
    now: datetime
    sessions: set[str] = field(default_factory=set)  # digests of the streams' session tokens
    streams: int = 0  # that have joined it
    pages: dict[Hashable, SharedPage[Any, Any]] = field(default_factory=dict)
    found: asyncio.Future[tuple[dict[str, Account], dict[Hashable, Any]]] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class LiveLooks:
    def __init__(self, *, gather_s: float = GATHER_S) -> None:
        self.gather_s = gather_s
        self._gathering: _Look | None = None  # the look streams can still join
        self._running: set[asyncio.Task[None]] = set()

    async def look(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        session: str,
        page: SharedPage[Any, LookT_co],
        now: datetime,
    ) -> Seen[LookT_co]:
        """The stream's page as the store holds it, and whether its session (its token's
        digest) is still signed in, from the look it joins."""
        look = self._gathering
        if look is None:
            look = self._gathering = _Look(now=now)
            task = asyncio.create_task(self._run(sessions, look))
            self._running.add(task)  # held until done: the loop keeps only weak references
            task.add_done_callback(self._running.discard)
        look.sessions.add(session)
        look.pages.setdefault(page.key, page)
        turn, look.streams = look.streams, look.streams + 1
        # Shielded: a stream that goes away leaves the look to the others.
        accounts, pages = await asyncio.shield(look.found)
        if turn:
            await asyncio.sleep(turn * PACE_S)
        made = pages[page.key]
        if isinstance(made, _Unmade):
            raise made.error
        return Seen(account=accounts.get(session), page=made, now=look.now)

    async def finished(self) -> None:
        """Once the looks under way are over: each returns its connection to the pool before
        the app closes the store (a task left pending at shutdown would leak it)."""
        await asyncio.gather(*self._running, return_exceptions=True)

    async def _run(self, sessions: async_sessionmaker[AsyncSession], look: _Look) -> None:
        try:
            await asyncio.sleep(self.gather_s)
            self._gathering = None  # streams arriving from now on start the next look
            # A short session: no stream holds a database connection between looks.
            async with sessions() as session:
                accounts = await signed_in_accounts(
                    session=session, token_hashes=look.sessions, now=look.now
                )
                read = {
                    key: await page.read(session, now=look.now) for key, page in look.pages.items()
                }
            made = {key: _made(look.pages[key], data, now=look.now) for key, data in read.items()}
            look.found.set_result((accounts, made))
        except Exception as error:  # noqa: BLE001 (each stream of the look raises it, as alone)
            look.found.set_exception(error)
            look.found.exception()  # retrieved here too: its streams may all have gone
        finally:
            if self._gathering is look:
                self._gathering = None
            if not look.found.done():  # cancelled (the app stops): so are its streams
                look.found.cancel()


@dataclass(frozen=True)
class _Unmade:
    error: Exception


def _made(page: SharedPage[Any, Any], read: Any, *, now: datetime) -> Any:
    """The page made from what was read; a page that cannot be made fails its own streams
    only, not those of the other pages of the look."""
    try:
        return page.made(read, now=now)
    except Exception as error:  # noqa: BLE001 (raised in each of the page's streams)
        return _Unmade(error)


# The looks of this instance's live streams.
LIVE_LOOKS = web.AppKey("live_looks", LiveLooks)
