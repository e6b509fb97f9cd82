"""`frontdoor serve --workers N`: N processes answering on one port.

Each worker is a whole instance (its event loop, pool of database connections, scheduler,
outage journal), forked once the database is migrated, listening on the same address with
SO_REUSEPORT: the kernel spreads the connections among them. Instances already share one
database safely (group commits, receipts, job runs recorded per instance), so workers need
nothing more from each other. Each gets its own instance name, `<name>-<n>`, so its outage
journal and job runs are its own; with FRONTDOOR_INSTANCE_NAME set, a restarted worker finds
its journal again. The parent only waits: it passes SIGTERM and SIGINT on to the workers, and
stops them all if one exits (a webhook must not find half a service).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
from collections.abc import Callable
from types import FrameType

from frontdoor.settings import Settings

log = logging.getLogger(__name__)

MAX_WORKERS = 64


def worker_settings(settings: Settings, index: int) -> Settings:
    """A worker's settings: the instance's, under a name of its own."""
    return settings.model_copy(update={"instance_name": f"{settings.instance_name}-{index}"})


def serve(workers: int, run: Callable[[int], int]) -> int:
    """Fork `workers` processes running `run(index)` (1…N; its result is the worker's exit
    status); wait for them. Exit status 0 when they were stopped by a signal, 1 when one of
    them ended on its own."""
    children: dict[int, int] = {}
    for index in range(1, workers + 1):
        pid = os.fork()
        if pid == 0:  # the worker
            code = 1
            try:
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                code = run(index)
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        children[pid] = index
    stopping = False

    def stop(signum: int, _frame: FrameType | None = None) -> None:
        nonlocal stopping
        stopping = True
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM if signum == signal.SIGTERM else signal.SIGINT)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    status = 0
    while children:
        pid, _ = os.wait()
        index = children.pop(pid, 0)
        if index and not stopping:
            log.error("worker %d ended: stopping the others", index)
            status = 1
            stop(signal.SIGTERM)
    return status
