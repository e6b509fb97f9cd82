from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from frontdoor.cpu import CpuProcesses
from frontdoor.departments import Departments
from frontdoor.kit.runtime import JobRuntime
from frontdoor.mailbox.watch import Watchers
from frontdoor.outbound.mail import Mailer
from frontdoor.outbound.twilio_api import TwilioApi
from frontdoor.settings import Settings
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.journal import Journal
from frontdoor.store.known_callers import KnownCallers

# The runtime's clock, for the jobs that read it rather than their slot.
RUNTIME_NOW = datetime(2026, 11, 23, 3, 17, tzinfo=UTC)


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def runtime(
    engine: AsyncEngine, settings: Settings, departments: Departments
) -> AsyncIterator[JobRuntime]:
    """What the app gives its jobs, without the app: its store on `engine`, its outbound
    clients never started (a job that would send fails as with the provider down)."""
    twilio_api = TwilioApi(
        account_sid=settings.twilio_account_sid,
        auth_token=settings.twilio_auth_token.get_secret_value(),
        api_base_url=settings.twilio_api_url,
    )
    yield JobRuntime(
        settings=settings,
        departments=departments,
        engine=engine,
        sessions=session_maker(engine),
        clock=lambda: RUNTIME_NOW,
        mailer=Mailer(settings.smtp),
        twilio_api=twilio_api,
        twilio_clients={},
        journal=Journal(settings.journal_dir, settings.instance_name),
        cpu_processes=CpuProcesses(),
        known_callers=KnownCallers(engine, key=settings.pseudonym_secret),
        intake_lag=lambda _channel, _seconds: None,
        mailbox_locks=Watchers(),
    )
    await twilio_api.close()
