"""The store's patience: how long a webhook waits for the database, whatever the database does.

`asyncio.timeout` around store work does not bound that wait. When it fires, the cancelled
work still closes its session, and the close waits on the same connection: on SQLite, behind
a statement in the busy wait while another process holds the write lock (aiosqlite's thread
cannot be interrupted), so a webhook was answered after 30 s. Here the work runs in a task of
its own: past the patience it is cancelled and left to finish its cleanup in the background,
and the caller gets TimeoutError at once. What is left behind is kept, and shutdown waits for
it before the engine is disposed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any, TypeVar

from aiohttp import ChainMapProxy, web

from frontdoor.keys import SETTINGS

log = logging.getLogger(__name__)

T = TypeVar("T")


class StoreWork:
    """Store work waited for within a patience, and the work abandoned, still finishing."""

    def __init__(self) -> None:
        self._left: set[asyncio.Task[Any]] = set()

    async def within(self, patience_s: float, work: Coroutine[Any, Any, T]) -> T:
        """The work's result, or TimeoutError as soon as `patience_s` has passed."""
        task = asyncio.create_task(work)
        try:
            done, _ = await asyncio.wait({task}, timeout=patience_s)
        except asyncio.CancelledError:  # the waiting request itself is cancelled
            self._abandon(task)
            raise
        if not done:
            self._abandon(task)
            raise TimeoutError(f"the store did not answer within {patience_s:g} s")
        return task.result()

    async def awhile(self, seconds: float, work: Coroutine[Any, Any, None]) -> None:
        """Wait for the work up to `seconds`, then let it finish on its own: not cancelled,
        kept with the abandoned work, and waited for at shutdown like it."""
        task = asyncio.create_task(work)
        done, _ = await asyncio.wait({task}, timeout=seconds)
        if not done:
            self._left.add(task)
            task.add_done_callback(self._finished)

    @property
    def finishing(self) -> int:
        """How many abandoned pieces of work have not finished yet."""
        return len(self._left)

    async def drain(self) -> None:
        """Wait until the abandoned work has finished (at shutdown, before the engine goes)."""
        while self._left:
            await asyncio.gather(*self._left, return_exceptions=True)

    def _abandon(self, task: asyncio.Task[Any]) -> None:
        # Cancelled, its transaction is rolled back: the contact is the journal's to write.
        # Only a commit already sent when the patience ran out can still land; the journal's
        # replay then finds its receipt (same key) and writes nothing twice.
        task.cancel()
        self._left.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._left.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.info("abandoned store work ended with %s", type(task.exception()).__name__)


STORE_WORK = web.AppKey("store_work", StoreWork)


def store_patience(app: web.Application | ChainMapProxy) -> float:
    """Beyond this, a webhook stops waiting for the store and is answered from memory:
    Twilio gives up after 15 s, and a caller must never hear its "application error"."""
    return app[SETTINGS].store_patience_s


async def patiently(app: web.Application | ChainMapProxy, work: Coroutine[Any, Any, T]) -> T:
    """Run store work, waiting for it no longer than the store's patience (TimeoutError)."""
    return await app[STORE_WORK].within(store_patience(app), work)
