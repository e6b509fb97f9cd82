"""The directory in the console: searched as callers ask, corrected by referents, with the
date each resource was last checked; an edited resource is kept from the next import."""

from __future__ import annotations

import re
from pathlib import Path

from aiohttp.test_utils import TestClient
from sqlmodel import select

from frontdoor.settings import Settings
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.models import Resource
from tests.console.conftest import LOT_REFERENT, OPERATOR, sign_in
from tests.directory.import_commands import run
from tests.directory.search_data import add_directory
from tests.web.api_keys import LOT_KEY

DIRECTORY_DATA = Path(__file__).parents[1] / "directory" / "data"


async def with_directory(settings: Settings) -> None:
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        await add_directory(session)
    await engine.dispose()


async def test_a_referent_searches_the_directory_as_a_caller_would_ask(
    client: TestClient, wired_settings: Settings
) -> None:
    await with_directory(wired_settings)
    browser = await sign_in(client, LOT_REFERENT)

    page = await (await browser.get("/console/annuaire?q=ssiad%20figeac")).text()

    first, second = page.index("SSIAD du Grand Figeac"), page.index("SSIAD de la vallée du Lot")
    assert first < second  # the one in Figeac before its neighbour
    assert "<td>jamais</td>" in page  # none of these was ever checked


async def test_a_referent_corrects_a_phone_and_says_when_it_was_checked(
    client: TestClient, wired_settings: Settings
) -> None:
    await with_directory(wired_settings)
    browser = await sign_in(client, LOT_REFERENT)
    page = await (await browser.get("/console/annuaire?q=ssiad%20figeac")).text()
    resource_id = int(re.search(r"/console/annuaire/(\d+)", page).group(1))  # type: ignore[union-attr]

    response = await browser.post(
        f"/console/annuaire/{resource_id}",
        {"name": "SSIAD du Figeacois", "phones": "05 65 00 00 99", "checked_at": "2026-11-20"},
    )

    assert response.status == 303
    engine = create_engine(wired_settings.database_url)
    async with session_maker(engine)() as session:
        resource = (await session.exec(select(Resource).where(Resource.id == resource_id))).one()
    await engine.dispose()
    assert resource.phones == ["+33565000099"]
    assert resource.checked_at is not None
    assert resource.checked_at.isoformat() == "2026-11-20"
    assert resource.edited_locally is True
    assert "figeacois" in resource.search_text


async def test_a_phone_that_is_not_one_is_refused(
    client: TestClient, wired_settings: Settings
) -> None:
    await with_directory(wired_settings)
    browser = await sign_in(client, LOT_REFERENT)

    response = await browser.post("/console/annuaire/1", {"name": "X", "phones": "pas un numéro"})

    assert response.status == 400


async def test_an_operator_searches_but_does_not_edit(
    client: TestClient, wired_settings: Settings
) -> None:
    await with_directory(wired_settings)
    operator = await sign_in(client, OPERATOR)

    assert (await operator.get("/console/annuaire?q=clic")).status == 200
    assert (await operator.post("/console/annuaire/1", {"name": "X"})).status == 403


async def test_a_resource_imported_from_finess_shows_its_finess_number_in_the_console_and_api(
    client: TestClient, wired_settings: Settings
) -> None:
    code, _, _ = await run(
        wired_settings, "import", "finess", str(DIRECTORY_DATA / "finess_etablissements_sample.csv")
    )
    assert code == 0
    browser = await sign_in(client, LOT_REFERENT)

    page = await (await browser.get("/console/annuaire?q=ehpad%2046100")).text()
    resource_id = int(re.search(r"/console/annuaire/(\d+)", page).group(1))  # type: ignore[union-attr]
    shown = await (await browser.get(f"/console/annuaire/{resource_id}")).text()
    found = await client.get("/api/directory/search", params={"q": "ehpad 46100"}, headers=LOT_KEY)

    assert '<span id="finess">FINESS 460000052</span>' in shown
    hits = (await found.json())["hits"]
    assert (hits[0]["name"], hits[0]["finess"]) == ("EHPAD Résidence du Célé", "460000052")
