from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

from frontdoor.departments import Departments
from frontdoor.settings import Settings
from frontdoor.web.app import create_app


@pytest.fixture
async def client(
    aiohttp_client: object, settings: Settings, departments: Departments
) -> TestClient:
    """The real app, on a migrated database, serving the example departments."""
    return await aiohttp_client(create_app(settings, departments))  # type: ignore[operator]
