"""Callers' numbers, names and messages are health data: they never reach the logs."""

from __future__ import annotations

import logging
from datetime import datetime

import pytest
from aiohttp.test_utils import TestClient

from frontdoor.jobs.base import JobContext
from frontdoor.jobs.callbacks import escalate_overdue
from frontdoor.keys import STORE_COPIES
from frontdoor.kit.runtime import JOB_RUNTIME
from frontdoor.logs import hold_back_libraries
from frontdoor.phone import Answer, Said, ScriptedPerson
from frontdoor.settings import Settings
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.models import KnownContact
from tests.console.conftest import LOT_REFERENT, create_accounts, sign_in
from tests.sms.texting import send
from tests.web.calls import AMARTIN, LOT, MOSELLE, PARIS, TUESDAY_MORNING, place_call

NUMBER = "+33699887766"
NAME = "Mme Jocelyne Personnelle"
MESSAGE = "Rappelez-moi pour ma mère, diabète déséquilibré"
SPOKEN = "Je suis la fille de Jocelyne Personnelle, c'est pour ma mère"
WITHOUT_PLUS = NUMBER.removeprefix("+")


@pytest.fixture
def app_settings(wired_settings: Settings) -> Settings:
    return wired_settings


async def test_whole_calls_callbacks_and_jobs_log_nothing_personal(
    client: TestClient, wired_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    # The most talkative setting an operator can choose.
    hold_back_libraries()
    caplog.set_level(logging.DEBUG)
    engine = create_engine(wired_settings.database_url)
    async with session_maker(engine)() as session:
        session.add(KnownContact(department="dac46", number=NUMBER, name=NAME, referrer_type="gp"))
        await session.commit()
    await engine.dispose()
    await client.app[STORE_COPIES].refresh()

    await place_call(
        client,
        at=TUESDAY_MORNING,
        to=LOT,
        from_=NUMBER,
        person=ScriptedPerson([], referents={AMARTIN: Answer(presses="1")}),
    )
    await place_call(
        client,
        at=datetime(2026, 5, 15, 19, 5, tzinfo=PARIS),
        to=LOT,
        from_=NUMBER,
        person=ScriptedPerson([], message=MESSAGE),
    )
    await place_call(
        client, at=TUESDAY_MORNING, to=MOSELLE, from_=NUMBER, person=ScriptedPerson(["2", "57100"])
    )
    for sure in (0.9, 0.3):  # acted on, and read back first
        await place_call(
            client, at=TUESDAY_MORNING, to=LOT, from_=NUMBER,
            person=ScriptedPerson([Said(text=SPOKEN, confidence=sure), "1", "1"]),
        )  # fmt: skip
    await escalate_overdue(
        JobContext(runtime=client.app[JOB_RUNTIME], slot=datetime(2026, 5, 19, 12, 0, tzinfo=PARIS))
    )  # fmt: skip

    assert caplog.records, "the run logged nothing: the test would prove nothing"
    for record in caplog.records:
        text = record.getMessage() + (record.exc_text or "")
        for secret in (NUMBER, WITHOUT_PLUS, NAME, MESSAGE, SPOKEN):
            assert secret not in text, f"{record.name}: {text}"


async def test_sms_answers_and_the_console_log_nothing_personal(
    client: TestClient, wired_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    hold_back_libraries()
    caplog.set_level(logging.DEBUG)
    await create_accounts(wired_settings, (LOT_REFERENT,))

    await send(client, MESSAGE, at=TUESDAY_MORNING, from_=NUMBER)
    await send(client, MESSAGE, at=datetime(2026, 5, 15, 19, 5, tzinfo=PARIS), from_=NUMBER)
    await client.post(
        "/api/requests/1/sms",
        json={"body": f"Bonjour, voici le numéro pour {NAME}"},
        headers={"Authorization": "Bearer key-dac46-amartin"},
    )
    browser = await sign_in(client, LOT_REFERENT)
    await browser.get("/console/?statut=")
    await browser.get("/console/demandes/1")
    await browser.post("/console/demandes/1/notes", {"body": f"{NAME} : {MESSAGE}"})
    await browser.get(f"/console/annuaire?q={NAME}")
    form_page = await client.get("/console/connexion")
    token = form_page.cookies["frontdoor_signin"].value
    await client.post(
        "/console/connexion",
        data={"form_token": token, "login": LOT_REFERENT.login, "password": MESSAGE},
        headers={"Cookie": f"frontdoor_signin={token}"},
    )

    assert caplog.records, "the run logged nothing: the test would prove nothing"
    for record in caplog.records:
        text = record.getMessage() + (record.exc_text or "")
        for secret in (NUMBER, WITHOUT_PLUS, NAME, MESSAGE, SPOKEN):
            assert secret not in text, f"{record.name}: {text}"
