"""A refused or missing console page keeps the console's layout, says why in French and
leads back to the inbox; the API keeps its short answers."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from frontdoor.settings import Settings
from tests.console.conftest import LOT_REFERENT, MOSELLE_REFERENT, sign_in
from tests.console.requests_made import a_voicemail


async def test_another_departments_request_is_a_french_404_with_a_way_back(
    client: TestClient, wired_settings: Settings
) -> None:
    voicemail = await a_voicemail(client, wired_settings)
    browser = await sign_in(client, MOSELLE_REFERENT)

    response = await browser.get(f"/console/demandes/{voicemail.id}")

    assert response.status == 404
    page = await response.text()
    assert "Page introuvable" in page
    assert 'href="/console/"' in page
    assert "Se déconnecter" in page  # the console's header


async def test_a_page_beyond_the_role_is_a_french_403_with_a_way_back(
    client: TestClient,
) -> None:
    browser = await sign_in(client, LOT_REFERENT)

    response = await browser.get("/console/journal")

    assert response.status == 403
    page = await response.text()
    assert "Accès refusé" in page
    assert "← Retour aux demandes" in page


async def test_the_api_keeps_its_short_answer(client: TestClient) -> None:
    response = await client.get("/api/requests/999999", headers={"Authorization": "Bearer x"})

    assert response.status in (401, 403, 404)
    assert "<html" not in await response.text()
