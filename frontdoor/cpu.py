"""CPU-heavy work off the event loop: small pools of workers, each with a bounded queue.

The event loop answers Twilio's webhooks, and a webhook slower than 15 s is an English
"application error" in the caller's ear; anything that computes for more than a few
milliseconds therefore runs in a pool, of one of two kinds:

- `CpuProcesses`, worker processes, for pure-Python work: spreadsheets (openpyxl), CSV,
  calendar feeds (icalendar), received mails (the stdlib's email package). Pure Python holds
  the GIL while it computes; in a thread of this process the loop would wait for it at every
  switch interval (bench/loop_blocking.py: webhooks' p99 up to 2 s beside exports and
  hashes). In a process of its own it holds its own GIL. What is sent there is a
  module-level function and plain data (pickled both ways): the indicator table's values in,
  the workbook's bytes out; a mail's bytes in, the `Reading` out.
- `CpuThreads`, worker threads, for work that releases the GIL: password hashes. Argon2
  (argon2-cffi, the costliest work by far) hashes in C without the GIL, so a hash in a thread
  leaves the loop free; a process would add a copy of the password to another process's
  memory and a pickling round trip for nothing.

At most `workers` tasks run at once and `waiting` more queue behind them; past that, `run`
raises `CpuBusy` at once, and the edge answers 503 in French with Retry-After, so a flood of
sign-ins is refused early instead of piling up memory (64 MiB per Argon2 hash) and minutes of
queue. Background work that nobody waits on at the door (the mailbox intake) calls
`run_waiting` instead: it waits for a place rather than being refused.

The workers run at a lower CPU priority than the event loop (`WORKER_NICENESS`; on Linux a
thread's own, inherited by the threads Argon2 starts for its lanes; a process's for worker
processes): when workers and the loop want the same CPUs, the loop answering callers goes
first.

Worker processes are forked by a fork server (never forked from this process, whose loop and
threads a fork would copy mid-flight), started in the background when the app starts, with
the modules they run already imported (`PRELOADED`); each worker starts at its first task.
A worker that dies (killed, out of memory) fails the tasks it held with `WorkerLost` (a 503
in French at the door; a mail is read again at the next poll) and the next task gets a new
pool.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import multiprocessing
import os
import signal
import threading
from abc import ABC, abstractmethod
from collections import Counter, deque
from collections.abc import Callable
from concurrent.futures import (
    BrokenExecutor,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
)
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import forkserver
from multiprocessing.context import BaseContext
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

# Queued tasks per worker beyond the running ones: a burst of sign-ins waits one hash's time
# (a quarter of a second) at most, a flood is refused (sign-ins: shed, console.sign_in).
WAITING_PER_WORKER = 1
BUSY_RETRY_AFTER_S = 2
BUSY_TEXT = "Le service est très sollicité : réessayez dans un instant."
LOST_TEXT = "Le calcul a été interrompu : réessayez dans un instant."
# Added to each worker's nice value (0 for the loop): 10 leaves the loop ~10 times the CPU
# share of a worker when both want the same CPU (the kernel's weights: 1024 vs 110).
WORKER_NICENESS = 10
# Worker processes at most, whatever the CPU count: each holds its own interpreter and
# libraries (~60 MB), and exports and mails come a few at a time.
MAX_WORKER_PROCESSES = 4
# Imported once by the fork server, so that a new worker starts with them: this one (its
# initializer), the modules whose functions the processes run, and "__main__" (the program's
# own, as multiprocessing does).
PRELOADED = (
    "__main__",
    "frontdoor.cpu",
    "frontdoor.core.ical_roster",
    "frontdoor.indicators.export_csv",
    "frontdoor.indicators.export_xlsx",
    "frontdoor.mailbox.parse",
)


class CpuBusy(Exception):
    """Every worker is busy and the queue is full: try again later."""


class WorkerLost(Exception):
    """The worker running (or about to run) this task died: the task was not done."""


def default_workers() -> int:
    """One worker per CPU this process may run on (its affinity, not the machine's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS, Windows
        return max(1, os.cpu_count() or 1)


class CpuPool(ABC):
    """What both kinds of pool share: admission (running + queued ≤ capacity) and metrics."""

    def __init__(
        self,
        *,
        workers: int,
        waiting: int | None = None,
        counters: Counter[str] | None = None,
    ) -> None:
        self.workers = workers
        self.capacity = self.workers + (
            waiting if waiting is not None else WAITING_PER_WORKER * self.workers
        )
        self.counters = counters if counters is not None else Counter()
        self._admitted = 0
        self._waiters: deque[asyncio.Future[None]] = deque()

    @property
    def admitted(self) -> int:
        """Tasks running or queued now (from their admission until their work ends)."""
        return self._admitted

    async def run(self, task: str, work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """`work(*args, **kwargs)` in a worker; `task` names it in the metrics
        (frontdoor_cpu_<task>_total). Raises CpuBusy when the pool is full, WorkerLost when
        its worker died."""
        if self._admitted >= self.capacity:
            self.counters["cpu_busy"] += 1
            raise CpuBusy(task)
        self._admitted += 1
        # A place is freed when the work is over, not when its caller stops waiting: a
        # cancelled caller must not let more work run at once than the pool allows.
        release = functools.partial(self._release_from, asyncio.get_running_loop())
        running = await self._hand_over(functools.partial(work, *args, **kwargs), release)
        self.counters[f"cpu_{task}"] += 1
        try:
            return await asyncio.wrap_future(running)
        except BrokenExecutor:  # a worker died (or could not start)
            self.counters["cpu_worker_lost"] += 1
            raise WorkerLost(task) from None

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

    @abstractmethod
    async def _hand_over(self, work: Callable[[], T], release: Callable[[], None]) -> Future[T]:
        """Give `work` to a worker. From this call on, `release` is called once, from any
        thread, when the work is over or could not be given (then this raises), even if the
        caller is cancelled meanwhile."""

    @abstractmethod
    def close(self) -> None:
        """Waits for the running tasks; the queued ones are dropped."""

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


def _handed(submit: Callable[[], Future[T]], release: Callable[[], None]) -> Future[T]:
    """`submit()`, with `release` called once: when its work is over, or now if it failed."""
    try:
        running = submit()
    except BaseException:
        release()
        raise
    running.add_done_callback(lambda _: release())
    return running


class CpuThreads(CpuPool):
    """Worker threads, for work that releases the GIL (password hashes)."""

    def __init__(
        self,
        *,
        workers: int | None = None,
        waiting: int | None = None,
        counters: Counter[str] | None = None,
    ) -> None:
        super().__init__(workers=workers or default_workers(), waiting=waiting, counters=counters)
        self._executor = ThreadPoolExecutor(
            self.workers, thread_name_prefix="frontdoor-cpu", initializer=_lower_priority
        )

    async def _hand_over(self, work: Callable[[], T], release: Callable[[], None]) -> Future[T]:
        return _handed(lambda: self._executor.submit(work), release)  # a queue put: no wait

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)


class CpuProcesses(CpuPool):
    """Worker processes, for pure-Python work (see the module's docstring). The functions
    given to `run` must be module-level, their arguments and results picklable."""

    def __init__(
        self,
        *,
        workers: int | None = None,
        waiting: int | None = None,
        counters: Counter[str] | None = None,
    ) -> None:
        super().__init__(
            workers=workers or min(default_workers(), MAX_WORKER_PROCESSES),
            waiting=waiting,
            counters=counters,
        )
        self._context: BaseContext = multiprocessing.get_context("spawn")  # Windows
        if "forkserver" in multiprocessing.get_all_start_methods():
            server = multiprocessing.get_context("forkserver")
            # For the fork server this process starts (once, whichever pool starts it).
            server.set_forkserver_preload(list(PRELOADED))
            self._context = server
        self._lock = threading.Lock()  # around the executor: replaced when broken, closed
        self._executor = self._new_executor()
        self._closed = False
        self._warming: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Starts the fork server in the background (a second or so: it imports PRELOADED),
        so that the first task finds it ready; workers start at their first task."""
        self._warming = asyncio.create_task(asyncio.to_thread(self._start_fork_server))

    async def aclose(self) -> None:
        """`close`, off the loop, once the start is over."""
        if self._warming is not None:
            await self._warming
        await asyncio.to_thread(self.close)

    async def _hand_over(self, work: Callable[[], T], release: Callable[[], None]) -> Future[T]:
        # Off the loop: handing over may start a worker (a few milliseconds, a second while
        # the fork server imports its modules) or replace a broken pool.
        handing = asyncio.ensure_future(
            asyncio.to_thread(_handed, functools.partial(self._submit, work), release)
        )
        try:
            return await asyncio.shield(handing)
        except asyncio.CancelledError:
            handing.add_done_callback(_drop_if_not_started)
            raise

    def _submit(self, work: Callable[[], T]) -> Future[T]:
        with self._lock:
            if self._closed:
                raise RuntimeError("the CPU pool is closed")
            try:
                return self._executor.submit(work)
            except BrokenProcessPool:  # a worker died since the last task: a new pool
                self._executor.shutdown(wait=False)
                self._executor = self._new_executor()
                return self._executor.submit(work)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            executor = self._executor
        executor.shutdown(wait=True, cancel_futures=True)

    def _new_executor(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            self.workers, mp_context=self._context, initializer=_start_worker_process
        )

    def _start_fork_server(self) -> None:
        if self._context.get_start_method() == "forkserver":
            forkserver.ensure_running()


def _drop_if_not_started(handing: asyncio.Future[Future[T]]) -> None:
    """Its caller gone, work not started yet is dropped (its place freed at once)."""
    if not handing.cancelled() and handing.exception() is None:
        handing.result().cancel()


def _lower_priority() -> None:
    """In each worker as it starts: below the event loop (see WORKER_NICENESS)."""
    with contextlib.suppress(OSError):  # not permitted here: the worker runs as it is
        os.nice(WORKER_NICENESS)


def _start_worker_process() -> None:
    """In each worker process as it starts: below the loop, and deaf to the terminal's Ctrl-C
    (the service stops its workers itself, once their tasks are done)."""
    _lower_priority()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
