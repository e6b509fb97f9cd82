"""PostgreSQL stopped, then started again, while calls keep coming in to `frontdoor serve`.

The cluster is the test's own (pg_createcluster, as root), never the shared one. Calls are
placed all along with the TwiML-following phone: before the stop, while the database is
down, and after it is back. Every caller must hear a way forward (a referent put through,
or a message taken), and once the instance has replayed its journal every call must be in
the store exactly once, with its outcome, its events and its callback task.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from sqlmodel import col, select

from frontdoor.phone import Answer, ClientSessionTransport, ScriptedPerson, TwilioPhone
from frontdoor.phone_twiml import CallResult
from frontdoor.standins.twilio_api import FakeTwilioApi
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.models import CallbackTaskRow, Request, RequestEvent
from tests.ports import free_port
from tests.system.instances import Instance

log = logging.getLogger(__name__)

PG_VERSION = "15"
ON_CI = os.environ.get("CI") == "true"
# Why this test cannot run here, if it cannot (under CI it must: it fails instead).
CANNOT_RUN = (
    "needs root to create a PostgreSQL cluster of its own"
    if os.geteuid() != 0
    else "needs pg_createcluster (Debian's postgresql-common)"
    if shutil.which("pg_createcluster") is None
    else None
)
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(CANNOT_RUN is not None and not ON_CI, reason=CANNOT_RUN or ""),
]

PARIS = ZoneInfo("Europe/Paris")
LOT = "+33536490046"
AMARTIN = "+33612000001"
# A Tuesday morning: the Lot is open, amartin then bleroy on duty (the calls' simulated time).
TUESDAY_MORNING = datetime(2026, 5, 12, 10, 0, tzinfo=PARIS)
BEFORE_S, DOWN_S, AFTER_S = 2.0, 5.0, 3.0
NEW_CALL_EVERY_S = 0.15
REPLAY_TIMEOUT_S = 60.0
# What a caller would notice: Twilio drops a webhook unanswered after 15 s. (The service's own
# patience is 5 s; on a busy machine a webhook can take longer than that without harm.)
TWILIO_GIVES_UP_S = 15.0


@dataclass(kw_only=True, frozen=True)
class Cluster:
    name: str
    port: int

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/frontdoor"

    async def ctl(self, action: str) -> None:
        await run("pg_ctlcluster", PG_VERSION, self.name, action)


async def run(*command: str) -> None:
    process = await asyncio.create_subprocess_exec(
        *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    output, _ = await process.communicate()
    assert process.returncode == 0, f"{' '.join(command)}:\n{output.decode()}"


@pytest.fixture
async def cluster() -> AsyncIterator[Cluster]:
    """A PostgreSQL cluster of this test's own, with a `frontdoor` database; dropped after."""
    assert CANNOT_RUN is None, CANNOT_RUN  # under CI=true
    own = Cluster(name=f"frontdoor_fault_{uuid.uuid4().hex[:8]}", port=free_port())
    await run(
        "pg_createcluster", PG_VERSION, own.name, "--port", str(own.port), "--", "--auth=trust"
    )
    try:
        await own.ctl("start")
        await run("psql", "-h", "127.0.0.1", "-p", str(own.port), "-U", "postgres",
                  "-c", "CREATE DATABASE frontdoor")  # fmt: skip
        yield own
    finally:
        await run("pg_dropcluster", "--stop", PG_VERSION, own.name)


class SlowPerson(ScriptedPerson):
    """Takes a moment over each sentence, so that calls are in flight when the store stops."""

    async def hear(self, text: str, *, leg: str) -> None:
        await super().hear(text, leg=leg)
        await asyncio.sleep(0.03)


# A caller whose call comes while amartin talks to another waits in the queue (nobody takes
# them out here: an offer to her is a call the phone does not follow): they press 0 at the
# first hold message and leave a message.
WAITS: list[str | None] = ["0"]


def script(number: int) -> tuple[str, ScriptedPerson]:
    """Every other caller is put through to amartin if she is free; the others reach nobody
    and leave a message (amartin, bleroy and the backup do not pick up)."""
    message = f"Message numéro {number}."
    if number % 2 == 0:
        taking = {AMARTIN: Answer(presses="1")}
        return "taken", SlowPerson(["1", "2", *WAITS], referents=taking, message=message)
    return "voicemail", SlowPerson(["1", "1", *WAITS], message=message)


@dataclass(kw_only=True)
class Placed:
    expected: str
    phase: str
    result: CallResult | None = None
    slowest_s: float = 0.0


