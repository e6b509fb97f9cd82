"""Every typed key of the aiohttp application, in one place."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from aiohttp import web

# Only types: this module imports nothing of the service when it runs, so that every package
# may import it (aiohttp would use a key's type in its repr only); and only types of the
# packages below the channels: a key whose type is a channel's or the app's lives with it
# (console.live_streams.LIVE_STREAMS, web.job_registry.SCHEDULED_JOBS).
if TYPE_CHECKING:
    from collections import Counter

    from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
    from sqlmodel.ext.asyncio.session import AsyncSession

    from frontdoor.cpu import CpuProcesses, CpuThreads
    from frontdoor.departments import Departments
    from frontdoor.outbound.mail import Mailer
    from frontdoor.outbound.twilio_api import TwilioApi
    from frontdoor.settings import Settings
    from frontdoor.standins.running import StandIns
    from frontdoor.store.known_callers import KnownCallers
    from frontdoor.store.new_calls import NewCallWriter
    from frontdoor.store.refresh import Refresher

Clock = Callable[[], datetime]
# Records how long a contact waited before its request was committed: channel, seconds.
LagObserver = Callable[[str, float], None]

SETTINGS: web.AppKey[Settings] = web.AppKey("settings")
DEPARTMENTS: web.AppKey[Departments] = web.AppKey("departments")
CLOCK: web.AppKey[Clock] = web.AppKey("clock")
ENGINE: web.AppKey[AsyncEngine] = web.AppKey("engine")
SESSIONS: web.AppKey[async_sessionmaker[AsyncSession]] = web.AppKey("sessions")
# Things counted for operators: refused signatures, degraded answers… (exported in metrics later)
COUNTERS: web.AppKey[Counter[str]] = web.AppKey("counters")
NEW_CALLS: web.AppKey[NewCallWriter] = web.AppKey("new_calls")
KNOWN_CALLERS: web.AppKey[KnownCallers] = web.AppKey("known_callers")
# Refreshes known contacts and stored roster overrides in this instance.
STORE_COPIES: web.AppKey[Refresher] = web.AppKey("store_copies")
TWILIO_API: web.AppKey[TwilioApi] = web.AppKey("twilio_api")
MAILER: web.AppKey[Mailer] = web.AppKey("mailer")
# The development mode's local Twilio and SMTP server, and what they received; absent outside
# the development mode (frontdoor.standins.running).
STAND_INS: web.AppKey[StandIns] = web.AppKey("stand_ins")
# Set by frontdoor.web.metrics; observed where an SMS from the journal or a mail is committed.
INTAKE_LAG: web.AppKey[LagObserver] = web.AppKey("intake_lag")
# CPU-heavy work runs off the loop: password hashes in threads (Argon2 releases the GIL),
# pure Python (spreadsheets, calendar feeds, received mails) in processes (frontdoor.cpu).
CPU_THREADS: web.AppKey[CpuThreads] = web.AppKey("cpu_threads")
CPU_PROCESSES: web.AppKey[CpuProcesses] = web.AppKey("cpu_processes")
