"""A value anyone may ask for as often as they like is computed once for everyone waiting,
kept a while, and a failure kept a shorter while: a flood of requests that ask nothing of
their sender is not a flood of work."""

from __future__ import annotations

import asyncio

import pytest

from frontdoor.kit.single_flight import SingleFlight


class Source:
    """Computes 1, 2, 3…, each after `delay_s`; fails while `failing`."""

    def __init__(self, delay_s: float = 0.0) -> None:
        self.calls, self.delay_s, self.failing = 0, delay_s, False

    async def compute(self) -> int:
        self.calls += 1
        await asyncio.sleep(self.delay_s)
        if self.failing:
            raise ConnectionError("down")
        return self.calls


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_callers_waiting_together_share_one_computation() -> None:
    source = Source(delay_s=0.05)
    flight = SingleFlight(source.compute, keep_s=1.0)

    values = await asyncio.gather(*(flight.get() for _ in range(100)))

    assert values == [1] * 100
    assert source.calls == 1


async def test_the_value_is_kept_for_keep_s_then_computed_again() -> None:
    source, clock = Source(), Clock()
    flight = SingleFlight(source.compute, keep_s=1.0, clock=clock)

    first = await flight.get()
    clock.now += 0.9
    kept = await flight.get()
    clock.now += 0.2
    again = await flight.get()

    assert (first, kept, again) == (1, 1, 2)


async def test_fresh_computes_again_whatever_is_kept_but_joins_one_under_way() -> None:
    source = Source(delay_s=0.05)
    flight = SingleFlight(source.compute, keep_s=60.0)
    await flight.get()

    together = await asyncio.gather(flight.get(fresh=True), flight.get(fresh=True))

    assert together == [2, 2]
    assert await flight.get() == 2


async def test_a_failure_is_raised_again_without_trying_for_failed_s_only() -> None:
    source, clock = Source(), Clock()
    flight = SingleFlight(source.compute, keep_s=60.0, failed_s=5.0, clock=clock)
    source.failing = True

    for _ in range(10):
        with pytest.raises(ConnectionError):
            await flight.get()
    source.failing = False
    clock.now += 5.0
    back = await flight.get()

    assert source.calls == 2
    assert back == 2


async def test_a_caller_that_hangs_up_does_not_cancel_the_others_computation() -> None:
    gate, source = asyncio.Event(), Source()

    async def computed_once_let_through() -> int:
        await gate.wait()
        return await source.compute()

    flight = SingleFlight(computed_once_let_through, keep_s=1.0)
    impatient = asyncio.create_task(flight.get())
    patient = asyncio.create_task(flight.get())
    await asyncio.sleep(0)  # both are waiting for the computation

    impatient.cancel()
    gate.set()

    assert await patient == 1
    assert impatient.cancelled()
    assert source.calls == 1
