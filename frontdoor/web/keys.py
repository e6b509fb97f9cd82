"""Every typed key of the aiohttp application, in one place."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.console.live_streams import LiveStreams
from frontdoor.cpu import CpuProcesses, CpuThreads
from frontdoor.departments import Departments
from frontdoor.jobs.base import Job
from frontdoor.outbound.mail import Mailer
from frontdoor.outbound.twilio_api import TwilioApi
from frontdoor.settings import Settings
from frontdoor.store.known_callers import KnownCallers
from frontdoor.store.new_calls import NewCallWriter
from frontdoor.store.refresh import Refresher

Clock = Callable[[], datetime]
# Records how long a contact waited before its request was committed: channel, seconds.
LagObserver = Callable[[str, float], None]

SETTINGS = web.AppKey("settings", Settings)
DEPARTMENTS = web.AppKey("departments", Departments)
CLOCK: web.AppKey[Clock] = web.AppKey("clock")
ENGINE = web.AppKey("engine", AsyncEngine)
SESSIONS = web.AppKey("sessions", async_sessionmaker[AsyncSession])
# Things counted for operators: refused signatures, degraded answers… (exported in metrics later)
COUNTERS = web.AppKey("counters", Counter[str])
NEW_CALLS = web.AppKey("new_calls", NewCallWriter)
KNOWN_CALLERS = web.AppKey("known_callers", KnownCallers)
# Refreshes known contacts and stored roster overrides in this instance.
STORE_COPIES = web.AppKey("store_copies", Refresher)
# The jobs the scheduler runs; absent, frontdoor.jobs.registry.JOBS (tests set their own).
SCHEDULED_JOBS = web.AppKey("scheduled_jobs", tuple[Job, ...])
TWILIO_API = web.AppKey("twilio_api", TwilioApi)
MAILER = web.AppKey("mailer", Mailer)
# Set by frontdoor.web.metrics; observed where an SMS from the journal or a mail is committed.
INTAKE_LAG: web.AppKey[LagObserver] = web.AppKey("intake_lag")
# The console's live streams open in this instance (ended at sign-out and at shutdown).
LIVE_STREAMS = web.AppKey("live_streams", LiveStreams)
# CPU-heavy work runs off the loop: password hashes in threads (Argon2 releases the GIL),
# pure Python (spreadsheets, calendar feeds, received mails) in processes (frontdoor.cpu).
CPU_THREADS = web.AppKey("cpu_threads", CpuThreads)
CPU_PROCESSES = web.AppKey("cpu_processes", CpuProcesses)
