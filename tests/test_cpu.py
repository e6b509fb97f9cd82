"""The CPU pool: work runs off the event loop, a few at a time; past its queue, the caller is
refused at once (the edge answers 503 in French) instead of piling up."""

from __future__ import annotations

import asyncio
import os
import threading

import pytest

from frontdoor.cpu import WORKER_NICENESS, CpuBusy, CpuPool


async def occupy(pool: CpuPool, count: int, release: threading.Event) -> list[asyncio.Task[bool]]:
    """`count` tasks that hold their worker (or queue place) until `release` is set."""
    tasks = [asyncio.create_task(pool.run("wait", release.wait)) for _ in range(count)]
    await asyncio.sleep(0)  # each task takes its place (no time passes: one turn of the loop)
    return tasks


async def test_work_beyond_the_workers_and_their_queue_is_refused_at_once() -> None:
    pool, release = CpuPool(workers=1, waiting=1), threading.Event()
    held = await occupy(pool, 2, release)

    with pytest.raises(CpuBusy):
        await pool.run("one_too_many", sum, [1, 2])

    release.set()
    assert await asyncio.gather(*held) == [True, True]
    assert await pool.run("again", sum, [1, 2]) == 3
    assert pool.counters["cpu_busy"] == 1
    pool.close()


async def test_a_caller_that_stops_waiting_frees_its_place_only_when_the_work_ends() -> None:
    pool, release = CpuPool(workers=1, waiting=0), threading.Event()
    [running] = await occupy(pool, 1, release)

    running.cancel()
    await asyncio.gather(running, return_exceptions=True)

    with pytest.raises(CpuBusy):  # the worker still runs the abandoned work
        await pool.run("meanwhile", sum, [1])
    release.set()
    # Freed by a callback from the worker thread, on the loop: a turn at a time.
    while pool.admitted:  # noqa: ASYNC110
        await asyncio.sleep(0)
    assert await pool.run("after", sum, [1]) == 1
    pool.close()


async def test_background_work_waits_for_a_place_instead_of_being_refused() -> None:
    pool, release = CpuPool(workers=1, waiting=0), threading.Event()
    [held] = await occupy(pool, 1, release)

    queued = asyncio.create_task(pool.run_waiting("mail_parse", sum, [1, 2]))
    await asyncio.sleep(0)
    assert not queued.done()  # waiting, not refused
    with pytest.raises(CpuBusy):  # the door's own work is still refused meanwhile
        await pool.run("sign_in", sum, [1])

    release.set()
    assert await held is True
    assert await queued == 3
    assert pool.counters["cpu_mail_parse"] == 1
    pool.close()


async def test_a_waiter_that_gives_up_leaves_its_turn_to_the_next() -> None:
    pool, release = CpuPool(workers=1, waiting=0), threading.Event()
    [held] = await occupy(pool, 1, release)
    first = asyncio.create_task(pool.run_waiting("first", sum, [1]))
    second = asyncio.create_task(pool.run_waiting("second", sum, [2]))
    await asyncio.sleep(0)

    first.cancel()
    release.set()

    assert await second == 2
    assert first.cancelled()
    assert await held is True
    pool.close()


@pytest.mark.skipif(not hasattr(os, "getpriority"), reason="thread priorities are Linux's")
async def test_workers_run_below_the_event_loops_priority() -> None:
    pool = CpuPool(workers=1)
    loop_thread = os.getpriority(os.PRIO_PROCESS, 0)

    worker = await pool.run("priority", os.getpriority, os.PRIO_PROCESS, 0)

    assert worker == min(19, loop_thread + WORKER_NICENESS)
    assert os.getpriority(os.PRIO_PROCESS, 0) == loop_thread  # the loop's own is untouched
    pool.close()
