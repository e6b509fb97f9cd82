"""What a job is given to work with: a typed runtime, built once when the app starts, instead
of the whole app (frontdoor.web.app builds it; the scheduler hands it to each run)."""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from aiohttp import web

from frontdoor.keys import Clock, LagObserver

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
    from sqlmodel.ext.asyncio.session import AsyncSession

    from frontdoor.cpu import CpuProcesses
    from frontdoor.departments import Departments
    from frontdoor.outbound.mail import Mailer
    from frontdoor.outbound.twilio_api import TwilioApi
    from frontdoor.settings import Settings
    from frontdoor.store.journal import Journal
    from frontdoor.store.known_callers import KnownCallers


class MailboxLocks(Protocol):
    """One lock per department's mailbox, shared by the mailbox job and the IDLE watchers
    (frontdoor.mailbox.watch.Watchers): one of them reads a mailbox at a time."""

    def lock(self, slug: str) -> AbstractAsyncContextManager[object]: ...


@dataclass(kw_only=True, frozen=True)
class JobRuntime:
    settings: Settings
    departments: Departments
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    mailer: Mailer  # the deployment's own SMTP sender
    twilio_api: TwilioApi  # the deployment's own account
    twilio_clients: Mapping[str, TwilioApi]  # by department slug: its subaccount's
    journal: Journal  # the outage journal (frontdoor.voice.replay)
    cpu_processes: CpuProcesses
    known_callers: KnownCallers
    intake_lag: LagObserver  # the metrics' hook (frontdoor.web.metrics)
    mailbox_locks: MailboxLocks

    def twilio_api_for(self, department_slug: str) -> TwilioApi:
        """The REST client of the account that owns this department's number."""
        return self.twilio_clients.get(department_slug) or self.twilio_api


# Set by the app factory (frontdoor.web.app) when the app starts.
JOB_RUNTIME = web.AppKey("job_runtime", JobRuntime)
