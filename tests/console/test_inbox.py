"""The inbox: newest first, filtered, without personal data; new requests arrive live."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp.test_utils import TestClient
from sqlalchemy import update

from frontdoor.departments import Departments
from frontdoor.settings import Settings
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.models import Request
from frontdoor.web.app import create_app
from tests.console.conftest import LOT_REFERENT, MOSELLE_REFERENT, create_accounts, sign_in
from tests.console.live_events import read_events
from tests.console.requests_made import KNOWN_GP, two_calls
from tests.web.calls import AMARTIN, NURSE, TUESDAY_MORNING


async def test_the_inbox_lists_the_departments_requests_newest_first_without_numbers(
    client: TestClient,
) -> None:
    await two_calls(client)
    browser = await sign_in(client, LOT_REFERENT)

    page = await (await browser.get("/console/?statut=")).text()

    assert page.index('id="demande-2"') < page.index('id="demande-1"')
    assert "message vocal" in page
    assert "pris par un référent" in page
    assert KNOWN_GP not in page
    assert NURSE not in page
    assert "Rappelez-moi" not in page


async def test_filters_narrow_the_inbox(client: TestClient) -> None:
    await two_calls(client)
    browser = await sign_in(client, LOT_REFERENT)
    await browser.post("/console/demandes/1/attribution", {"to": "me"})

    mine = await (await browser.get("/console/?statut=&attribuee=moi")).text()
    sms_only = await (await browser.get("/console/?statut=&canal=sms")).text()

    assert 'id="demande-1"' in mine
    assert 'id="demande-2"' not in mine
    assert "Aucune demande." in sms_only


async def test_another_departments_inbox_is_not_reachable(client: TestClient) -> None:
    await two_calls(client)
    moselle = await sign_in(client, MOSELLE_REFERENT)

    response = await moselle.get("/console/?departement=dac46")
    own = await (await moselle.get("/console/?statut=")).text()

    assert response.status == 404
    assert 'id="demande-1"' not in own


def latest(events: list[dict[str, Any]]) -> dict[int, str]:
    return {event["id"]: event["html"] for event in events}


async def test_a_new_call_arrives_on_the_live_stream_of_the_inbox(
    client: TestClient, wired_settings: Settings
) -> None:
    browser = await sign_in(client, LOT_REFERENT)
    stream = await browser.get(
        "/console/flux?departement=dac46&depuis=0", headers={"Accept": "text/event-stream"}
    )
    assert stream.headers["Content-Type"] == "text/event-stream"

    await two_calls(client)

    def both_done(events: list[dict[str, Any]]) -> bool:
        rows = latest(events)
        return "pris par un référent" in rows.get(1, "") and "message vocal" in rows.get(2, "")

    events = await read_events(stream, both_done)
    stream.close()
    first_seen = list(dict.fromkeys(event["id"] for event in events))
    assert first_seen == [1, 2]
    assert 'id="demande-2"' in latest(events)[2]
    assert all(KNOWN_GP not in event["html"] for event in events)


async def test_a_row_that_changes_is_sent_again_without_an_event_id(
    client: TestClient, wired_settings: Settings
) -> None:
    engine = create_engine(wired_settings.database_url)
    async with session_maker(engine)() as session:
        session.add(Request(department="dac46", channel="voice", received_at=TUESDAY_MORNING))
        await session.commit()
    browser = await sign_in(client, LOT_REFERENT)
    stream = await browser.get(
        "/console/flux?departement=dac46&depuis=0", headers={"Accept": "text/event-stream"}
    )
    [in_progress] = await read_events(stream, lambda events: len(events) == 1)

    async with session_maker(engine)() as session:
        await session.exec(update(Request).values(outcome="taken", taken_by=AMARTIN))
        await session.commit()
    [taken] = await read_events(stream, lambda events: len(events) == 1)
    stream.close()
    await engine.dispose()

    assert (in_progress["id"], in_progress["event_id"]) == (1, 1)
    assert "en cours" in in_progress["html"]
    # The same row again, now taken; no id, so a reconnection does not go back in time.
    assert (taken["id"], taken["event_id"]) == (1, None)
    assert "pris par un référent" in taken["html"]


async def test_the_app_shutting_down_ends_open_live_streams_cleanly(
    aiohttp_client: object, wired_settings: Settings, departments: Departments
) -> None:
    # Looks an hour apart: a stream ending now ends because the app asked it to.
    settings = wired_settings.model_copy(update={"console_live_every_s": 3600.0})
    await create_accounts(settings)
    client: TestClient = await aiohttp_client(create_app(settings, departments))  # type: ignore[operator]
    browser = await sign_in(client, LOT_REFERENT)
    stream = await browser.get(
        "/console/flux?departement=dac46&depuis=0", headers={"Accept": "text/event-stream"}
    )
    assert await stream.content.readline() == b"retry: 3000\n"

    # A guard only: aiohttp would otherwise wait 60 s for the stream, then cut it.
    async with asyncio.timeout(30):
        await client.server.close()
        rest = await stream.content.read()  # a cut stream raises ClientPayloadError here

    assert client.server.closed
    assert rest.endswith(b"\n\n")  # the stream stopped between two events
    assert stream.content.at_eof()


async def test_the_live_stream_needs_a_session(client: TestClient) -> None:
    response = await client.get(
        "/console/flux?departement=dac46", headers={"Accept": "text/event-stream"}
    )

    assert response.status == 401
