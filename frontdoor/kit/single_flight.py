"""A value that anyone may ask for, as often as they like, computed once for all of them.

A request that asks nothing of its sender (a readiness probe, the start of a sign-in through
the identity provider) must not cost the store or another server one piece of work per
request: a flood of them would. `SingleFlight` computes its value once for every request
waiting at the same time, keeps it `keep_s`, and keeps a failure `failed_s` (raised again to
whoever asks meanwhile, without trying again).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class SingleFlight(Generic[T]):
    def __init__(
        self,
        compute: Callable[[], Awaitable[T]],
        *,
        keep_s: float,
        failed_s: float = 0.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._compute, self._keep_s, self._failed_s, self._clock = compute, keep_s, failed_s, clock
        self._done: asyncio.Future[T] | None = None
        self._done_at = 0.0
        self._running: asyncio.Future[T] | None = None

    async def get(self, *, fresh: bool = False) -> T:
        """The value kept, or (none kept, or `fresh`) the one being computed, or computed now.
        Raises what the computation raised."""
        done = self._done
        if done is not None and not fresh:
            age = self._clock() - self._done_at
            if age < (self._failed_s if done.exception() else self._keep_s):
                return done.result()
        if self._running is None:
            self._running = asyncio.ensure_future(self._compute())
            self._running.add_done_callback(self._finished)
        # Shielded: one caller hanging up does not cancel what the others wait for.
        return await asyncio.shield(self._running)

    def _finished(self, running: asyncio.Future[T]) -> None:
        self._running = None
        if running.cancelled():
            return
        running.exception()  # retrieved: kept, not reported as never retrieved
        self._done, self._done_at = running, self._clock()