class TimedTransport(ClientSessionTransport):
    """Notes the slowest webhook of a call: Twilio gives up after 15 s."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str, placed: Placed) -> None:
        super().__init__(session, base_url)
        self.placed = placed

    async def post(self, path_qs: str, form: object, headers: object) -> tuple[int, str]:
        started = time.monotonic()
        try:
            return await super().post(path_qs, form, headers)  # type: ignore[arg-type]
        finally:
            self.placed.slowest_s = max(self.placed.slowest_s, time.monotonic() - started)


async def test_every_caller_hears_a_way_forward_and_every_call_is_stored_once_after_an_outage(
    cluster: Cluster, tmp_path: Path, twilio_api: FakeTwilioApi
) -> None:
    instance = Instance(
        "alpha", cluster.url, tmp_path, twilio_api,
        FRONTDOOR_SIMULATED_TIME="true", FRONTDOOR_JOBS_ENABLED="false",
    )  # fmt: skip
    placed: list[Placed] = []
    phase = "before"
    async with aiohttp.ClientSession() as session:
        await instance.start()
        try:
            await instance.wait_healthy(session)

            async def place(number: int) -> None:
                expected, person = script(number)
                call = Placed(expected=expected, phase=phase)
                placed.append(call)
                base = f"http://127.0.0.1:{instance.port}"
                phone = TwilioPhone(
                    TimedTransport(session, base, call), public_url=base,
                    auth_token=twilio_api.auth_token, account_sid=twilio_api.account_sid,
                    simulated_at=TUESDAY_MORNING,
                )  # fmt: skip
                call.result = await phone.call(from_=f"+336{number:08d}", to=LOT, person=person)

            async def stream(seconds: float) -> None:
                async with asyncio.TaskGroup() as calls:
                    deadline = time.monotonic() + seconds
                    while time.monotonic() < deadline:
                        calls.create_task(place(len(placed)))
                        await asyncio.sleep(NEW_CALL_EVERY_S)

            async with asyncio.TaskGroup() as outage:
                calls = outage.create_task(stream(BEFORE_S + DOWN_S + AFTER_S))
                await asyncio.sleep(BEFORE_S)
                phase = "stopping"
                await cluster.ctl("stop")
                phase, stopped = "down", time.monotonic()
                await asyncio.sleep(DOWN_S)
                phase = "starting"
                await cluster.ctl("start")
                phase, restarted = "after", time.monotonic()
                await calls
            replayed_s = await journal_emptied(tmp_path / "var" / "journal") - restarted
        finally:
            log_text = instance.log()
            await instance.stop()

    # Every caller heard a way forward: put through, or a message taken.
    for call in placed:
        assert call.result is not None
        if call.expected == "taken" and call.result.connected_to is None:
            call.expected = "voicemail"  # amartin was on another call: a message instead
        if call.expected == "taken":
            assert call.result.connected_to == AMARTIN, call
        else:
            assert call.result.message is not None, call
            assert any("Laissez-nous un message" in line.text for line in call.result.transcript)
        assert call.slowest_s < TWILIO_GIVES_UP_S, call

    requests, events, tasks = await everything(cluster.url)
    by_sid = {request.call_sid: request for request in requests}
    assert len(requests) == len(placed)
    kinds: dict[int, list[str]] = {}
    for event in events:
        kinds.setdefault(event.request_id, []).append(event.kind)
    journaled = 0
    for call in placed:
        assert call.result is not None
        request = by_sid[call.result.call_sid]
        assert request.outcome == call.expected, (call.phase, kinds[request.id or 0])
        assert kinds[request.id or 0].count("incoming") == 1
        assert kinds[request.id or 0].count("ended") == 1
        journaled += "journaled" in kinds[request.id or 0]
    owed = {task.request_id for task in tasks}
    for request in requests:  # a callback for every message, none for a call taken
        assert (request.id in owed) == (request.outcome == "voicemail"), events_of(request, events)
    during = [call for call in placed if call.phase == "down"]
    assert during
    assert journaled >= len(during), log_text
    assert journaled < len(placed)  # the calls before and after went straight to the store
    log.info(
        "%s calls (%s placed between the stop and the start, %.1f s apart), %s kept in the "
        "journal; slowest webhook %.3f s; journal empty %.1f s after PostgreSQL started again",
        len(placed), len(during), restarted - stopped, journaled,
        max(call.slowest_s for call in placed), replayed_s,
    )  # fmt: skip


def events_of(request: Request, events: list[RequestEvent]) -> list[tuple[str, str | None]]:
    return [(e.kind, e.detail) for e in events if e.request_id == request.id]


async def journal_emptied(folder: Path) -> float:
    """When the instance's journal has no segment left (it replays every few seconds)."""
    for _ in range(int(REPLAY_TIMEOUT_S * 10)):
        if not segments(folder):
            return time.monotonic()
        await asyncio.sleep(0.1)
    raise AssertionError(f"still in the journal: {segments(folder)}")


def segments(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.glob("*.jsonl"))


async def everything(
    url: str,
) -> tuple[list[Request], list[RequestEvent], list[CallbackTaskRow]]:
    engine = create_engine(url)
    try:
        async with session_maker(engine)() as session:
            requests = (await session.exec(select(Request))).all()
            events = (
                await session.exec(
                    select(RequestEvent).order_by(col(RequestEvent.at), col(RequestEvent.id))
                )
            ).all()
            tasks = (await session.exec(select(CallbackTaskRow))).all()
            return list(requests), list(events), list(tasks)
    finally:
        await engine.dispose()
