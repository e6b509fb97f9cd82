"""Two `frontdoor serve` processes behind the shipped nginx configuration, on one PostgreSQL.

Whole calls are placed through the proxy by the TwiML-following phone, which signs every
webhook for the proxy's https URL (FRONTDOOR_PUBLIC_URL), as Twilio would. nginx sends the
webhooks round-robin, so the webhooks of one call alternate between the instances. One
instance is killed (SIGKILL) in the middle of a call, and again while other calls are in
flight: every call must still complete, and be stored exactly once, request and events.
"""

from __future__ import annotations

import asyncio
import re
import ssl
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path

import aiohttp
import pytest
import trustme
from sqlmodel import col, select

from frontdoor.phone import Answer, CallResult, ClientSessionTransport, ScriptedPerson, TwilioPhone
from frontdoor.standins.twilio_api import FakeTwilioApi
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.models import Request, RequestEvent
from tests.conftest import POSTGRES_URL
from tests.deploy.nginx import Layout, Proxy, loopback_certificate, needs_nginx
from tests.ports import free_port
from tests.system.instances import Instance
from tests.web.calls import AMARTIN, LOT, MOSELLE, TUESDAY_MORNING

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not POSTGRES_URL,
        reason="needs PostgreSQL: set FRONTDOOR_TEST_POSTGRES_URL (CI does), e.g. "
        "postgresql+asyncpg://postgres@127.0.0.1:5432/test",
    ),
    needs_nginx,
]

CALL_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class Script:
    """A call the phone places, and how it must end."""

    name: str
    to: str
    keys: tuple[str, ...]
    outcome: str
    answers: bool = False  # amartin picks up and presses 1
    message: str | None = None

    def person(self) -> ScriptedPerson:
        referents = {AMARTIN: Answer(presses="1")} if self.answers else {}
        return ScriptedPerson(list(self.keys), referents=referents, message=self.message)


# On a Tuesday morning in the Lot (open; amartin, then bleroy, then the backup are rung) and
# in the Moselle (professionals only).
PUT_THROUGH = Script("put through", LOT, ("2",), "taken", answers=True)
MESSAGE = Script("message", LOT, ("1", "5"), "voicemail", message="Rappelez-moi, merci.")
# A postal code no commune has: the fixed sentence for the public.
TURNED_AWAY = Script("turned away", MOSELLE, ("2", "99999"), "public_not_allowed")
SCRIPTS = (PUT_THROUGH, MESSAGE, TURNED_AWAY)


class HeldAtTheFirstRing(ScriptedPerson):
    """Waits, when the first referent's phone rings, until the test lets the call go on."""

    def __init__(self, script: Script) -> None:
        super().__init__(list(script.keys), referents={AMARTIN: Answer(presses="1")})
        self.ringing = asyncio.Event()
        self.go_on = asyncio.Event()

    async def picks_up(self, number: str) -> bool:
        if not self.ringing.is_set():
            self.ringing.set()
            await self.go_on.wait()
        return await super().picks_up(number)


@pytest.fixture
def tls(tmp_path: Path) -> tuple[trustme.CA, Path, Path]:
    return loopback_certificate(tmp_path)


@dataclass
class Site:
    """The instances, the proxy in front of them, and a phone that calls through it."""

    alpha: Instance
    beta: Instance
    proxy: Proxy
    phone: TwilioPhone

    async def call(self, script: Script, person: ScriptedPerson | None = None) -> CallResult:
        async with asyncio.timeout(CALL_TIMEOUT_S):
            return await self.phone.call(
                from_="+33611223344", to=script.to, person=person or script.person()
            )

    def upstreams(self, lines: list[str]) -> list[str]:
        """Which instance answered each webhook line of nginx's access log ("alpha, beta"
        when nginx passed it on)."""
        names = {f"127.0.0.1:{self.alpha.port}": "alpha", f"127.0.0.1:{self.beta.port}": "beta"}
        found = []
        for line in lines:
            match = re.search(r"upstream=(.*) upstream_status=", line)
            assert match is not None, line
            found.append(", ".join(names[address] for address in match[1].split(", ")))
        return found


