"""CPU-heavy work off the event loop: a small pool of worker threads, with a bounded queue.

The event loop answers Twilio's webhooks, and a webhook slower than 15 s is an English
"application error" in the caller's ear; anything that computes for more than a few
milliseconds therefore runs here: password hashes, spreadsheets, calendar feeds.

Threads rather than processes: Argon2 (argon2-cffi, the costliest work by far) releases the
GIL while it hashes, so a hash in a worker leaves the loop free (bench/loop_blocking.py).
Pure-Python work (openpyxl, icalendar) holds the GIL, but a waiting loop gets it back within
the interpreter's switch interval (5 ms) instead of after the whole task.

At most `workers` tasks run at once and `waiting` more queue behind them; past that,
`run` raises `CpuBusy` at once, and the edge answers 503 in French with Retry-After, so a
flood of sign-ins is refused early instead of piling up memory (64 MiB per Argon2 hash) and
minutes of queue. Background work that nobody waits on at the door (the mailbox intake)
calls `run_waiting` instead: it waits for a place rather than being refused.

The workers run at a lower CPU priority than the event loop (`WORKER_NICENESS`; on Linux a
thread's own, inherited by the threads Argon2 starts for its lanes): when hashes and the
loop want the same CPUs, the loop answering callers goes first.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

from aiohttp import web

P = ParamSpec("P")
T = TypeVar("T")

# Queued tasks per worker beyond the running ones: a burst of sign-ins waits one hash's time
# (a quarter of a second) at most, a flood is refused (sign-ins: shed, console.sign_in).
WAITING_PER_WORKER = 1
BUSY_RETRY_AFTER_S = 2
BUSY_TEXT = "Le service est très sollicité : réessayez dans un instant."
# Added to each worker thread's nice value (0 for the loop): 10 leaves the loop ~10 times
# the CPU share of a worker when both want the same CPU (the kernel's weights: 1024 vs 110).
WORKER_NICENESS = 10


class CpuBusy(Exception):
    """Every worker is busy and the queue is full: try again later."""


def default_workers() -> int:
    """One worker per CPU this process may run on (its affinity, not the machine's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS, Windows
        return max(1, os.cpu_count() or 1)


class CpuPool:
    def __init__(
        self,
        *,
        workers: int | None = None,
        waiting: int | None = None,
        counters: Counter[str] | None = None,
    ) -> None:
        self.workers = workers or default_workers()
        self.capacity = self.workers + (
            waiting if waiting is not None else WAITING_PER_WORKER * self.workers
        )
        self.counters = counters if counters is not None else Counter()
        self._executor = ThreadPoolExecutor(
            self.workers, thread_name_prefix="frontdoor-cpu", initializer=_lower_priority
        )
        self._admitted = 0
        self._waiters: deque[asyncio.Future[None]] = deque()

    @property
    def admitted(self) -> int:
        """Tasks running or queued now."""
        return self._admitted

    async def run(self, task: str, work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """`work(*args, **kwargs)` in a worker; `task` names it in the metrics
        (frontdoor_cpu_<task>_total). Raises CpuBusy when the pool is full."""
        if self._admitted >= self.capacity:
            self.counters["cpu_busy"] += 1
            raise CpuBusy(task)
        loop = asyncio.get_running_loop()
        self._admitted += 1
        try:
            running = self._executor.submit(lambda: work(*args, **kwargs))
        except BaseException:
            self._admitted -= 1
            raise
        # A slot is freed when the work is over, not when its caller stops waiting: a
        # cancelled caller must not let more work run at once than the pool allows.
        running.add_done_callback(lambda _: self._release_from(loop))
        self.counters[f"cpu_{task}"] += 1
        return await asyncio.wrap_future(running)

    async def run_waiting(
        self, task: str, work: Callable[P, T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """As `run`, but waits for a place (first come, first served) instead of raising
        CpuBusy: for work in the background, which must get done and can wait."""
        while self._admitted >= self.capacity:
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                await waiter
            finally:
                with contextlib.suppress(ValueError):  # woken: no longer in the queue
                    self._waiters.remove(waiter)
        return await self.run(task, work, *args, **kwargs)

    def _release_from(self, loop: asyncio.AbstractEventLoop) -> None:
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: nothing to free
            loop.call_soon_threadsafe(self._release)

    def _release(self) -> None:
        self._admitted -= 1
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                break

    def close(self) -> None:
        """Waits for the running tasks; the queued ones are dropped."""
        self._executor.shutdown(wait=True, cancel_futures=True)


def _lower_priority() -> None:
    """In each worker thread as it starts: below the event loop (see WORKER_NICENESS)."""
    with contextlib.suppress(OSError):  # not permitted here: the worker runs as it is
        os.nice(WORKER_NICENESS)


@web.middleware
async def busy_answers(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """CpuBusy, wherever it comes from, is a 503 with Retry-After and a French sentence."""
    try:
        return await handler(request)
    except CpuBusy:
        raise web.HTTPServiceUnavailable(
            text=BUSY_TEXT, headers={"Retry-After": str(BUSY_RETRY_AFTER_S)}
        ) from None
