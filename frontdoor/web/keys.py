"""Every typed key of the aiohttp application, in one place."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.departments import Departments
from frontdoor.settings import Settings
from frontdoor.store.known_callers import KnownCallers
from frontdoor.store.new_calls import NewCallWriter

Clock = Callable[[], datetime]

SETTINGS = web.AppKey("settings", Settings)
DEPARTMENTS = web.AppKey("departments", Departments)
CLOCK = web.AppKey("clock", Clock)
ENGINE = web.AppKey("engine", AsyncEngine)
SESSIONS = web.AppKey("sessions", async_sessionmaker[AsyncSession])
# Things counted for operators: refused signatures, degraded answers… (exported in metrics later)
COUNTERS = web.AppKey("counters", Counter[str])
NEW_CALLS = web.AppKey("new_calls", NewCallWriter)
KNOWN_CALLERS = web.AppKey("known_callers", KnownCallers)
