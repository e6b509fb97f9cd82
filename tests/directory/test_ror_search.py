"""A service imported from the ROR is found by the directory search for a commune of its zone
of intervention (GET /api/directory/search, as an integrator or the console asks it)."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from frontdoor.settings import Settings
from tests.directory.import_commands import run

SAMPLE = Path(__file__).resolve().parents[2] / "directory" / "ror_dac46_dac57.json"
KEY = {"Authorization": "Bearer key-dac46-amartin"}


@pytest.fixture
async def app_settings(wired_settings: Settings) -> Settings:
    code, _, _ = await run(wired_settings, "import", "ror", str(SAMPLE))
    assert code == 0
    return wired_settings


async def test_a_ror_service_is_found_for_a_commune_it_serves(client: TestClient) -> None:
    params = {"q": "soins infirmiers à domicile à Assier"}
    response = await client.get("/api/directory/search", params=params, headers=KEY)
    assert response.status == 200
    body = await response.json()
    assert body["commune"]["insee"] == "46011"
    first = body["hits"][0]
    assert first["name"] == "Soins infirmiers à domicile (SSIAD du Ségala)"
    assert first["reason"].startswith("dessert Assier")
    assert first["phones"] == ["+33536492001"]
