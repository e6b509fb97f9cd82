"""The inbox: newest first, filtered, without personal data; new requests arrive live."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

from aiohttp.test_utils import TestClient

from frontdoor.departments import Departments
from frontdoor.phone import Answer, ScriptedPerson
from frontdoor.settings import Settings
from frontdoor.web.app import create_app
from tests.console.conftest import LOT_REFERENT, MOSELLE_REFERENT, create_accounts, sign_in
from tests.web.calls import AMARTIN, LOT, NURSE, TUESDAY_MORNING, place_call

KNOWN_GP = "+33565000001"  # a caller whose number the inbox must never show


async def two_calls(client: TestClient) -> None:
    taken = ScriptedPerson(["1", "1"], referents={AMARTIN: Answer(presses="1")})
    await place_call(client, at=TUESDAY_MORNING, to=LOT, person=taken, from_=KNOWN_GP)
    message = ScriptedPerson(["1", "5"], referents={}, message="Rappelez-moi.")
    await place_call(
        client, at=TUESDAY_MORNING + timedelta(minutes=5), to=LOT, person=message, from_=NURSE
    )


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


async def test_a_new_call_arrives_on_the_live_stream_of_the_inbox(
    client: TestClient, wired_settings: Settings
) -> None:
    browser = await sign_in(client, LOT_REFERENT)
    stream = await browser.get(
        "/console/flux?departement=dac46&depuis=0", headers={"Accept": "text/event-stream"}
    )
    assert stream.headers["Content-Type"] == "text/event-stream"

    await two_calls(client)

    events = []
    async with asyncio.timeout(20):
        while len(events) < 2:
            line = (await stream.content.readline()).decode()
            if line.startswith("data: "):
                events.append(json.loads(line.removeprefix("data: ")))
    stream.close()
    assert [event["id"] for event in events] == [1, 2]
    assert 'id="demande-2"' in events[1]["html"]
    assert KNOWN_GP not in events[0]["html"]


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
