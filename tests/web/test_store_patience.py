"""The store's patience holds whatever the database does.

While another process holds SQLite's write lock (or locks a call's tables on PostgreSQL),
every webhook is answered within FRONTDOOR_STORE_PATIENCE_S, from memory, and kept in the
outage journal; once the lock goes, each call is stored once and the instance is itself again.
Answer times are measured with the test's monotonic clock against a bound far above the
patience (a loaded machine stays within it) and far below SQLite's 30 s busy wait, which is
what a caller waited before.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from frontdoor.departments import Departments
from frontdoor.keys import COUNTERS
from frontdoor.kit.patience import STORE_WORK, StoreWork
from frontdoor.kit.twilio_webhook import JOURNAL
from frontdoor.phone import Answer, ScriptedPerson, TestClientTransport, TwilioPhone
from frontdoor.phone_twiml import CallResult
from frontdoor.settings import Settings
from frontdoor.store.models import WebhookReceipt
from frontdoor.web.app import create_app
from tests.conftest import AUTH_TOKEN, PUBLIC_URL
from tests.waiting import eventually
from tests.web.calls import AMARTIN, LOT, NURSE, TUESDAY_MORNING, stored
from tests.web.locks import TimedTransport, WriteLock
from tests.web.outage import rows

PATIENCE_S = 1.0
ANSWERED_WITHIN_S = PATIENCE_S + 3.0
# Every event of a call a nurse makes and amartin takes.
TAKEN_CALL_EVENTS = sorted(
    ["incoming", "menu", "menu", "picked-up", "accepted", "ring-ended", "ended"]
)


@pytest.fixture
async def patient(aiohttp_client: Any, settings: Settings, departments: Departments) -> TestClient:
    """An instance waiting for its store no longer than PATIENCE_S (the suite's own wait
    longer, so that a busy machine never sends them down the outage path)."""
    update = {"store_patience_s": PATIENCE_S, "instance_name": "patient"}
    client: TestClient = await aiohttp_client(
        create_app(settings.model_copy(update=update), departments)
    )
    return client


def phone(transport: TimedTransport) -> TwilioPhone:
    return TwilioPhone(
        transport, public_url=PUBLIC_URL, auth_token=AUTH_TOKEN, simulated_at=TUESDAY_MORNING
    )


class TakenByAmartin(ScriptedPerson):
    """A nurse (1, then 2) whose call amartin takes."""

    def __init__(self) -> None:
        super().__init__(["1", "2"], referents={AMARTIN: Answer(presses="1")})


async def ready(client: TestClient) -> bool:
    async with client.get("/readyz") as response:
        return response.status == 200


async def stored_once(settings: Settings, *results: CallResult) -> None:
    """Each call is one request with each of its events once (kept in the journal or not),
    and each webhook one answer."""
    requests, events = await stored(settings)
    assert sorted(r.call_sid for r in requests) == sorted(result.call_sid for result in results)
    for request in requests:
        assert (request.outcome, request.taken_by) == ("taken", "amartin")
        kinds = sorted(e.kind for e in events if e.request_id == request.id)
        assert [kind for kind in kinds if kind != "journaled"] == TAKEN_CALL_EVENTS
        assert kinds.count("journaled") <= 1
    receipts = await rows(settings, WebhookReceipt)
    assert len(receipts) == sum(len(result.exchanges) for result in results)


async def test_a_call_met_while_another_process_holds_the_store_is_greeted_in_time(
    patient: TestClient, settings: Settings
) -> None:
    transport = TimedTransport(patient)

    async with WriteLock(settings.database_url):
        result = await phone(transport).call(from_=NURSE, to=LOT, person=TakenByAmartin())

        assert transport.slowest() < ANSWERED_WITHIN_S
        assert result.connected_to == AMARTIN
        assert patient.app[COUNTERS]["webhook_degraded"] == len(result.exchanges)
    await eventually(lambda: not patient.app[JOURNAL].waiting)
    await stored_once(settings, result)


async def test_a_menu_step_met_while_another_process_holds_the_store_is_answered_in_time(
    client: TestClient, patient: TestClient, settings: Settings
) -> None:
    lock = WriteLock(settings.database_url)
    # The greeting stored by an instance of the suite's patience, the next steps on `patient`
    # (behind a proxy, as two instances share a store).
    transport = TimedTransport(client)

    class LockedAfterTheGreeting(TakenByAmartin):
        async def press(self, prompt: str, *, leg: str) -> str | None:
            if len(transport.took) == 1:  # greeted, and stored: now the store is held
                transport.to = TestClientTransport(patient)
                await lock.hold()
            return await super().press(prompt, leg=leg)

    try:
        result = await phone(transport).call(from_=NURSE, to=LOT, person=LockedAfterTheGreeting())

        assert max(took for _, took in transport.took[1:]) < ANSWERED_WITHIN_S
        assert result.connected_to == AMARTIN
        # The greeting was stored; every later step was answered from memory.
        assert patient.app[COUNTERS]["webhook_degraded"] == len(result.exchanges) - 1
    finally:
        await lock.release()
    await eventually(lambda: not patient.app[JOURNAL].waiting)
    await stored_once(settings, result)


async def test_once_the_lock_goes_the_instance_is_itself_again(
    patient: TestClient, settings: Settings
) -> None:
    during = TimedTransport(patient)
    async with WriteLock(settings.database_url):
        met = await asyncio.gather(
            *(phone(during).call(from_=NURSE, to=LOT, person=TakenByAmartin()) for _ in range(4))
        )
        assert during.slowest() < ANSWERED_WITHIN_S

    # Nothing it stopped waiting for is left holding the store; the journal is written.
    await eventually(lambda: not patient.app[STORE_WORK].finishing)
    await eventually(lambda: not patient.app[JOURNAL].waiting)
    await eventually(lambda: ready(patient))
    after = TimedTransport(patient)
    next_call = await phone(after).call(from_=NURSE, to=LOT, person=TakenByAmartin())

    assert after.slowest() < ANSWERED_WITHIN_S
    await eventually(lambda: not patient.app[JOURNAL].waiting)
    await stored_once(settings, *met, next_call)


# The wait itself, whatever the work does once it is cancelled.


async def test_store_work_done_in_time_gives_its_result() -> None:
    async def work() -> str:
        return "stored"

    assert await StoreWork().within(60, work()) == "stored"


async def test_store_work_that_fails_raises_its_error() -> None:
    async def work() -> None:
        raise ConnectionRefusedError

    with pytest.raises(ConnectionRefusedError):
        await StoreWork().within(60, work())


async def test_past_the_patience_the_caller_is_told_at_once_and_the_work_finishes_behind() -> None:
    store_lets_go = asyncio.Event()
    closed = asyncio.Event()

    async def blocked_work() -> None:
        try:
            await asyncio.Event().wait()  # a statement in SQLite's busy wait
        finally:
            await store_lets_go.wait()  # its session's close, on the same connection
            closed.set()

    work = StoreWork()
    with pytest.raises(TimeoutError):
        await work.within(0.01, blocked_work())

    assert work.finishing == 1
    store_lets_go.set()
    await work.drain()  # as shutdown does, before the engine is disposed
    assert closed.is_set()
    assert work.finishing == 0
