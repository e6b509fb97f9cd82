"""Shared by the tests of the API's lists: requests entered at chosen instants, and an
integrator's loop that follows `next` to the end."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiohttp.test_utils import TestClient

from tests.web.api_keys import LOT_KEY


async def entered(
    client: TestClient, at: datetime, *, channel: str = "visit", headers: dict[str, str] = LOT_KEY,
    **fields: str,
) -> int:  # fmt: skip
    """A request entered through the API as received at `at`; its id."""
    response = await client.post(
        "/api/requests", json={"channel": channel, "at": at.isoformat(), **fields}, headers=headers
    )
    assert response.status == 201, await response.text()
    return int((await response.json())["id"])


async def a_page(
    client: TestClient, url: str, headers: dict[str, str] = LOT_KEY, **params: str
) -> dict[str, Any]:
    response = await client.get(url, params=params, headers=headers)
    assert response.status == 200, await response.text()
    page: dict[str, Any] = await response.json()
    return page


async def every_page(
    client: TestClient, url: str, headers: dict[str, str] = LOT_KEY, **params: str
) -> list[list[Any]]:
    """The ids of each page, following `next` until it is null."""
    page = await a_page(client, url, headers, **params)
    pages = [[row["id"] for row in page["data"]]]
    while page["next"] is not None:
        page = await a_page(client, page["next"], headers)
        pages.append([row["id"] for row in page["data"]])
    return pages


async def refusal(client: TestClient, url: str, **params: str) -> tuple[int, str, str]:
    """A refused list: its status, content type and French reason."""
    response = await client.get(url, params=params, headers=LOT_KEY)
    return response.status, response.content_type, (await response.json())["error"]
