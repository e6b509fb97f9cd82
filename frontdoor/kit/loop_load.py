"""The event loop's own load, sampled, and the console yielding to the callers while it is too
high (core.overload): console and API requests are answered 503 in French before any work,
held a moment first (YIELD_HOLD_S: a client that asks again at once asks once a second, not
thousands of times; MOST_HELD at once), and the console's live pages skip their looks;
webhooks and health checks are served as ever.

The loop's thread is sampled every SAMPLE_S on the loop itself: on Linux from the kernel's
per-thread scheduler statistics (time run, time waited for a CPU), elsewhere from its CPU
time alone (a loop starved of CPU by other processes then reads as less loaded than it is).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

from aiohttp import web

from frontdoor.core.overload import (
    YIELDING,
    LoadState,
    Sample,
    Yielding,
    demand,
    next_state,
    recent_demand,
)
from frontdoor.keys import COUNTERS, SETTINGS
from frontdoor.kit.unavailable import CONSOLE, unavailable

log = logging.getLogger(__name__)

SAMPLE_S = 0.1
YIELD_HOLD_S = 1.0
# Requests held at once, at most: beyond, they are answered at once. Each held request keeps
# its connection (a file descriptor, buffers) for YIELD_HOLD_S, and a flood must not run the
# process out of them: Twilio's webhooks need connections too.
MOST_HELD = 256
YIELD_RETRY_AFTER_S = 2
YIELD_TEXT = "Le service donne la priorité aux appels en cours : réessayez dans un instant."
# What yields: the console (its pages, sign-in, streams, files) and the JSON API, but for the
# paths that serve callers (LoopLoad.never_held). Webhooks, health checks and metrics never do.
YIELDING_PREFIXES = (CONSOLE, "/api/")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
# Seconds the loop's thread has been busy (running, or ready to run) since some origin.
BusyClock = Callable[[], float]


def thread_busy_clock() -> BusyClock:
    """The calling thread's busy time: run + waited for a CPU (Linux's schedstat), or its CPU
    time where the kernel does not tell."""
    statistics = Path(f"/proc/self/task/{threading.get_native_id()}/schedstat")
    try:
        statistics.read_text()
    except OSError:
        return time.thread_time

    def busy_s() -> float:
        run_ns, waited_ns, *_ = statistics.read_text().split()
        return (int(run_ns) + int(waited_ns)) / 1e9

    return busy_s


class LoopLoad:
    """Whether the console yields now; kept up to date by `sample`, every SAMPLE_S."""

    def __init__(
        self,
        *,
        busy_clock: BusyClock | None = None,
        wall_clock: Callable[[], float] = time.monotonic,
        policy: Yielding = YIELDING,
    ) -> None:
        self._busy_clock = busy_clock
        self._wall_clock = wall_clock
        self.policy = policy
        self.state = LoadState()
        self.held_back = 0  # requests held back since the last sample
        self.holding = 0  # requests held back now, waiting YIELD_HOLD_S before their answer
        # Console paths that serve callers, never held back: a referent's browser phone
        # renewing its token, without which she cannot be rung.
        self.never_held: set[str] = set()
        self._samples: deque[Sample] = deque(maxlen=max(policy.window, policy.hold))
        self._last: tuple[float, float] | None = None

    @property
    def yielding(self) -> bool:
        return self.state.yielding

    def sample(self) -> None:
        """One more reading of the loop's thread (called on the loop)."""
        if self._busy_clock is None:
            self._busy_clock = thread_busy_clock()
        now = (self._wall_clock(), self._busy_clock())
        if self._last is not None:
            elapsed_s, busy_s = now[0] - self._last[0], now[1] - self._last[1]
            self._samples.append(
                Sample(demand=demand(busy_s=busy_s, elapsed_s=elapsed_s), held_back=self.held_back)
            )
            before, samples = self.state.yielding, tuple(self._samples)
            self.state = next_state(self.state, samples, self.policy)
            if self.state.yielding != before:
                mean = recent_demand(samples, self.policy)
                if self.state.yielding:
                    log.warning("event loop busy %.0f %%: the console yields to the callers",
                                mean * 100)  # fmt: skip
                else:
                    log.warning("event loop back to %.0f %%: the console is served again",
                                mean * 100)  # fmt: skip
        self.held_back = 0
        self._last = now

    def holds_back(self, path: str) -> bool:
        return self.yielding and path.startswith(YIELDING_PREFIXES) and path not in self.never_held

    async def run(self) -> None:
        while True:
            await asyncio.sleep(SAMPLE_S)
            try:
                self.sample()
            except Exception:  # the console is served as ever rather than held by a fault
                log.exception("event loop load unreadable: the console no longer yields")
                self.state = LoadState()
                return


LOOP_LOAD = web.AppKey("loop_load", LoopLoad)


async def loop_load_context(app: web.Application) -> AsyncIterator[None]:
    """For cleanup_ctx: the sampling, while the app runs (unless the settings turn it off)."""
    load = app[LOOP_LOAD]
    sampling = None
    if app[SETTINGS].console_yields:
        sampling = asyncio.create_task(load.run(), name="event loop load")
    yield
    if sampling is not None:
        sampling.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sampling


@web.middleware
async def yield_to_callers(request: web.Request, handler: Handler) -> web.StreamResponse:
    """While the loop is overloaded, the console and the API wait: 503 with Retry-After."""
    load = request.config_dict[LOOP_LOAD]
    if load.holds_back(request.path):
        load.held_back += 1
        request.config_dict[COUNTERS]["console_yielded"] += 1
        if load.holding < MOST_HELD:
            load.holding += 1
            try:
                await asyncio.sleep(YIELD_HOLD_S)
            finally:
                load.holding -= 1
        return unavailable(request, YIELD_TEXT, retry_after_s=YIELD_RETRY_AFTER_S)
    return await handler(request)


def add_to(app: web.Application) -> None:
    app[LOOP_LOAD] = LoopLoad()
    app.cleanup_ctx.append(loop_load_context)
    # First: a request held back costs no request id, no metric, no lookup.
    app.middlewares.insert(0, yield_to_callers)
