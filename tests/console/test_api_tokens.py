"""Account tokens for the JSON API: scoped, never beyond the account's role, revocable, and
every request they read is in the access journal."""

from __future__ import annotations

import re

from aiohttp.test_utils import TestClient

from frontdoor.settings import Settings
from tests.console.conftest import LOT_REFERENT, MOSELLE_REFERENT, OPERATOR, sign_in
from tests.console.requests_made import a_taken_call, audit_rows
from tests.console.tokens import new_token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_a_referents_token_reads_her_departments_requests_and_is_journaled(
    client: TestClient, wired_settings: Settings
) -> None:
    request_id = await a_taken_call(client, wired_settings)
    token = await new_token(await sign_in(client, LOT_REFERENT), "requests:read")

    response = await client.get(f"/api/requests/{request_id}", headers=bearer(token))

    assert response.status == 200
    assert (await response.json())["outcome"] == "taken"
    assert (LOT_REFERENT.login, request_id, "api_read") in await audit_rows(wired_settings)


async def test_a_token_does_only_what_its_scopes_say(
    client: TestClient, wired_settings: Settings
) -> None:
    request_id = await a_taken_call(client, wired_settings)
    token = await new_token(await sign_in(client, LOT_REFERENT), "requests:read")

    response = await client.patch(
        f"/api/requests/{request_id}", json={"referrer_type": "nurse"}, headers=bearer(token)
    )

    assert response.status == 403


async def test_a_revoked_token_opens_nothing(client: TestClient, wired_settings: Settings) -> None:
    request_id = await a_taken_call(client, wired_settings)
    browser = await sign_in(client, LOT_REFERENT)
    token = await new_token(browser, "requests:read")
    page = await (await browser.get("/console/jetons")).text()
    token_id = re.search(r"/console/jetons/(\d+)/revocation", page).group(1)  # type: ignore[union-attr]

    await browser.post(f"/console/jetons/{token_id}/revocation")

    assert (await client.get(f"/api/requests/{request_id}", headers=bearer(token))).status == 401


async def test_another_departments_token_gets_404(
    client: TestClient, wired_settings: Settings
) -> None:
    request_id = await a_taken_call(client, wired_settings)
    token = await new_token(await sign_in(client, MOSELLE_REFERENT), "requests:read")

    response = await client.get(f"/api/requests/{request_id}", headers=bearer(token))

    assert response.status == 404
    assert await audit_rows(wired_settings) == []


async def test_an_operator_cannot_give_a_token_what_the_role_lacks(client: TestClient) -> None:
    browser = await sign_in(client, OPERATOR)

    page = await (await browser.get("/console/jetons")).text()
    refused = await browser.post(
        "/console/jetons", [("label", "lecture"), ("scopes", "requests:read")]
    )

    assert 'value="requests:read"' not in page
    assert refused.status == 400


async def test_the_api_is_described_by_an_openapi_document_covering_every_route(
    client: TestClient,
) -> None:
    response = await client.get("/api/openapi.json")

    assert response.status == 200
    document = await response.json()
    assert document["openapi"].startswith("3.")
    described = {
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method in operations
    }
    served = {
        (route.method, route.resource.canonical)
        for route in client.app.router.routes()
        if route.resource is not None
        and route.resource.canonical.startswith("/api/")
        and route.method != "HEAD"
        and route.resource.canonical != "/api/openapi.json"
    }
    assert served == described
