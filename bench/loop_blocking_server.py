"""`frontdoor serve` for bench/loop_blocking.py, as the code is ("processes": pure-Python work
in the worker processes, hashes in the worker threads), as it was before the worker processes
("threads": spreadsheets, calendar feeds and mails in the worker threads too, where they hold
the GIL the loop needs), or as it was before the CPU pool ("inline"): every pool task run on
the event loop itself, the mail pattern that backtracked over long runs, and whole paths in
the access log.

    python bench/loop_blocking_server.py processes|threads|inline   (settings from the environment)
"""

from __future__ import annotations

import asyncio
import re
import sys
from collections.abc import Callable
from typing import Any

from frontdoor import cpu, logs
from frontdoor.cli import main
from frontdoor.web import app


async def _on_the_loop(
    self: cpu.CpuPool, task: str, work: Callable[..., Any], *args: Any, **kwargs: Any
) -> Any:
    return work(*args, **kwargs)


class _ThreadsAsBefore(cpu.CpuThreads):
    """The pool of pure-Python work as it was: threads, no fork server to start."""

    def start(self) -> None:
        pass

    async def aclose(self) -> None:
        await asyncio.to_thread(self.close)


if __name__ == "__main__":
    if sys.argv[1:] == ["inline"]:
        cpu.CpuPool.run = _on_the_loop  # type: ignore[method-assign]
        logs._MAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
        logs.MAX_PATH = sys.maxsize
    elif sys.argv[1:] == ["threads"]:
        app.CpuProcesses = _ThreadsAsBefore  # type: ignore[misc]
    elif sys.argv[1:] != ["processes"]:
        raise SystemExit(__doc__)
    sys.exit(main(["serve"]))
