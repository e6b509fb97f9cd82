"""Reading the console's live streams (server-sent events) the way a browser does."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from aiohttp import ClientResponse

from tests.console.conftest import Browser


async def open_stream(browser: Browser) -> ClientResponse:
    """The inbox's stream, from its start."""
    stream = await browser.get(
        "/console/flux?departement=dac46&depuis=0", headers={"Accept": "text/event-stream"}
    )
    assert stream.status == 200
    assert await stream.content.readline() == b"retry: 3000\n"
    return stream


async def until_it_ends(stream: ClientResponse) -> str:
    """What the stream still sends, once it has ended (the guard only stops a hung test)."""
    async with asyncio.timeout(30):
        rest = await stream.content.read()
    assert stream.content.at_eof()
    return rest.decode()


async def read_events(
    stream: ClientResponse, until: Callable[[list[dict[str, Any]]], bool]
) -> list[dict[str, Any]]:
    """The stream's events (with the id line each had, if any) until `until` says enough."""
    events: list[dict[str, Any]] = []
    event_id = None
    async with asyncio.timeout(20):
        while not until(events):
            line = (await stream.content.readline()).decode()
            if line.startswith("id: "):
                event_id = int(line.removeprefix("id: "))
            if line.startswith("data: "):
                events.append(json.loads(line.removeprefix("data: ")) | {"event_id": event_id})
                event_id = None
    return events
