"""Requests made as they come in (a taken call, a voicemail, a call about a person…), and
read back from the store, for the console's tests."""

from __future__ import annotations

from datetime import timedelta

from aiohttp.test_utils import TestClient
from sqlmodel import col, select

from frontdoor.phone import Answer, ScriptedPerson, TestClientTransport, TwilioPhone
from frontdoor.settings import Settings
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.models import (
    AuditEvent,
    Request,
)
from tests.conftest import AUTH_TOKEN, PUBLIC_URL
from tests.console.conftest import Browser
from tests.web.calls import AMARTIN, LOT, MOSELLE, NURSE, TUESDAY_MORNING, place_call, stored


async def a_taken_call(client: TestClient, settings: Settings) -> int:
    person = ScriptedPerson(["1", "1"], referents={AMARTIN: Answer(presses="1")})
    await place_call(client, at=TUESDAY_MORNING, to=LOT, person=person)
    [request], _ = await stored(settings)
    assert request.id is not None
    return request.id


async def a_voicemail(client: TestClient, settings: Settings) -> Request:
    person = ScriptedPerson(["1", "5"], referents={}, message="Rappelez-moi pour Mme X.")
    # The phone records on the deployment's own account, where Frontdoor will fetch it.
    caller = TwilioPhone(
        TestClientTransport(client),
        public_url=PUBLIC_URL,
        auth_token=AUTH_TOKEN,
        simulated_at=TUESDAY_MORNING,
        account_sid=settings.twilio_account_sid,
    )
    await caller.call(from_=NURSE, to=LOT, person=person)
    [request], _ = await stored(settings)
    return request


async def a_moselle_voicemail(client: TestClient, settings: Settings) -> None:
    """The same at the Moselle, whose late callbacks its coordination hears of by mail."""
    caller = TwilioPhone(
        TestClientTransport(client), public_url=PUBLIC_URL, auth_token=AUTH_TOKEN,
        simulated_at=TUESDAY_MORNING, account_sid=settings.twilio_account_sid,
    )  # fmt: skip
    person = ScriptedPerson(["1", "5"], referents={}, message="Rappelez-moi.")
    await caller.call(from_=NURSE, to=MOSELLE, person=person)


async def audit_rows(settings: Settings) -> list[tuple[str, int | None, str]]:
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        rows = (await session.exec(select(AuditEvent).order_by(AuditEvent.id))).all()
    await engine.dispose()
    return [(row.account, row.request_id, row.action) for row in rows]


async def the_request(settings: Settings, request_id: int) -> Request:
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        found = await session.get(Request, request_id)
    await engine.dispose()
    assert found is not None
    return found


STANCES = {
    "support_and_sharing": "not_opposed",
    "data_processing": "not_opposed",
    "secondary_use": "opposed",
}


async def a_call(
    client: TestClient, settings: Settings, *, from_: str = NURSE, hours_later: int = 0
) -> int:
    """A call from the nurse, taken by Anne Martin; its request's id."""
    person = ScriptedPerson(["1", "1"], referents={AMARTIN: Answer(presses="1")})
    at = TUESDAY_MORNING + timedelta(hours=hours_later)
    await place_call(client, at=at, to=LOT, person=person, from_=from_)
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        ids = (await session.exec(select(Request.id).order_by(col(Request.id)))).all()
    await engine.dispose()
    return ids[-1] or 0


async def rows(settings: Settings, model: type) -> list:  # type: ignore[type-arg]
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        found = list((await session.exec(select(model))).all())
    await engine.dispose()
    return found


async def create(browser: Browser, request_id: int, **traits: str) -> None:
    response = await browser.post(f"/console/demandes/{request_id}/personnes/nouvelle", traits)
    assert response.status == 303, await response.text()
    assert response.headers["Location"] == f"/console/demandes/{request_id}#personnes"


async def page_of(browser: Browser, path: str) -> str:
    response = await browser.get(path)
    assert response.status == 200
    return await response.text()


async def two_calls(client: TestClient) -> None:
    taken = ScriptedPerson(["1", "1"], referents={AMARTIN: Answer(presses="1")})
    await place_call(client, at=TUESDAY_MORNING, to=LOT, person=taken, from_=KNOWN_GP)
    message = ScriptedPerson(["1", "5"], referents={}, message="Rappelez-moi.")
    await place_call(
        client, at=TUESDAY_MORNING + timedelta(minutes=5), to=LOT, person=message, from_=NURSE
    )


KNOWN_GP = "+33565000001"  # a caller whose number the inbox must never show
