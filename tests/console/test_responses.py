"""A referent records the responses a request got: several, an orientation naming the
directory resource found by searching it on the page; each traced, each removable."""

from __future__ import annotations

import re
from urllib.parse import unquote

from aiohttp.test_utils import TestClient
from sqlmodel import select

from frontdoor.settings import Settings
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.models import RequestEvent
from tests.console.conftest import LOT_REFERENT, MOSELLE_REFERENT, sign_in
from tests.console.requests_made import a_taken_call, the_request
from tests.console.responses_made import responses_of, with_directory


async def test_an_orientation_names_the_resource_found_on_the_page_and_a_planning_adds_to_it(
    client: TestClient, wired_settings: Settings
) -> None:
    request_id = await a_taken_call(client, wired_settings)
    await with_directory(wired_settings)
    browser = await sign_in(client, LOT_REFERENT)

    page = await (
        await browser.post(f"/console/demandes/{request_id}", {"ressource": "ssiad figeac"})
    ).text()
    found = re.search(r'name="resource_id" value="(\d+)"> SSIAD du Grand Figeac', page)
    assert found is not None
    first = await browser.post(
        f"/console/demandes/{request_id}/reponses",
        {"kind": "orientation", "resource_id": found.group(1)},
    )
    second = await browser.post(f"/console/demandes/{request_id}/reponses", {"kind": "planning"})

    assert first.status == second.status == 303
    given = await responses_of(wired_settings, request_id)
    assert [(r.kind, r.resource_name, r.by) for r in given] == [
        ("orientation", "SSIAD du Grand Figeac", "anne.martin@dac46.fr"),
        ("planning", None, "anne.martin@dac46.fr"),
    ]
    assert (await the_request(wired_settings, request_id)).response_kinds == [
        "orientation", "planning",
    ]  # fmt: skip
    page = await (await browser.get(f"/console/demandes/{request_id}")).text()
    assert "Planification, PPCS" in page
    assert (
        "réponse ajoutée par anne.martin@dac46.fr : Orientation, mise en relation vers "
        "SSIAD du Grand Figeac" in page
    )


async def test_a_response_removed_is_traced_and_counted_no_more(
    client: TestClient, wired_settings: Settings
) -> None:
    request_id = await a_taken_call(client, wired_settings)
    browser = await sign_in(client, LOT_REFERENT)
    await browser.post(f"/console/demandes/{request_id}/reponses", {"kind": "information"})
    [given] = await responses_of(wired_settings, request_id)

    removed = await browser.post(f"/console/demandes/{request_id}/reponses/{given.id}/retrait")

    assert removed.status == 303
    assert await responses_of(wired_settings, request_id) == []
    assert (await the_request(wired_settings, request_id)).response_kinds == []
    engine = create_engine(wired_settings.database_url)
    async with session_maker(engine)() as session:
        kinds = (await session.exec(select(RequestEvent.kind))).all()
    await engine.dispose()
    assert {"response-added", "response-removed"} <= set(kinds)


async def test_what_cannot_be_recorded_is_said_in_french_and_changes_nothing(
    client: TestClient, wired_settings: Settings
) -> None:
    request_id = await a_taken_call(client, wired_settings)
    browser = await sign_in(client, LOT_REFERENT)

    unknown = await browser.post(f"/console/demandes/{request_id}/reponses", {"kind": "conseil"})
    named = await browser.post(
        f"/console/demandes/{request_id}/reponses", {"kind": "information", "resource_id": "1"}
    )
    missing = await browser.post(
        f"/console/demandes/{request_id}/reponses", {"kind": "orientation", "resource_id": "999"}
    )

    assert "type de réponse inconnu" in unquote(unknown.headers["Location"])
    assert "ne nomme pas de ressource" in unquote(named.headers["Location"])
    assert "ressource introuvable" in unquote(missing.headers["Location"])
    assert await responses_of(wired_settings, request_id) == []


async def test_another_departments_referent_can_neither_add_nor_remove(
    client: TestClient, wired_settings: Settings
) -> None:
    request_id = await a_taken_call(client, wired_settings)
    lot = await sign_in(client, LOT_REFERENT)
    await lot.post(f"/console/demandes/{request_id}/reponses", {"kind": "information"})
    [given] = await responses_of(wired_settings, request_id)
    moselle = await sign_in(client, MOSELLE_REFERENT)

    added = await moselle.post(f"/console/demandes/{request_id}/reponses", {"kind": "planning"})
    removed = await moselle.post(f"/console/demandes/{request_id}/reponses/{given.id}/retrait")

    assert added.status == removed.status == 404
    assert [r.kind for r in await responses_of(wired_settings, request_id)] == ["information"]


async def test_the_resource_searched_is_posted_and_never_read_from_the_url(
    client: TestClient, wired_settings: Settings
) -> None:
    """What is searched for an orientation says something of the person's situation on her
    request's page: it travels in the POST body, and an old link with ?ressource= finds
    nothing."""
    request_id = await a_taken_call(client, wired_settings)
    await with_directory(wired_settings)
    browser = await sign_in(client, LOT_REFERENT)

    page = await (await browser.get(f"/console/demandes/{request_id}")).text()
    old_link = await (
        await browser.get(f"/console/demandes/{request_id}?ressource=ssiad+figeac")
    ).text()
    searched = await browser.post(f"/console/demandes/{request_id}", {"ressource": "ssiad figeac"})

    assert f'<form method="post" action="/console/demandes/{request_id}#reponses"' in page
    assert "SSIAD du Grand Figeac" not in old_link
    assert searched.status == 200
    assert "> SSIAD du Grand Figeac" in await searched.text()
