"""Work that holds a CPU pool's workers until a test lets it go: event based, for worker
threads and worker processes alike (`hold` is module-level and light to import: a worker
process imports this module to run it)."""

from __future__ import annotations

import asyncio
import os
import socket
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # not imported by the workers: they only run `hold`
    from frontdoor.cpu import CpuPool


def hold(address: tuple[str, int]) -> int:
    """Work that holds its worker until the test opens the gate (see Gate); its pid."""
    with socket.create_connection(address) as gate:
        gate.sendall(f"{os.getpid()}\n".encode())
        gate.recv(1)
    return os.getpid()


class Gate:
    """Where `hold` waits: each holder tells its pid as it starts, and is let go by `open`.
    A server on the test's own loop: a worker thread and a worker process reach it alike."""

    def __init__(self) -> None:
        self.pids: list[int] = []
        self._opened = asyncio.Event()
        self._entered = asyncio.Condition()
        self._server: asyncio.Server | None = None
        self.address: tuple[str, int] = ("127.0.0.1", 0)

    async def __aenter__(self) -> Gate:
        self._server = await asyncio.start_server(self._hold, "127.0.0.1", 0)
        self.address = self._server.sockets[0].getsockname()[:2]
        return self

    async def __aexit__(self, *_: object) -> None:
        self.open()
        assert self._server is not None
        self._server.close()

    async def _hold(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        pid = int(await reader.readline())
        async with self._entered:
            self.pids.append(pid)
            self._entered.notify_all()
        await self._opened.wait()
        writer.write(b"!")
        await writer.drain()
        writer.close()

    async def entered(self, count: int) -> list[int]:
        """The pids of the first `count` holders, once they all hold their worker."""
        async with self._entered:
            await self._entered.wait_for(lambda: len(self.pids) >= count)
        return self.pids[:count]

    def open(self) -> None:
        self._opened.set()


async def occupy(pool: CpuPool, count: int, gate: Gate) -> list[asyncio.Task[int]]:
    """`count` tasks that hold their worker (or queue place) until the gate opens."""
    tasks = [asyncio.create_task(pool.run("hold", hold, gate.address)) for _ in range(count)]
    await asyncio.sleep(0)  # each task takes its place (no time passes: one turn of the loop)
    return tasks
