"""Copies of rarely-changing store data kept in each instance, refreshed in the background."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


class Refresher:
    """Runs ``load`` at start, then every ``every_s`` seconds; a failure keeps the last copy."""

    def __init__(self, name: str, load: Callable[[], Awaitable[None]], *, every_s: float) -> None:
        self._name = name
        self._load = load
        self._every_s = every_s
        self._task: asyncio.Task[None] | None = None

    async def refresh(self) -> None:
        await self._load()

    async def start(self) -> None:
        try:
            await self._load()
        except Exception:  # noqa: BLE001  (the service answers meanwhile)
            log.exception("%s could not be loaded; retrying in the background", self._name)
        self._task = asyncio.create_task(self._keep_fresh(), name=self._name)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _keep_fresh(self) -> None:
        while True:
            await asyncio.sleep(self._every_s)
            try:
                await self._load()
            except Exception:  # noqa: BLE001
                log.exception("%s refresh failed; keeping the previous copy", self._name)
