"""A partner's endpoint, as its developer would write it from the README alone: a real aiohttp
server on loopback that checks each delivery with its own code (not Frontdoor's), refuses a
signature that does not match, a timestamp outside the five minutes and an event it already
took, and answers 503 while it is "down".
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web

TOLERANCE_S = 5 * 60


class MovableClock:
    """The app's clock and the partner's: both read the same moved time."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Delivery:
    """What came in, as it came: enough to send it again (a replay)."""

    headers: dict[str, str]
    body: bytes


def verify(secret: str, headers: dict[str, str], body: bytes, now: datetime) -> str | None:
    """Why the delivery is refused, or None: Stripe's scheme, written from the README."""
    timestamp = headers.get("Frontdoor-Timestamp", "")
    signatures = headers.get("Frontdoor-Signature", "")
    if not timestamp.isdigit():
        return "no timestamp"
    signed = timestamp.encode() + b"." + body
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    given = [part[3:] for part in signatures.split(",") if part.strip().startswith("v1=")]
    if not any(hmac.compare_digest(expected, candidate.strip()) for candidate in given):
        return "bad signature"
    if abs(now.timestamp() - int(timestamp)) > TOLERANCE_S:
        return "too old"
    return None


@dataclass
class Receiver:
    clock: MovableClock
    secret: str = ""
    down: bool = False
    events: list[dict[str, Any]] = field(default_factory=list)  # taken, once each
    deliveries: list[Delivery] = field(default_factory=list)  # every one that came in
    refused: list[str] = field(default_factory=list)
    duplicates: int = 0
    # How long each answer takes, as `slowed` (Frontdoor's clock, when the partner keeps its
    # own) sees it.
    slow: timedelta = timedelta(0)
    slowed: MovableClock | None = None
    _runner: web.AppRunner | None = None
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/frontdoor"

    async def start(self) -> Receiver:
        app = web.Application()
        app.router.add_post("/hooks/frontdoor", self._take)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _take(self, request: web.Request) -> web.Response:
        body = await request.read()
        headers = dict(request.headers)
        self.deliveries.append(Delivery(headers=headers, body=body))
        if self.down:
            return web.Response(status=503, text="maintenance")
        reason = verify(self.secret, headers, body, self.clock())
        if reason is not None:
            self.refused.append(reason)
            return web.Response(status=400, text=reason)
        event = json.loads(body)
        if any(taken["id"] == event["id"] for taken in self.events):
            self.duplicates += 1  # taken before: acknowledged, not processed again
            return web.Response(status=200, text="already taken")
        self.events.append(event)
        if self.slowed is not None:
            self.slowed.now += self.slow  # the partner's work on it, before it answers
        return web.Response(status=204)