@pytest.fixture
async def site(
    database_url: str,
    tmp_path: Path,
    twilio_api: FakeTwilioApi,
    tls: tuple[trustme.CA, Path, Path],
) -> AsyncIterator[Site]:
    ca, certificate, key = tls
    layout = Layout(
        folder=tmp_path / "nginx",
        upstreams=[],
        http_port=free_port(),
        https_port=free_port(),
        certificate=certificate,
        key=key,
    )
    public_url = f"https://127.0.0.1:{layout.https_port}"
    settings = {
        "FRONTDOOR_PUBLIC_URL": public_url,
        "FRONTDOOR_JOBS_ENABLED": "false",  # webhooks only: the jobs have their own test
        "FRONTDOOR_SIMULATED_TIME": "true",
    }
    alpha, beta = (
        Instance(name, database_url, tmp_path, twilio_api, **settings) for name in ("alpha", "beta")
    )
    proxy = Proxy(replace(layout, upstreams=[f"127.0.0.1:{i.port}" for i in (alpha, beta)]))
    context = ssl.create_default_context()
    ca.configure_trust(context)
    try:
        await asyncio.gather(alpha.start(), beta.start())
        async with aiohttp.ClientSession() as direct:
            await asyncio.gather(alpha.wait_healthy(direct), beta.wait_healthy(direct))
        await proxy.start()
        connector = aiohttp.TCPConnector(ssl=context, limit=32)
        async with aiohttp.ClientSession(connector=connector) as session:
            phone = TwilioPhone(
                ClientSessionTransport(session, public_url),
                public_url=public_url,
                auth_token=twilio_api.auth_token,
                simulated_at=TUESDAY_MORNING,
            )
            yield Site(alpha=alpha, beta=beta, proxy=proxy, phone=phone)
    finally:
        await proxy.stop()
        await alpha.kill()
        await beta.kill()


async def stored_calls(database_url: str) -> dict[str, tuple[Request, list[RequestEvent]]]:
    """Every stored request by CallSid, with its events in order."""
    engine = create_engine(database_url)
    try:
        async with session_maker(engine)() as session:
            requests = (await session.exec(select(Request))).all()
            events = (await session.exec(select(RequestEvent).order_by(col(RequestEvent.id)))).all()
    finally:
        await engine.dispose()
    by_request: dict[int | None, list[RequestEvent]] = {}
    for event in events:
        by_request.setdefault(event.request_id, []).append(event)
    return {r.call_sid or "": (r, by_request.get(r.id, [])) for r in requests}


def event_kinds(events: list[RequestEvent]) -> list[str]:
    return [event.kind for event in events]


async def test_calls_complete_and_are_stored_once_while_an_instance_dies_mid_call(
    site: Site, database_url: str
) -> None:
    placed: list[tuple[Script, CallResult]] = []

    # Both instances up: calls of every kind, their webhooks shared round-robin.
    for script in SCRIPTS * 2:
        placed.append((script, await site.call(script)))
    both_up = await site.proxy.logged(sum(len(r.exchanges) for _, r in placed))
    assert set(site.upstreams(both_up)) == {"alpha", "beta"}

    # A call alone on the line, held when amartin's phone rings: its first two webhooks
    # (incoming call, menu) went one to each instance.
    held = HeldAtTheFirstRing(PUT_THROUGH)
    held_call = asyncio.create_task(site.call(PUT_THROUGH, held))
    async with asyncio.timeout(CALL_TIMEOUT_S):
        await held.ringing.wait()
    before_kill = await site.proxy.logged(len(both_up) + 2)
    assert sorted(site.upstreams(before_kill[-2:])) == ["alpha", "beta"]

    # Other calls start; beta dies while their webhooks are in flight. None of them is put
    # through: amartin, on a call, would not be rung (core.waiting), and which call found
    # her busy would be the machine's timing. The held call goes on once they have ended.
    unanswered = (MESSAGE, TURNED_AWAY) * 3
    others = [asyncio.create_task(site.call(script)) for script in unanswered]
    await site.proxy.logged(len(before_kill) + 6)
    await site.beta.kill()
    ended = await asyncio.gather(*others)
    held.go_on.set()
    placed.append((PUT_THROUGH, await held_call))
    placed.extend(zip(unanswered, ended, strict=True))
    # And once it is gone, alpha alone takes whole calls.
    for script in SCRIPTS:
        placed.append((script, await site.call(script)))

    logs = f"--- alpha\n{site.alpha.log()}\n--- nginx\n{site.proxy.errors()}"
    # Every webhook of every call was answered (the phone raises on anything but 200 TwiML),
    # status callbacks included.
    assert [result.status_callback_status for _, result in placed] == [200] * len(placed), logs
    stored = await stored_calls(database_url)
    # One request per call, none lost, none doubled.
    assert sorted(stored) == sorted(result.call_sid for _, result in placed)
    # Each call stored exactly once: the same events as the same call placed with both
    # instances up, in the same order, and the outcome its script leads to.
    reference = {script.name: event_kinds(stored[r.call_sid][1]) for script, r in placed[:3]}
    for script, result in placed:
        request, events = stored[result.call_sid]
        assert request.outcome == script.outcome, (script.name, logs)
        assert event_kinds(events) == reference[script.name], (script.name, logs)
        assert Counter(event_kinds(events))["ended"] == 1
    assert len(reference[PUT_THROUGH.name]) > 3  # a real call: incoming, menu, ring, accepted…

    # nginx passed on to alpha what beta could no longer answer (webhooks in flight when it
    # died, or sent to it before nginx saw it was gone): no webhook failed at the proxy.
    lines = site.proxy.access()
    assert all(" 200 " in line for line in lines), "\n".join(lines)
    after = site.upstreams(lines[len(before_kill) :])
    assert "beta, alpha" in after
    assert set(after) <= {"alpha", "beta", "beta, alpha"}
    assert await site.alpha.stop() == 0, logs
