"""`frontdoor serve` subprocesses for the system tests: each on its port, with its log file.

Nothing leaves the machine: Twilio's REST API is the local stand-in (frontdoor/standins).
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import aiohttp

from frontdoor.standins.twilio_api import FakeTwilioApi
from tests.conftest import ROOT
from tests.ports import free_port

# Bounds on a hang, not on speed: on a loaded two-core machine an instance's start (imports,
# the migration check, the scheduler) took more than 30 s.
START_TIMEOUT_S = 120.0
STOP_TIMEOUT_S = 60.0


class Instance:
    """One `frontdoor serve` subprocess, its port and its log file."""

    def __init__(
        self,
        name: str,
        database_url: str,
        folder: Path,
        twilio_api: FakeTwilioApi,
        **settings: str,
    ) -> None:
        self.name = name
        self.port = free_port()
        self.log_path = folder / f"{name}.log"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("FRONTDOOR_")},
            "FRONTDOOR_DATABASE_URL": database_url,
            "FRONTDOOR_HOST": "127.0.0.1",
            "FRONTDOOR_PORT": str(self.port),
            "FRONTDOOR_FLOWS_DIR": str(ROOT / "flows"),
            "FRONTDOOR_TEMPLATES_DIR": str(ROOT / "templates"),
            "FRONTDOOR_JOBS_EVERY_S": "1",
            "FRONTDOOR_INSTANCE_NAME": name,
            "FRONTDOOR_LOG_LEVEL": "INFO",
            # Declared like the suite's settings: calls at chosen instants (SimulatedAt) and
            # the development pseudonym key are the development mode's.
            "FRONTDOOR_DEV_MODE": "true",
            # Without the development mode's stand-ins: the test's own servers answer for the
            # providers, as the suite's settings do (an SMTP stand-in would make every mail
            # job of every second hold a real SMTP dialogue).
            "FRONTDOOR_STAND_INS": "false",
            # Twilio's REST API, answered by the test's own server: nothing leaves the machine.
            "FRONTDOOR_TWILIO_API_URL": twilio_api.base_url,
            "TWILIO_ACCOUNT_SID": twilio_api.account_sid,
            "TWILIO_AUTH_TOKEN": twilio_api.auth_token,
            **settings,  # e.g. FRONTDOOR_PUBLIC_URL, FRONTDOOR_JOBS_ENABLED
        }
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        with self.log_path.open("wb") as log:  # the child keeps its own descriptor
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "frontdoor",
                "serve",
                env=self.env,
                cwd=self.log_path.parent,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=asyncio.subprocess.STDOUT,
            )

    async def wait_healthy(self, session: aiohttp.ClientSession) -> None:
        assert self.process is not None
        url = f"http://127.0.0.1:{self.port}/healthz"
        async with asyncio.timeout(START_TIMEOUT_S):
            while True:
                assert self.process.returncode is None, f"{self.name} exited:\n{self.log()}"
                try:
                    async with session.get(url) as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientConnectionError:
                    pass
                await asyncio.sleep(0.1)

    async def stop(self) -> int:
        """SIGTERM, then wait for a clean exit (the app's cleanup runs)."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        async with asyncio.timeout(STOP_TIMEOUT_S):
            return await self.process.wait()

    async def kill(self) -> None:
        """SIGKILL: no cleanup, connections dropped mid-request, as in a crash."""
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            await self.process.wait()

    def log(self) -> str:
        """The end of the instance's log, to show when a test fails."""
        return self.whole_log()[-4000:]

    def whole_log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")
