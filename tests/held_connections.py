"""A probe for one class of defect: waiting for something slow while holding the store.

A task that waits for Twilio, an SMTP or IMAP server, a subscriber's endpoint or the CPU
pool (a password hash, a spreadsheet) while it holds one of the store's connections holds it
for as long as they take (seconds, up to a timeout): on SQLite that is the service's only
connection, and every webhook waits behind it; on PostgreSQL it is a pool slot and a
transaction left open. The probe records, for every connection checked out of any engine's
pool, the task that holds it, and notes each such wait that a task begins while it holds
one. tests/conftest.py fails a test that saw one.
"""

from __future__ import annotations

import asyncio
import functools
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import aiohttp
import pytest
from sqlalchemy import event
from sqlalchemy.pool import Pool

from frontdoor.cpu import CpuPool
from frontdoor.mailbox.imap import ImapMailbox
from frontdoor.outbound.mail import MailConnection


def _running_task() -> asyncio.Task[Any] | None:
    try:
        return asyncio.current_task()
    except RuntimeError:  # a synchronous engine, outside any event loop
        return None


def _caller() -> str:
    """The service's innermost function on the stack: who made the request."""
    for frame in reversed(traceback.extract_stack()):
        if "/frontdoor/" in frame.filename and "/frontdoor/outbound/" not in frame.filename:
            return f"{frame.filename.rsplit('/frontdoor/', 1)[1]}:{frame.lineno} {frame.name}"
    return "a test"


class HeldConnections:
    def __init__(self) -> None:
        self._holders: dict[int, asyncio.Task[Any] | None] = {}
        self.offences: list[str] = []

    def checked_out(self, _dbapi: object, record: object, _proxy: object) -> None:
        self._holders[id(record)] = _running_task()

    def checked_in(self, _dbapi: object, record: object) -> None:
        self._holders.pop(id(record), None)

    def held_by_this_task(self) -> bool:
        task = _running_task()
        return task is not None and any(holder is task for holder in self._holders.values())

    def probed(self, what: str, call: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(call)
        async def outside(*args: Any, **kwargs: Any) -> Any:
            if self.held_by_this_task():
                self.offences.append(f"{what} from {_caller()}")
            return await call(*args, **kwargs)

        return outside


@contextmanager
def probe(monkeypatch: pytest.MonkeyPatch) -> Iterator[HeldConnections]:
    held = HeldConnections()
    monkeypatch.setattr(
        aiohttp.ClientSession, "_request", held.probed("HTTP", aiohttp.ClientSession._request)
    )
    monkeypatch.setattr(MailConnection, "send", held.probed("SMTP", MailConnection.send))
    for command in ("open", "_ok", "wait_for_new"):  # every IMAP command goes through _ok
        monkeypatch.setattr(
            ImapMailbox, command, held.probed("IMAP", getattr(ImapMailbox, command))
        )
    for handing in ("run", "run_waiting"):
        monkeypatch.setattr(CpuPool, handing, held.probed("CPU", getattr(CpuPool, handing)))
    event.listen(Pool, "checkout", held.checked_out)
    event.listen(Pool, "checkin", held.checked_in)
    try:
        yield held
    finally:
        event.remove(Pool, "checkout", held.checked_out)
        event.remove(Pool, "checkin", held.checked_in)
