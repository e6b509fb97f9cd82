"""A referent enters what did not come through the single number: a visit, a letter, a call
on her own line… The request is then the department's like any other: its page, its
classification, and the indicators, which count it as a request (not as a call)."""

from __future__ import annotations

from urllib.parse import unquote

from aiohttp.test_utils import TestClient

from frontdoor.keys import DEPARTMENTS
from frontdoor.settings import Settings
from frontdoor.store.db import create_engine
from frontdoor.store.models import Request, RequestNote
from tests.console.conftest import LOT_REFERENT, MOSELLE_REFERENT, sign_in
from tests.console.requests_made import audit_rows, page_of, rows
from tests.indicators.random_year import table_of, values

A_VISIT = {
    "canal": "visit",
    "jour": "2026-05-12",
    "heure": "10:30",
    "nom": "Mme Témoin",
    "contact": "05 65 00 00 09",
    "referrer_type": "carer",
    "note": "Sa mère rentre de l'hôpital vendredi ; personne à la maison.",
}


async def test_a_visit_entered_is_a_request_of_the_department_with_its_page(
    client: TestClient, app_settings: Settings
) -> None:
    browser = await sign_in(client, LOT_REFERENT)
    form = await page_of(browser, "/console/nouvelle-demande?departement=dac46")
    assert '<option value="visit">Visite</option>' in form

    entered = await browser.post("/console/nouvelle-demande?departement=dac46", A_VISIT)

    assert entered.status == 303
    [found] = await rows(app_settings, Request)
    assert entered.headers["Location"] == f"/console/demandes/{found.id}"
    assert (found.department, found.channel, found.referrer_type, found.referrer_source) == (
        "dac46", "visit", "carer", "referent",
    )  # fmt: skip
    assert (found.caller_name, found.caller_number) == ("Mme Témoin", "+33565000009")
    assert found.received_at.isoformat() == "2026-05-12T08:30:00+00:00"  # 10:30 in Paris
    [note] = await rows(app_settings, RequestNote)
    assert (note.request_id, note.author) == (found.id, LOT_REFERENT.login)
    page = await page_of(browser, f"/console/demandes/{found.id}")
    assert '<span class="tag">Visite</span>' in page
    assert "Sa mère rentre de l&#39;hôpital vendredi" in page
    assert "demande entrée par anne.martin@dac46.fr : visite" in page
    assert [(a, action) for a, _id, action in await audit_rows(app_settings)][:2] == [
        (LOT_REFERENT.login, "enter"), (LOT_REFERENT.login, "view"),
    ]  # fmt: skip


async def test_the_indicators_count_it_as_a_request_not_as_a_call(
    client: TestClient, app_settings: Settings
) -> None:
    browser = await sign_in(client, LOT_REFERENT)
    await browser.post("/console/nouvelle-demande?departement=dac46", A_VISIT)

    lot = client.server.app[DEPARTMENTS].for_slug("dac46")
    assert lot is not None
    engine = create_engine(app_settings.database_url)
    table = await table_of(engine, [lot], "2026-05")
    await engine.dispose()

    assert values(table, "requests")["requests"] == 1
    assert values(table, "referrer_types") == {"carer": 1}
    assert values(table, "channels") == {"visit": 1}
    assert not values(table, "calls")


async def test_what_cannot_be_kept_goes_back_to_the_form_saying_why(
    client: TestClient, app_settings: Settings
) -> None:
    browser = await sign_in(client, LOT_REFERENT)

    refused = await browser.post(
        "/console/nouvelle-demande?departement=dac46", {**A_VISIT, "contact": "12"}
    )

    assert refused.status == 303
    assert "numéro : attendu" in unquote(refused.headers["Location"])
    assert await rows(app_settings, Request) == []
    form = await page_of(browser, refused.headers["Location"])
    assert "numéro : attendu" in form


async def test_another_departments_referent_cannot_enter_one_for_it(
    client: TestClient, app_settings: Settings
) -> None:
    browser = await sign_in(client, MOSELLE_REFERENT)

    refused = await browser.post("/console/nouvelle-demande?departement=dac46", A_VISIT)

    assert refused.status == 404
    assert await rows(app_settings, Request) == []
