"""How far a person's identity can be trusted, on her page: a referent records the identity
document she checked and the day the INSi teleservice was queried for her INS; both make a
qualified identity. Each change is an event of her file and an audit row; an INS changed
afterwards was not the one INSi gave, so it is no longer qualified."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

from frontdoor.settings import Settings
from frontdoor.store.models import AuditEvent, Person
from tests.console.conftest import LOT_REFERENT, Browser, sign_in
from tests.console.requests_made import a_call, create, page_of, rows

PAGE = "/console/personnes-concernees/1"
CHECK = PAGE + "/confiance-identite"
INS = "241034604212367"


async def her_file(client: TestClient, settings: Settings) -> Browser:
    request_id = await a_call(client, settings)
    browser = await sign_in(client, LOT_REFERENT)
    await create(browser, request_id, nom="Témoin", prenoms="Ginette", naissance="1941-03-02",
                 ins=INS)  # fmt: skip
    return browser


def status_of(page: str) -> str:
    return page.split('<dd id="statut-identite">')[1].split("</dd>")[0]


async def test_a_referent_qualifies_her_identity_and_it_is_journaled(
    client: TestClient, wired_settings: Settings
) -> None:
    browser = await her_file(client, wired_settings)
    assert status_of(await page_of(browser, PAGE)) == "Identité provisoire"

    response = await browser.post(
        CHECK, {"piece": "CN", "controlee_le": "2026-05-11", "insi_le": "2026-05-12"}
    )

    assert response.status == 303
    page = await page_of(browser, PAGE)
    assert status_of(page) == (
        "Identité qualifiée · Carte nationale d&#39;identité contrôlée le 11/05/2026 · "
        "INSi interrogé le 12/05/2026"
    )
    assert (
        "pièce d&#39;identité contrôlée, date du contrôle de la pièce, "
        "interrogation du téléservice INSi"
    ) in page  # the event names the fields
    [person] = await rows(wired_settings, Person)
    assert (person.identity_document, str(person.insi_checked_on)) == ("CN", "2026-05-12")
    audit = await rows(wired_settings, AuditEvent)
    assert ("person_changed", "personne n° 1") in [(a.action, a.detail) for a in audit]


async def test_an_ins_changed_after_insi_is_no_longer_qualified(
    client: TestClient, wired_settings: Settings
) -> None:
    browser = await her_file(client, wired_settings)
    await browser.post(CHECK, {"piece": "PA", "controlee_le": "2026-05-11",
                               "insi_le": "2026-05-11"})  # fmt: skip

    await browser.post(PAGE + "/identite", {"nom": "Témoin", "prenoms": "Ginette",
                                            "naissance": "1941-03-02", "ins": ""})  # fmt: skip

    assert status_of(await page_of(browser, PAGE)).startswith(
        "Identité validée (pièce d&#39;identité contrôlée) · Passeport"
    )
    [person] = await rows(wired_settings, Person)
    assert person.insi_checked_on is None


@pytest.mark.parametrize(
    ("form", "said"),
    [
        pytest.param({"piece": "CN"}, "date du contrôle de la pièce : à renseigner",
                     id="document-without-day"),
        pytest.param({"insi_le": "2099-01-01"}, "pas dans le futur", id="insi-to-come"),
    ],
)  # fmt: skip
async def test_what_cannot_be_kept_is_refused_in_french_and_nothing_changes(
    client: TestClient, wired_settings: Settings, form: dict[str, str], said: str
) -> None:
    browser = await her_file(client, wired_settings)

    response = await browser.post(CHECK, form)

    assert response.status == 400
    assert said in await response.text()
    [person] = await rows(wired_settings, Person)
    assert (person.identity_document, person.insi_checked_on) == (None, None)
