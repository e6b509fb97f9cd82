"""`frontdoor serve` for bench/loop_blocking.py, as the code is ("pool") or as it was before
the CPU pool ("inline"): every pool task run on the event loop itself, the mail pattern that
backtracked over long runs, and whole paths in the access log.

    python bench/loop_blocking_server.py pool|inline     (settings from the environment)
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from typing import Any

from frontdoor import cpu, logs
from frontdoor.cli import main


async def _on_the_loop(
    self: cpu.CpuPool, task: str, work: Callable[..., Any], *args: Any, **kwargs: Any
) -> Any:
    return work(*args, **kwargs)


if __name__ == "__main__":
    if sys.argv[1:] == ["inline"]:
        cpu.CpuPool.run = _on_the_loop  # type: ignore[method-assign]
        logs._MAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
        logs.MAX_PATH = sys.maxsize
    elif sys.argv[1:] != ["pool"]:
        raise SystemExit(__doc__)
    sys.exit(main(["serve"]))
