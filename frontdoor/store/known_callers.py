"""The departments' known contacts, kept in memory for the incoming-call webhook.

The first answer to a call must not wait on a query; known contacts change rarely (a CSV
import), so each instance keeps a copy and refreshes it every few seconds.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.core.call_flow import KnownCaller
from frontdoor.core.referrers import ReferrerType
from frontdoor.store.models import KnownContact

log = logging.getLogger(__name__)


class KnownCallers:
    def __init__(self, engine: AsyncEngine, *, refresh_s: float) -> None:
        self._engine = engine
        self._refresh_s = refresh_s
        self._by_number: dict[tuple[str, str], KnownCaller] = {}
        self._task: asyncio.Task[None] | None = None

    def lookup(self, department: str, number: str | None) -> KnownCaller | None:
        return self._by_number.get((department, number or ""))

    async def refresh(self) -> None:
        async with AsyncSession(self._engine) as session:
            contacts = (await session.exec(select(KnownContact))).all()
        self._by_number = {
            (c.department, c.number): KnownCaller(
                name=c.name, referrer_type=ReferrerType(c.referrer_type)
            )
            for c in contacts
        }

    async def start(self) -> None:
        try:
            await self.refresh()
        except Exception:  # noqa: BLE001  (calls are answered without names meanwhile)
            log.exception("known contacts could not be loaded; retrying in the background")
        self._task = asyncio.create_task(self._keep_fresh(), name="known-callers")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _keep_fresh(self) -> None:
        while True:
            await asyncio.sleep(self._refresh_s)
            try:
                await self.refresh()
            except Exception:  # noqa: BLE001
                log.exception("known contacts refresh failed; keeping the previous copy")
