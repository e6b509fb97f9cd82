"""`frontdoor serve` for bench/loop_blocking.py, as the code is ("pool"), as the pool was
first ("pool-first": its workers at the loop's priority, four waiting per worker, a sign-in
finding it full answered 503 at once), or as it was before the CPU pool ("inline"): every
pool task run on the event loop itself, the mail pattern that backtracked over long runs, and
whole paths in the access log.

    python bench/loop_blocking_server.py pool|pool-first|inline   (settings from the environment)
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from typing import Any

from frontdoor import cpu, logs
from frontdoor.cli import main
from frontdoor.console import sign_in


async def _on_the_loop(
    self: cpu.CpuPool, task: str, work: Callable[..., Any], *args: Any, **kwargs: Any
) -> Any:
    return work(*args, **kwargs)


if __name__ == "__main__":
    if sys.argv[1:] == ["inline"]:
        cpu.CpuPool.run = _on_the_loop  # type: ignore[method-assign]
        logs._MAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
        logs.MAX_PATH = sys.maxsize
    elif sys.argv[1:] == ["pool-first"]:
        cpu._lower_priority = lambda: None  # type: ignore[assignment]  # noqa: SLF001
        cpu.WAITING_PER_WORKER = 4
        sign_in.CpuBusy = type("NeverRaised", (Exception,), {})  # type: ignore[assignment,misc]
    elif sys.argv[1:] != ["pool"]:
        raise SystemExit(__doc__)
    sys.exit(main(["serve"]))
