"""The outgoing events' tests: the store and job runtime of tests/jobs, the app on a clock
the tests move, a coordinator of the Lot, and a partner's endpoint on loopback."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime

import pytest
from aiohttp.test_utils import TestClient

from frontdoor.jobs.base import JobContext
from frontdoor.jobs.events import deliver_events
from frontdoor.keys import Clock
from frontdoor.kit.runtime import JOB_RUNTIME, JobRuntime
from frontdoor.phone import ScriptedPerson
from frontdoor.settings import Settings
from tests.console.conftest import LOT_COORDINATOR, create_accounts, sign_in
from tests.events.receiver import MovableClock, Receiver
from tests.jobs.conftest import engine, runtime
from tests.web.calls import LOT, TUESDAY_MORNING, place_call

__all__ = ["MovableClock", "engine", "runtime"]


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(TUESDAY_MORNING)


@pytest.fixture
def app_clock(clock: MovableClock) -> Clock:
    return clock


@pytest.fixture
async def app_settings(wired_settings: Settings) -> Settings:
    await create_accounts(wired_settings)
    return wired_settings


@pytest.fixture
async def receiver(clock: MovableClock) -> AsyncIterator[Receiver]:
    endpoint = await Receiver(clock=clock).start()
    yield endpoint
    await endpoint.stop()


async def subscribe_in_console(
    client: TestClient, url: str, *, scope: str = "requests:summary",
    types: tuple[str, ...] = ("request.created",),
) -> str:  # fmt: skip
    """The coordinator subscribes `url` in the console; the secret the page shows once."""
    coordinator = await sign_in(client, LOT_COORDINATOR)
    form = [("url", url), ("scope", scope), *(("types", kind) for kind in types)]
    page = await coordinator.post("/console/evenements?departement=dac46", form)
    assert page.status == 200, await page.text()
    found = re.search(r'<code id="new-secret">([^<]+)</code>', await page.text())
    assert found is not None
    return found.group(1)


async def a_voicemail(client: TestClient, at: datetime, caller: str = "+33611223344") -> None:
    person = ScriptedPerson(["1", "5"], referents={}, message="Rappelez-moi, merci.")
    await place_call(client, at=at, to=LOT, person=person, from_=caller)


async def deliver(client: TestClient, *, instance: str | None = None) -> str:
    """One run of the event-delivery job, as the app's scheduler runs it (in `instance`)."""
    runtime: JobRuntime = client.app[JOB_RUNTIME]
    if instance is not None:
        settings = runtime.settings.model_copy(update={"instance_name": instance})
        runtime = replace(runtime, settings=settings)
    return await deliver_events(JobContext(runtime=runtime, slot=runtime.clock()))
