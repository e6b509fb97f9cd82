"""A referent orienting a person asks for a follow-up ("vérifier dans 15 jours que la
personne a bien été prise en charge par le SSIAD"), with the orientation or afterwards; the
request's page shows it, the referents' list shows it when due, and it is closed with what
was found. Each step is traced and journaled; another department reaches none of it."""

from __future__ import annotations

import html
import re
from datetime import date
from urllib.parse import unquote

import pytest
from aiohttp.test_utils import TestClient
from sqlmodel import col, select

from frontdoor.departments import Departments
from frontdoor.settings import Settings
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.models import AuditEvent, FollowUp, RequestEvent
from frontdoor.web.app import create_app
from tests.console.conftest import (
    LOT_REFERENT,
    MOSELLE_REFERENT,
    Browser,
    create_accounts,
    sign_in,
)
from tests.console.requests_made import a_taken_call
from tests.console.responses_made import responses_of, with_directory
from tests.web.calls import TUESDAY_MORNING


@pytest.fixture
async def client(
    aiohttp_client: object, wired_settings: Settings, departments: Departments
) -> TestClient:
    """The console on Tuesday 12 May 2026, 10:00 in Paris."""
    await create_accounts(wired_settings)
    app = create_app(wired_settings, departments, clock=lambda: TUESDAY_MORNING)
    return await aiohttp_client(app)  # type: ignore[operator, no-any-return]


async def follow_ups(settings: Settings) -> list[FollowUp]:
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        rows = list((await session.exec(select(FollowUp).order_by(col(FollowUp.id)))).all())
    await engine.dispose()
    return rows


async def journal(settings: Settings) -> tuple[list[str], list[str]]:
    """The request events' kinds and the audit rows' actions, in order."""
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        kinds = (await session.exec(select(RequestEvent.kind).order_by(col(RequestEvent.id)))).all()
        actions = (await session.exec(select(AuditEvent.action).order_by(col(AuditEvent.id)))).all()
    await engine.dispose()
    return list(kinds), list(actions)


async def an_orientation_to_the_ssiad(
    client: TestClient, settings: Settings, browser: Browser, **follow_up: str
) -> int:
    request_id = await a_taken_call(client, settings)
    await with_directory(settings)
    await orient(browser, request_id, **follow_up)
    return request_id


async def orient(browser: Browser, request_id: int, **follow_up: str) -> None:
    """One more orientation of the request to the SSIAD, found on the page."""
    page = await (
        await browser.post(f"/console/demandes/{request_id}", {"ressource": "ssiad figeac"})
    ).text()
    found = re.search(r'name="resource_id" value="(\d+)"> SSIAD du Grand Figeac', page)
    assert found is not None
    added = await browser.post(
        f"/console/demandes/{request_id}/reponses",
        {"kind": "orientation", "resource_id": found.group(1), **follow_up},
    )
    assert added.status == 303
    assert "erreur" not in added.headers["Location"]


async def test_a_follow_up_asked_with_the_orientation_shows_on_the_page_the_french_way(
    client: TestClient, wired_settings: Settings
) -> None:
    browser = await sign_in(client, LOT_REFERENT)

    request_id = await an_orientation_to_the_ssiad(
        client, wired_settings, browser, suivi_jours="15", suivi_referent="bleroy"
    )

    [planned] = await follow_ups(wired_settings)
    [orientation] = await responses_of(wired_settings, request_id)
    assert (planned.response_id, planned.request_id, planned.department) == (
        orientation.id, request_id, "dac46",
    )  # fmt: skip
    assert (planned.due_on, planned.assigned_to, planned.status) == (
        date(2026, 5, 27), "bleroy", "open",
    )  # fmt: skip
    page = await (await browser.get(f"/console/demandes/{request_id}")).text()
    block = page.split('id="suivis"', 1)[1].split("</section>", 1)[0]
    assert "Orientation, mise en relation vers SSIAD du Grand Figeac" in block
    assert "mercredi 27 mai 2026" in block
    assert "Bruno Leroy" in block
    assert "à faire" in block
    assert (
        "suivi de l'orientation demandé par anne.martin@dac46.fr : à vérifier le mercredi "
        "27 mai 2026, confié à Bruno Leroy" in html.unescape(page)
    )
    kinds, actions = await journal(wired_settings)
    assert kinds[-1] == "response-added"
    assert actions.count("response") == 1


