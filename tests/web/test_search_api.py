"""GET /api/requests?q=…: the console's search in the API. The key's department only, the
number written any way, each request with why it answered; journaled (api_search) with what
was asked as a pseudonym; a query that cannot be made is a 400 saying why."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from frontdoor.settings import Settings
from frontdoor.store.models import AuditEvent
from tests.console.requests_made import a_call, rows
from tests.web.api_keys import LOT_KEY, MOSELLE_KEY


async def test_a_key_finds_its_departments_requests_by_number(
    client: TestClient, wired_settings: Settings
) -> None:
    request_id = await a_call(client, wired_settings)

    response = await client.get("/api/requests", params={"q": "06 11 22 33 44"}, headers=LOT_KEY)

    assert response.status == 200
    assert response.headers["Cache-Control"] == "no-store"
    body = await response.json()
    assert (body["count"], body["page"], body["pages"]) == (1, 1, 1)
    [found] = body["data"]
    assert (found["id"], found["caller_number"], found["matched"]) == (
        request_id, "+33611223344", ["number"]
    )  # fmt: skip


async def test_another_departments_key_finds_nothing(
    client: TestClient, wired_settings: Settings
) -> None:
    request_id = await a_call(client, wired_settings)

    for typed in ("+33611223344", str(request_id)):
        response = await client.get("/api/requests", params={"q": typed}, headers=MOSELLE_KEY)
        assert (await response.json())["count"] == 0


async def test_the_search_is_journaled_before_it_answers(
    client: TestClient, wired_settings: Settings
) -> None:
    request_id = await a_call(client, wired_settings)

    await client.get("/api/requests", params={"q": "0611223344"}, headers=LOT_KEY)

    searches = [row for row in await rows(wired_settings, AuditEvent)
                if row.action == "api_search"]  # fmt: skip
    assert [(row.account, row.request_id) for row in searches] == [
        ("clé:amartin", None),
        ("clé:amartin", request_id),
    ]
    assert (searches[0].detail or "").startswith("recherche numéro pseudo:")


async def test_a_search_that_cannot_be_made_is_a_400_saying_why(client: TestClient) -> None:
    empty = await client.get("/api/requests", params={"q": ""}, headers=LOT_KEY)
    bad_page = await client.get("/api/requests", params={"q": "x", "page": "0"}, headers=LOT_KEY)

    assert empty.status == 400
    assert "tapez un nom" in await empty.text()
    assert bad_page.status == 400
