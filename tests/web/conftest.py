from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from frontdoor.department_file.load import load_departments
from frontdoor.departments import Departments
from frontdoor.settings import Settings
from tests.web.subaccounts import (
    MOSELLE_TOKEN,
    MOSELLE_TOKEN_ENV,
    PROMPTS,
    flows_with_moselle_subaccount,
)


@pytest.fixture
def app_settings(settings: Settings) -> Settings:
    """The webhooks' tests reach no provider: the app runs on the plain settings."""
    return settings


@pytest.fixture
def subaccount_departments(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Departments:
    """The example departments, the Moselle on a subaccount of its own (tests/web/subaccounts)."""
    monkeypatch.setenv(MOSELLE_TOKEN_ENV, MOSELLE_TOKEN)
    folder = tmp_path / "flows"
    folder.mkdir()
    flows_with_moselle_subaccount(folder, f'auth_token_env = "{MOSELLE_TOKEN_ENV}"')
    return Departments(load_departments(folder, PROMPTS).values())


class SilentProvider:
    """A server that takes connections and answers nothing until released, as an API that
    hangs; released, it closes them."""

    def __init__(self) -> None:
        self.released = asyncio.Event()
        self.connected = asyncio.Event()

    async def _hold(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connected.set()
        await self.released.wait()
        writer.close()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._hold, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"

    async def close(self) -> None:
        self.released.set()
        self._server.close()
        await self._server.wait_closed()


@pytest.fixture
async def silent() -> AsyncIterator[SilentProvider]:
    """Twilio's API hanging: it takes the request and answers nothing until released."""
    provider = SilentProvider()
    await provider.start()
    yield provider
    await provider.close()
