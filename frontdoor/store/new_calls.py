"""Group commit for incoming calls: many calls' first rows written in one transaction.

The first webhook of a call must be answered fast and only once its request is stored. Under
load, committing each call on its own spends most of the time in round trips and commits;
here concurrent calls wait for one shared transaction instead (a few statements per batch),
and each is answered when the batch holding its rows has committed.

A batch starts as soon as a call is waiting and a connection is free for it: there is no
window to fill. On PostgreSQL up to `PARALLEL_BATCHES` batches are written at once, so a call
arriving while one commits starts the next batch at once instead of waiting for that commit
to return (which made most of the incoming call's latency: bench/README.md). SQLite has one
writer: its batches follow one another.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from frontdoor.store.db import dialect_insert
from frontdoor.store.models import Request, RequestEvent, WebhookReceipt

log = logging.getLogger(__name__)

MAX_BATCH = 200
PARALLEL_BATCHES = 2  # on PostgreSQL; SQLite writes one batch at a time
_REQUESTS: Table = Request.__table__  # type: ignore[attr-defined]
_EVENTS: Table = RequestEvent.__table__  # type: ignore[attr-defined]
_RECEIPTS: Table = WebhookReceipt.__table__  # type: ignore[attr-defined]


def _column_defaults() -> dict[str, Any]:
    model = Request(department="", channel="", received_at=datetime.now(UTC))
    return model.model_dump(exclude={"id", "department", "channel", "received_at"})


# Every column of a new request row, as the model's defaults give them.
REQUEST_DEFAULTS: Mapping[str, Any] = _column_defaults()


def request_row(**columns: Any) -> dict[str, Any]:
    """A full `requests` row: the given columns over the model's defaults (no ORM instance)."""
    return {**REQUEST_DEFAULTS, **columns}


@dataclass(kw_only=True, frozen=True)
class NewCall:
    """The rows of a call's first webhook: its request, first event, and the answer given."""

    request: Mapping[str, Any]  # a `requests` row without id; call_sid set
    event: Mapping[str, Any]  # a `request_events` row without id nor request_id
    receipt: Mapping[str, Any]  # a `webhook_receipts` row


class Stored(Enum):
    NEW = "new"
    DUPLICATE = "duplicate"  # the call was already stored: a retry of its first webhook


class NewCallWriter:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._pending: list[tuple[NewCall, asyncio.Future[Stored]]] = []
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        parallel = PARALLEL_BATCHES if engine.dialect.name == "postgresql" else 1
        self._slots = asyncio.Semaphore(parallel)
        self._batches: set[asyncio.Task[None]] = set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="new-call-writer")

    async def stop(self) -> None:
        tasks = [*self._batches, *([self._task] if self._task is not None else [])]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for _, future in self._pending:
            if not future.done():
                future.set_exception(ConnectionError("the writer stopped"))

    async def store(self, call: NewCall) -> Stored:
        """Returns once the call's rows are committed (or were already)."""
        future: asyncio.Future[Stored] = asyncio.get_running_loop().create_future()
        self._pending.append((call, future))
        self._wakeup.set()
        return await future

    async def _run(self) -> None:
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            while self._pending:
                await self._slots.acquire()
                batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
                task = asyncio.create_task(self._commit(batch), name="new-call-batch")
                self._batches.add(task)
                task.add_done_callback(self._batches.discard)

    async def _commit(self, batch: Sequence[tuple[NewCall, asyncio.Future[Stored]]]) -> None:
        """Write one batch; each waiting webhook learns its call's fate (or the error)."""
        try:
            results = await self._write([call for call, _ in batch])
        except BaseException as error:  # noqa: BLE001  (each waiting webhook decides)
            failure = error if isinstance(error, Exception) else ConnectionError("stopped")
            for _, future in batch:
                if not future.done():
                    future.set_exception(failure)
            if not isinstance(error, Exception):
                raise
        else:
            for (_, future), result in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(result)
        finally:
            self._slots.release()

    async def _write(self, calls: Sequence[NewCall]) -> list[Stored]:
        firsts: dict[tuple[str, str], NewCall] = {}
        # By call: two batches written at once that both hold a retried call take their row
        # locks in the same order, and cannot deadlock. A call is its department's and its
        # CallSid: the same CallSid for another department is another call.
        for call in sorted(calls, key=_call_key):
            firsts.setdefault(_call_key(call), call)
        async with self._engine.begin() as connection:
            ids = await _insert_requests(connection, [c.request for c in firsts.values()])
            new = [c for key, c in firsts.items() if key in ids]
            if new:
                await connection.execute(
                    _EVENTS.insert(),
                    [
                        {
                            **c.event,
                            "request_id": ids[_call_key(c)],
                            "department": c.request["department"],
                        }
                        for c in new
                    ],
                )
                await connection.execute(
                    dialect_insert(connection, _RECEIPTS).on_conflict_do_nothing(),
                    [dict(c.receipt) for c in new],
                )
        return [
            Stored.NEW if firsts[_call_key(c)] is c and _call_key(c) in ids else Stored.DUPLICATE
            for c in calls
        ]


def _call_key(call: NewCall) -> tuple[str, str]:
    return call.request["department"], call.request["call_sid"]


async def _insert_requests(
    connection: AsyncConnection, rows: Sequence[Mapping[str, Any]]
) -> dict[tuple[str, str], int]:
    """Insert the requests not stored yet; their ids by (department, CallSid)."""
    statement = (
        dialect_insert(connection, _REQUESTS)
        .on_conflict_do_nothing(index_elements=["department", "call_sid"])
        .returning(_REQUESTS.c.id, _REQUESTS.c.department, _REQUESTS.c.call_sid)
    )
    result = await connection.execute(statement, [dict(row) for row in rows])
    return {(department, call_sid): id_ for id_, department, call_sid in result.all()}