async def test_a_follow_up_asked_afterwards_then_chased_then_closed_keeps_its_history(
    client: TestClient, wired_settings: Settings
) -> None:
    browser = await sign_in(client, LOT_REFERENT)
    request_id = await an_orientation_to_the_ssiad(client, wired_settings, browser)
    [orientation] = await responses_of(wired_settings, request_id)
    base = f"/console/demandes/{request_id}/reponses/{orientation.id}/suivi"
    page = await (await browser.get(f"/console/demandes/{request_id}")).text()
    assert f'action="{base}"' in page  # offered on the orientation recorded without one

    asked = await browser.post(base, {"suivi_le": "2026-05-19"})
    again = await browser.post(base, {"suivi_jours": "3"})
    chased = await browser.post(f"{base}/cloture", {"outcome": "to_chase", "suivi_jours": "14"})

    assert asked.status == again.status == chased.status == 303
    assert "cette orientation a déjà un suivi" in unquote(again.headers["Location"])
    [row] = await follow_ups(wired_settings)
    assert (row.status, row.due_on, [e["due_on"] for e in row.earlier]) == (
        "open", date(2026, 5, 26), ["2026-05-19"],
    )  # fmt: skip

    closed = await browser.post(f"{base}/cloture", {"outcome": "taken_in_charge"})

    assert closed.status == 303
    [row] = await follow_ups(wired_settings)
    assert (row.status, row.outcome, row.closed_by, row.due_on) == (
        "closed", "taken_in_charge", "anne.martin@dac46.fr", date(2026, 5, 26),
    )  # fmt: skip
    assert [entry["due_on"] for entry in row.earlier] == ["2026-05-19"]
    page = await (await browser.get(f"/console/demandes/{request_id}")).text()
    block = page.split('id="suivis"', 1)[1].split("</section>", 1)[0]
    assert "clos : prise en charge effective" in block
    assert "Échéances précédentes" in block
    assert f'action="{base}/cloture"' not in block
    kinds, actions = await journal(wired_settings)
    assert kinds[-3:] == ["follow-up-planned", "follow-up-rescheduled", "follow-up-closed"]
    # The refused second one too: it reached the request (journaled when opened).
    assert actions.count("follow_up") == 4


async def test_the_referents_list_shows_the_follow_ups_due_within_a_week(
    client: TestClient, wired_settings: Settings
) -> None:
    browser = await sign_in(client, LOT_REFERENT)
    request_id = await an_orientation_to_the_ssiad(
        client, wired_settings, browser, suivi_le="2026-05-12", suivi_referent="amartin"
    )
    await orient(browser, request_id, suivi_jours="15")

    page = await (await browser.get("/console/?departement=dac46")).text()

    listed = page.split('id="suivis"', 1)[1].split("</section>", 1)[0]
    assert f"/console/demandes/{request_id}#suivis" in listed
    assert listed.count("SSIAD du Grand Figeac") == 1  # the other is due in 15 days
    assert "mardi 12 mai 2026" in listed
    assert "aujourd&#39;hui" in listed
    assert "Anne Martin" in listed
    moselle = await sign_in(client, MOSELLE_REFERENT)
    theirs = await (await moselle.get("/console/?departement=dac57")).text()
    assert 'id="suivis"' not in theirs


async def test_what_cannot_be_asked_is_said_in_french_and_writes_nothing(
    client: TestClient, wired_settings: Settings
) -> None:
    browser = await sign_in(client, LOT_REFERENT)
    request_id = await a_taken_call(client, wired_settings)
    url = f"/console/demandes/{request_id}/reponses"

    informed = await browser.post(url, {"kind": "information", "suivi_jours": "15"})
    past = await browser.post(url, {"kind": "orientation", "suivi_le": "2026-05-01"})
    stranger = await browser.post(
        url, {"kind": "orientation", "suivi_jours": "15", "suivi_referent": "dweber"}
    )

    assert "seule une orientation" in unquote(informed.headers["Location"])
    assert "vendredi 1er mai 2026 est déjà passé" in unquote(past.headers["Location"])
    assert "n'est pas un référent du département" in unquote(stranger.headers["Location"])
    assert await responses_of(wired_settings, request_id) == []
    assert await follow_ups(wired_settings) == []


async def test_another_departments_referent_can_neither_ask_nor_close(
    client: TestClient, wired_settings: Settings
) -> None:
    lot = await sign_in(client, LOT_REFERENT)
    request_id = await an_orientation_to_the_ssiad(client, wired_settings, lot, suivi_jours="15")
    [orientation] = await responses_of(wired_settings, request_id)
    base = f"/console/demandes/{request_id}/reponses/{orientation.id}/suivi"
    moselle = await sign_in(client, MOSELLE_REFERENT)
    before = await journal(wired_settings)

    asked = await moselle.post(base, {"suivi_jours": "3"})
    closed = await moselle.post(f"{base}/cloture", {"outcome": "no_news"})

    assert asked.status == closed.status == 404
    [row] = await follow_ups(wired_settings)
    assert row.status == "open"
    assert await journal(wired_settings) == before
