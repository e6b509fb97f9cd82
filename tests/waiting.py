"""Waiting for something to happen, never for a length of time: a test's outcome must not
depend on how fast a busy machine is. The limit only stops a test that would hang."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable

HANG_S = 120.0  # far beyond anything a loaded machine takes: reaching it is a failure


async def eventually(check: Callable[[], bool | Awaitable[bool]], within_s: float = HANG_S) -> None:
    """Return as soon as `check()` holds; fail if it still does not after `within_s`."""
    deadline = time.monotonic() + within_s
    while True:
        outcome = check()
        if await outcome if inspect.isawaitable(outcome) else outcome:
            return
        assert time.monotonic() < deadline, "never happened"
        await asyncio.sleep(0.02)
