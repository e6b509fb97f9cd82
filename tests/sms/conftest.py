from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

from frontdoor.departments import Departments
from frontdoor.settings import Settings
from frontdoor.web.app import create_app


@pytest.fixture
async def client(
    aiohttp_client: object, wired_settings: Settings, departments: Departments
) -> TestClient:
    """The real app, its outbound side wired to the local fakes."""
    return await aiohttp_client(create_app(wired_settings, departments))  # type: ignore[operator, no-any-return]
