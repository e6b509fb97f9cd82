"""Ports for the servers a test starts: never the same port for two tests running at once.

Binding port 0 and closing the socket names a port that is free for a moment only. A test of
another xdist worker, or of CI's other database half running beside this one, can be handed
the same port by the kernel before this test's server binds it, and the test then speaks to
a server that is not its own: a signed webhook was once answered 403 by another test's
instance, whose health check had answered for the test's own.

So a port is taken below the kernel's ephemeral range, which `bind(("", 0))` and outgoing
connections draw from, and reserved by an exclusive lock on a file named for it. The lock is
held until the test process ends, so a port is never handed out twice on the machine while
a test run that took it is alive, even after its server has stopped.
"""

from __future__ import annotations

import fcntl
import os
import random
import socket
import tempfile
from pathlib import Path

# Below Linux's default ephemeral range (32768-60999), above the ports of usual services.
FIRST_PORT, END_PORT = 20000, 32000
LOCKS = Path(tempfile.gettempdir()) / "frontdoor-test-ports"

_held: dict[int, int] = {}  # port -> the descriptor holding its lock, until the process ends


def free_port() -> int:
    """A port no other test process holds and nothing listens on, kept for this process."""
    LOCKS.mkdir(mode=0o700, exist_ok=True)
    span = END_PORT - FIRST_PORT
    start = random.randrange(span)  # processes starting together begin at different places
    for step in range(span):
        port = FIRST_PORT + (start + step) % span
        if port in _held:
            continue
        descriptor = os.open(LOCKS / str(port), os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:  # another test process holds it
            os.close(descriptor)
            continue
        if bindable(port):
            _held[port] = descriptor
            return port
        os.close(descriptor)
    raise RuntimeError(f"no free port between {FIRST_PORT} and {END_PORT}")


def bindable(port: int) -> bool:
    """Nothing else on the machine (a service, a server in TIME_WAIT) has this port."""
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True
