"""The inbox's search box: a referent finds her department's requests by the person's name,
the caller's number written any way, or a word of a note; the results show why each answered
and nothing they hold; another department's referent finds nothing of them; every search is
journaled with what was asked as a pseudonym, and one line per request shown."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from frontdoor.settings import Settings
from frontdoor.store.models import AuditEvent
from tests.console.conftest import LOT_REFERENT, MOSELLE_REFERENT, sign_in
from tests.console.requests_made import a_call, create, page_of, rows


async def test_the_inbox_has_the_search_box(client: TestClient) -> None:
    browser = await sign_in(client, LOT_REFERENT)

    page = await page_of(browser, "/console/")

    assert 'action="/console/recherche?departement=dac46"' in page
    assert "Chercher une demande" in page


async def test_a_referent_finds_a_request_by_the_persons_name_folded(
    client: TestClient, wired_settings: Settings
) -> None:
    request_id = await a_call(client, wired_settings)
    await a_call(client, wired_settings, from_="+33565000009", hours_later=1)
    browser = await sign_in(client, LOT_REFERENT)
    await create(browser, request_id, nom="Témoin", prenoms="Ginette")

    response = await browser.post("/console/recherche?departement=dac46", {"q": "TEMOIN gin"})

    assert response.status == 200
    page = await response.text()
    assert "1 demande trouvée" in page
    assert f'href="/console/demandes/{request_id}"' in page
    assert "nom de la personne concernée" in page
    assert "+33611223344" not in page


async def test_a_number_written_the_french_way_finds_the_callers_requests(
    client: TestClient, wired_settings: Settings
) -> None:
    first = await a_call(client, wired_settings)
    second = await a_call(client, wired_settings, hours_later=1)
    await a_call(client, wired_settings, from_="+33565000009", hours_later=2)
    browser = await sign_in(client, LOT_REFERENT)

    response = await browser.post("/console/recherche", {"q": "06 11 22 33 44"})

    page = await response.text()
    assert "2 demandes trouvées" in page
    assert page.index(f"n° {second}<") < page.index(f"n° {first}<")  # newest first


async def test_another_departments_referent_finds_nothing_of_it(
    client: TestClient, wired_settings: Settings
) -> None:
    request_id = await a_call(client, wired_settings)
    browser = await sign_in(client, MOSELLE_REFERENT)

    for typed in ("06 11 22 33 44", str(request_id)):
        response = await browser.post("/console/recherche", {"q": typed})
        assert "0 demande trouvée" in await response.text()


async def test_every_search_is_journaled_with_a_pseudonym_and_what_it_found(
    client: TestClient, wired_settings: Settings
) -> None:
    request_id = await a_call(client, wired_settings)
    browser = await sign_in(client, LOT_REFERENT)

    await browser.post("/console/recherche", {"q": "06 11 22 33 44"})

    searches = [row for row in await rows(wired_settings, AuditEvent)
                if row.action == "request_search"]  # fmt: skip
    assert [(row.account, row.request_id) for row in searches] == [
        (LOT_REFERENT.login, None),
        (LOT_REFERENT.login, request_id),
    ]
    summary = searches[0].detail or ""
    assert summary.startswith("recherche numéro pseudo:")
    assert summary.endswith(": 1 demandes")
    assert "33 44" not in summary
    assert "+33611223344" not in summary


async def test_an_empty_search_says_what_to_type(client: TestClient) -> None:
    browser = await sign_in(client, LOT_REFERENT)

    response = await browser.post("/console/recherche", {"q": "  "})

    assert response.status == 400
    assert "tapez un nom, un numéro" in await response.text()


async def test_the_next_page_is_asked_in_the_body_too(
    client: TestClient, wired_settings: Settings
) -> None:
    for hours in range(27):
        await a_call(client, wired_settings, hours_later=hours)
    browser = await sign_in(client, LOT_REFERENT)

    first = await (await browser.post("/console/recherche", {"q": "0611223344"})).text()
    second = await (
        await browser.post("/console/recherche", {"q": "0611223344", "page": "2"})
    ).text()

    assert "27 demandes trouvées · page 1 sur 2" in first
    assert "Résultats suivants" in first
    assert "page 2 sur 2" in second
    assert "Résultats précédents" in second
    assert second.count('href="/console/demandes/') == 2
