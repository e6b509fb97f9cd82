"""The CPU pool: work runs off the event loop, a few at a time; past its queue, the caller is
refused at once (the edge answers 503 in French) instead of piling up."""

from __future__ import annotations

import asyncio
import threading

import pytest

from frontdoor.cpu import CpuBusy, CpuPool


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
