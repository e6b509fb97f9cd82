"""Oversized bodies are refused early: 413, before the body has been read whole.

A body streamed in chunks (no Content-Length, as a slow or hostile client sends it) is cut off
once it passes the app's limit (a Twilio webhook, which always says its length, is refused
with 411 before reading); one that declares its length is refused before any of it is
read. Both are shown on a Twilio webhook, the JSON API and a console form, and the service
then answers as before.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from frontdoor.departments import Departments
from frontdoor.kit.twilio_webhook import MAX_WEBHOOK_BODY
from frontdoor.settings import Settings
from frontdoor.web.app import create_app
from tests.conftest import PUBLIC_URL
from tests.console.conftest import LOT_COORDINATOR, Browser, create_accounts, sign_in
from tests.fuzz.traffic import sign

CHUNK = 64 * 1024
OFFERED = 64 * 1024 * 1024  # what the client would send if let: 256 times the limit


class Stream:
    """A body produced chunk by chunk, as a slow client sends it.

    Once `pause_at` bytes are out it waits for the answer (10 s at most) before sending the
    rest: a server that read the body whole before answering would never answer in time.
    """

    def __init__(self, prefix: bytes, *, size: int = OFFERED, pause_at: int) -> None:
        self.prefix = prefix
        self.size = size
        self.pause_at = pause_at
        self.sent = 0
        self.answered = asyncio.Event()

    async def chunks(self) -> AsyncIterator[bytes]:
        yield self.prefix
        self.sent += len(self.prefix)
        while self.sent < self.size:
            if self.sent >= self.pause_at and not self.answered.is_set():
                async with asyncio.timeout(10):
                    await self.answered.wait()
            chunk = b"x" * min(CHUNK, self.size - self.sent)
            yield chunk
            self.sent += len(chunk)


@pytest.fixture
async def signed_in(
    aiohttp_client: object, wired_settings: Settings, departments: Departments
) -> Browser:
    await create_accounts(wired_settings, (LOT_COORDINATOR,))
    client = await aiohttp_client(create_app(wired_settings, departments))  # type: ignore[operator]
    return await sign_in(client, LOT_COORDINATOR)


def limit_of(client: TestClient, kind: str) -> int:
    """The largest body the route reads: Twilio's webhooks take less than the app does."""
    if kind == "twilio webhook":
        return MAX_WEBHOOK_BODY
    limit: int = client.app._client_max_size  # noqa: SLF001
    return limit


def targets(browser: Browser) -> dict[str, tuple[str, dict[str, str], bytes]]:
    """Per kind of route: its path, the headers a genuine client sends, the body's start."""
    return {
        "twilio webhook": (
            "/twilio/sms",
            {
                "X-Twilio-Signature": sign(PUBLIC_URL + "/twilio/sms", {}),
                "Content-Type": "application/x-www-form-urlencoded",
            },
            b"Body=",
        ),
        "JSON API": (
            "/api/requests/1/sms",
            {"Authorization": "Bearer key-dac46-amartin", "Content-Type": "application/json"},
            b'{"body": "',
        ),
        "console form": (
            "/console/demandes/1/notes",
            {
                **browser.headers,
                "X-CSRF-Token": browser.csrf,
                "Content-Type": "application/x-www-form-urlencoded",
            },
            b"text=",
        ),
    }


KINDS = ("twilio webhook", "JSON API", "console form")


@pytest.mark.parametrize("kind", KINDS)
async def test_a_streamed_body_over_the_limit_is_cut_off_with_413(
    signed_in: Browser, kind: str
) -> None:
    client = signed_in.client
    path, headers, prefix = targets(signed_in)[kind]
    # No Content-Length: the server learns the size only by reading. It stops past the limit
    # (a webhook, which Twilio always sends with its length, is refused before reading: 411).
    stream = Stream(prefix, pause_at=limit_of(client, kind) + 4 * CHUNK)
    refused = web.HTTPLengthRequired if kind == "twilio webhook" else web.HTTPRequestEntityTooLarge

    async with (
        asyncio.timeout(20),
        client.post(path, data=stream.chunks(), headers=headers) as response,
    ):
        assert response.status == refused.status_code
        assert stream.sent < OFFERED // 100  # answered with the 64 MiB nowhere near sent
        stream.answered.set()

    assert (await client.get("/healthz")).status == 200


@pytest.mark.parametrize("kind", KINDS)
async def test_a_declared_length_over_the_limit_is_refused_before_reading(
    signed_in: Browser, kind: str
) -> None:
    client = signed_in.client
    path, headers, prefix = targets(signed_in)[kind]
    size = limit_of(client, kind) + 1
    stream = Stream(prefix, size=size, pause_at=len(prefix))

    async with (
        asyncio.timeout(20),
        client.post(
            path, data=stream.chunks(), headers={**headers, "Content-Length": str(size)}
        ) as response,
    ):
        assert response.status == web.HTTPRequestEntityTooLarge.status_code
        assert stream.sent == len(prefix)  # nothing but the first chunk was ever offered
        stream.answered.set()

    assert (await client.get("/healthz")).status == 200


@pytest.mark.parametrize("kind", KINDS)
async def test_a_body_just_under_the_limit_is_read(signed_in: Browser, kind: str) -> None:
    client = signed_in.client
    path, headers, prefix = targets(signed_in)[kind]
    text = "x" * (limit_of(client, kind) - len(prefix) - 2)
    body = prefix + text.encode() + (b'"}' if prefix.startswith(b"{") else b"")
    if kind == "twilio webhook":  # signed on what it carries
        headers = {**headers, "X-Twilio-Signature": sign(PUBLIC_URL + path, {"Body": [text]})}

    response = await client.post(path, data=body, headers=headers)

    assert response.status != web.HTTPRequestEntityTooLarge.status_code
    assert response.status < 500
