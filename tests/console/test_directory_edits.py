"""Corrections of the directory: a resource is its territory's departments' to correct (its
numbers go out by SMS to their callers), or the territory level's when no department holds it;
every correction is journaled with who, when, before and after, and shown on the audit page.

The directory-changing routes are read from the console's route table (every route whose
action is EDIT_DIRECTORY), so a route added later is attacked too.
"""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlmodel import col, select

from frontdoor.console.app import ROUTE_MODULES
from frontdoor.console.auth import action_of
from frontdoor.core.access import Action
from frontdoor.core.taxonomy import Category
from frontdoor.settings import Settings
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.models import Resource, ResourceEdit
from tests.console.conftest import (
    LOT_COORDINATOR,
    LOT_REFERENT,
    MOSELLE_COORDINATOR,
    MOSELLE_REFERENT,
    OPERATOR,
    Person,
    sign_in,
)
from tests.directory.search_data import add_directory, resource

DIRECTORY_EDITS = [
    "/console" + path
    for module in ROUTE_MODULES
    for method, path, handler in module.ROUTES
    if method == "POST" and action_of(handler) is Action.EDIT_DIRECTORY
]
# What each is sent: a valid correction, so that only the account decides.
FORMS: dict[str, dict[str, str]] = {
    "/console/annuaire/{resource_id}": {
        "name": "SSIAD du Grand Figeac",
        "phones": "06 00 00 00 66",  # where a hostile editor would send the Lot's callers
        "checked_at": "2026-11-20",
    },
}
LOT_RESOURCE = 1  # SSIAD du Grand Figeac, in the Lot
MOSELLE_RESOURCE = 10  # EHPAD Sainte-Thérèse, in Metz


def test_the_directory_changing_routes_are_found_and_each_has_a_form() -> None:
    assert DIRECTORY_EDITS
    assert set(DIRECTORY_EDITS) <= set(FORMS)


async def with_directory(settings: Settings) -> int:
    """The small directory of the Lot and the Moselle, and a regional resource of no
    département (its id)."""
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        await add_directory(session)
        regional = resource(
            "Plateforme régionale d'appui", Category.OTHER, *(None,) * 5, "+33561000000", []
        )
        session.add(regional)
        await session.commit()
        regional_id = regional.id or 0
    await engine.dispose()
    return regional_id


async def directory_state(settings: Settings) -> tuple[list[dict[str, Any]], list[ResourceEdit]]:
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        resources = (await session.exec(select(Resource).order_by(col(Resource.id)))).all()
        edits = (await session.exec(select(ResourceEdit).order_by(col(ResourceEdit.id)))).all()
    await engine.dispose()
    return [r.model_dump() for r in resources], list(edits)


# (who, which resource, allowed)
CELLS = [
    pytest.param(MOSELLE_REFERENT, LOT_RESOURCE, False, id="another-departments-referent"),
    pytest.param(MOSELLE_COORDINATOR, LOT_RESOURCE, False, id="another-departments-coordinator"),
    pytest.param(LOT_REFERENT, MOSELLE_RESOURCE, False, id="the-lots-referent-on-the-moselles"),
    pytest.param(OPERATOR, LOT_RESOURCE, False, id="the-territory-level-on-a-departments"),
    pytest.param(LOT_REFERENT, "regional", False, id="a-referent-on-a-regional-one"),
    pytest.param(LOT_REFERENT, LOT_RESOURCE, True, id="the-lots-referent"),
    pytest.param(LOT_COORDINATOR, LOT_RESOURCE, True, id="the-lots-coordinator"),
    pytest.param(MOSELLE_REFERENT, MOSELLE_RESOURCE, True, id="the-moselles-referent"),
    pytest.param(OPERATOR, "regional", True, id="the-territory-level-on-a-regional-one"),
]


@pytest.mark.parametrize("path", DIRECTORY_EDITS)
@pytest.mark.parametrize(("person", "target", "allowed"), CELLS)
async def test_only_the_resources_departments_or_else_the_territory_level_change_it(
    client: TestClient,
    wired_settings: Settings,
    path: str,
    person: Person,
    target: int | str,
    allowed: bool,
) -> None:
    regional = await with_directory(wired_settings)
    resource_id = regional if target == "regional" else target
    browser = await sign_in(client, person)
    before, _ = await directory_state(wired_settings)

    response = await browser.post(path.format(resource_id=resource_id), FORMS[path])

    after, edits = await directory_state(wired_settings)
    if not allowed:
        assert response.status == 403
        assert "vous ne pouvez pas corriger cette ressource" in await response.text()
        assert (after, edits) == (before, [])
        return
    assert response.status == 303
    [edit] = edits
    assert (edit.resource_id, edit.account) == (resource_id, person.login)
    assert edit.after["phones"] == ["+33600000066"]
    assert edit.before["phones"] != edit.after["phones"]


async def test_each_correction_is_journaled_with_who_when_before_and_after(
    client: TestClient, wired_settings: Settings
) -> None:
    await with_directory(wired_settings)
    browser = await sign_in(client, LOT_REFERENT)

    await browser.post(
        f"/console/annuaire/{LOT_RESOURCE}",
        {"name": "SSIAD du Figeacois", "phones": "05 65 00 00 99", "checked_at": "2026-11-20"},
    )

    _, [edit] = await directory_state(wired_settings)
    assert edit.account == LOT_REFERENT.login
    assert edit.before == {
        "name": "SSIAD du Grand Figeac",
        "phones": ["+33565341200"],
        "checked_at": None,
    }
    assert edit.after == {
        "name": "SSIAD du Figeacois",
        "phones": ["+33565000099"],
        "checked_at": "2026-11-20",
    }


async def test_the_coordinator_reads_the_corrections_of_the_territorys_resources(
    client: TestClient, wired_settings: Settings
) -> None:
    await with_directory(wired_settings)
    referent = await sign_in(client, LOT_REFERENT)
    await referent.post(
        f"/console/annuaire/{LOT_RESOURCE}",
        {"name": "SSIAD du Grand Figeac", "phones": "05 65 00 00 99"},
    )

    lot = await (await (await sign_in(client, LOT_COORDINATOR)).get("/console/journal")).text()
    moselle = await (
        await (await sign_in(client, MOSELLE_COORDINATOR)).get("/console/journal")
    ).text()

    assert "Corrections de l'annuaire" in lot
    assert LOT_REFERENT.login in lot
    assert "téléphones : +33565341200 → +33565000099" in lot
    assert "SSIAD du Grand Figeac" in lot
    assert "SSIAD du Grand Figeac" not in moselle
    assert "Aucune correction enregistrée." in moselle


async def test_the_page_of_another_departments_resource_offers_no_form_and_says_whose_it_is(
    client: TestClient, wired_settings: Settings
) -> None:
    await with_directory(wired_settings)
    browser = await sign_in(client, MOSELLE_REFERENT)

    page = await (await browser.get(f"/console/annuaire/{LOT_RESOURCE}")).text()

    assert "Modifiable par : DAC du Lot" in page
    assert 'name="phones"' not in page


async def test_a_field_longer_than_the_directory_holds_is_refused(
    client: TestClient, wired_settings: Settings
) -> None:
    await with_directory(wired_settings)
    browser = await sign_in(client, LOT_REFERENT)
    before, _ = await directory_state(wired_settings)

    response = await browser.post(
        f"/console/annuaire/{LOT_RESOURCE}", {"name": "SSIAD", "address": "x" * 301}
    )

    assert response.status == 400
    assert "adresse : 300 caractères au plus" in await response.text()
    assert await directory_state(wired_settings) == (before, [])
