"""The CPU pools: work runs off the event loop, a few at a time, in threads (work that
releases the GIL: password hashes) or in processes (pure Python: spreadsheets, mails); past
its queue, the caller is refused at once (the edge answers 503 in French) instead of piling
up. A worker process that dies fails its tasks, and the next task gets a new one."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator, Callable, Iterator

import pytest

from frontdoor.console.passwords import HASH_LANES, hashing_pool_size, hashing_threads
from frontdoor.cpu import (
    WORKER_NICENESS,
    CpuBusy,
    CpuPool,
    CpuProcesses,
    CpuThreads,
    WorkerLost,
    default_workers,
)
from tests.cpu_gate import Gate, occupy
from tests.waiting import eventually

PoolMaker = Callable[..., CpuPool]


@pytest.fixture
async def gate() -> AsyncIterator[Gate]:
    async with Gate() as opened:
        yield opened


@pytest.fixture(params=[CpuThreads, CpuProcesses], ids=["threads", "processes"])
def make_pool(request: pytest.FixtureRequest) -> Iterator[PoolMaker]:
    """Pools of either kind, closed after the test: what both kinds hold alike."""
    made: list[CpuPool] = []

    def make(**options: int) -> CpuPool:
        made.append(request.param(**options))
        return made[-1]

    yield make
    for pool in made:
        pool.close()


@pytest.fixture
def processes() -> Iterator[CpuProcesses]:
    pool = CpuProcesses(workers=1, waiting=1)
    yield pool
    pool.close()


async def test_work_beyond_the_workers_and_their_queue_is_refused_at_once(
    make_pool: PoolMaker, gate: Gate
) -> None:
    pool = make_pool(workers=1, waiting=1)
    held = await occupy(pool, 2, gate)

    with pytest.raises(CpuBusy):
        await pool.run("one_too_many", sum, [1, 2])

    gate.open()
    await asyncio.gather(*held)
    assert await pool.run("again", sum, [1, 2]) == 3
    assert pool.counters["cpu_busy"] == 1


async def test_a_caller_that_stops_waiting_frees_its_place_only_when_the_work_ends(
    make_pool: PoolMaker, gate: Gate
) -> None:
    pool = make_pool(workers=1, waiting=0)
    [running] = await occupy(pool, 1, gate)
    await gate.entered(1)

    running.cancel()
    await asyncio.gather(running, return_exceptions=True)

    with pytest.raises(CpuBusy):  # the worker still runs the abandoned work
        await pool.run("meanwhile", sum, [1])
    gate.open()
    await eventually(lambda: pool.admitted == 0)  # freed from the worker's side, on the loop
    assert await pool.run("after", sum, [1]) == 1


async def test_background_work_waits_for_a_place_instead_of_being_refused(
    make_pool: PoolMaker, gate: Gate
) -> None:
    pool = make_pool(workers=1, waiting=0)
    [held] = await occupy(pool, 1, gate)

    queued = asyncio.create_task(pool.run_waiting("mail_parse", sum, [1, 2]))
    await gate.entered(1)
    assert not queued.done()  # waiting, not refused
    with pytest.raises(CpuBusy):  # the door's own work is still refused meanwhile
        await pool.run("sign_in", sum, [1])

    gate.open()
    assert await held == gate.pids[0]
    assert await queued == 3
    assert pool.counters["cpu_mail_parse"] == 1


async def test_a_waiter_that_gives_up_leaves_its_turn_to_the_next(
    make_pool: PoolMaker, gate: Gate
) -> None:
    pool = make_pool(workers=1, waiting=0)
    [held] = await occupy(pool, 1, gate)
    first = asyncio.create_task(pool.run_waiting("first", sum, [1]))
    second = asyncio.create_task(pool.run_waiting("second", sum, [2]))
    await asyncio.sleep(0)

    first.cancel()
    gate.open()

    assert await second == 2
    assert first.cancelled()
    assert await held == gate.pids[0]


@pytest.mark.skipif(not hasattr(os, "getpriority"), reason="thread priorities are Linux's")
async def test_workers_run_below_the_event_loops_priority(make_pool: PoolMaker) -> None:
    pool = make_pool(workers=1)
    loop_thread = os.getpriority(os.PRIO_PROCESS, 0)

    worker = await pool.run("priority", os.getpriority, os.PRIO_PROCESS, 0)

    assert worker == min(19, loop_thread + WORKER_NICENESS)
    assert os.getpriority(os.PRIO_PROCESS, 0) == loop_thread  # the loop's own is untouched


async def test_hashes_run_in_threads_and_pure_python_in_processes() -> None:
    threads, processes = CpuThreads(workers=1), CpuProcesses(workers=1)
    try:
        assert await threads.run("pid", os.getpid) == os.getpid()
        assert await processes.run("pid", os.getpid) != os.getpid()
    finally:
        threads.close()
        processes.close()


@pytest.mark.parametrize(
    ("cpus", "at_once", "admitted"),
    [(1, 1, 2), (2, 1, 4), (4, 1, 8), (8, 2, 16), (16, 4, 32)],
)
def test_hashes_of_four_lanes_fill_the_cpus_once_and_a_burst_is_admitted_as_before(
    cpus: int, at_once: int, admitted: int
) -> None:
    """A hash runs its four lanes on threads of its own: two at once on two CPUs would ask
    for eight. As many sign-ins admitted as one hash per CPU would admit."""
    workers, waiting = hashing_pool_size(cpus=cpus, lanes=4)

    assert (workers, workers + waiting) == (at_once, admitted)


async def test_the_service_s_hashes_at_once_ask_no_more_threads_than_its_cpus() -> None:
    pool, cpus = hashing_threads(), default_workers()
    try:
        assert pool.workers * HASH_LANES <= max(cpus, HASH_LANES)
        assert pool.capacity == 2 * cpus  # one running and one waiting per CPU, as before
    finally:
        pool.close()


async def test_a_worker_that_dies_fails_its_task_and_the_next_task_gets_a_new_one(
    processes: CpuProcesses,
) -> None:
    first = await processes.run("pid", os.getpid)

    with pytest.raises(WorkerLost):
        await processes.run("crash", os._exit, 1)

    assert await processes.run("after", os.getpid) not in (first, os.getpid())
    assert processes.counters["cpu_worker_lost"] == 1
    await eventually(lambda: processes.admitted == 0)


async def test_a_worker_killed_under_its_queue_fails_every_task_it_held_and_frees_their_places(
    processes: CpuProcesses, gate: Gate
) -> None:
    [held] = await occupy(processes, 1, gate)
    [pid] = await gate.entered(1)
    queued = asyncio.create_task(processes.run("queued", sum, [1]))
    await eventually(lambda: processes.counters["cpu_queued"] == 1)  # in the worker's queue

    os.kill(pid, signal.SIGKILL)  # as the kernel's out-of-memory killer would

    for task in (held, queued):
        with pytest.raises(WorkerLost):
            await task
    await eventually(lambda: processes.admitted == 0)
    assert await processes.run("after", sum, [1, 2]) == 3


async def test_a_closed_pool_takes_no_more_work(processes: CpuProcesses) -> None:
    processes.close()

    with pytest.raises(RuntimeError):
        await processes.run("late", sum, [1])
    assert processes.admitted == 0
