"""A missed contact becomes tracked work: a task with a deadline in opening hours, escalated
when left, closed after a click-to-call placed from the DAC's number.

Twilio's REST API is answered by a local server (frontdoor/standins/twilio_api.py); its webhooks are
played by the phone engine, signed as Twilio signs them.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

import pytest
from aiohttp.test_utils import TestClient
from sqlmodel import select

from frontdoor.jobs.base import JobContext
from frontdoor.jobs.callbacks import create_missing_tasks, escalate_overdue
from frontdoor.kit.runtime import JOB_RUNTIME
from frontdoor.phone import Answer, ScriptedPerson, TestClientTransport, TwilioPhone
from frontdoor.settings import Settings
from frontdoor.standins.twilio_api import FakeTwilioApi
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.models import CallbackTaskRow
from tests.conftest import AUTH_TOKEN, PUBLIC_URL
from tests.console.requests_made import audit_rows
from tests.web.calls import AMARTIN, COORDINATION, LOT, NURSE, PARIS, place_call, stored

FRIDAY_EVENING = datetime(2026, 5, 15, 19, 5, tzinfo=PARIS)
MONDAY_NOON = datetime(2026, 5, 18, 12, 0, tzinfo=PARIS)
MONDAY_ONE_PM = datetime(2026, 5, 18, 13, 0, tzinfo=PARIS)
LOT_KEY = {"Authorization": "Bearer key-dac46-amartin"}


@pytest.fixture
def app_settings(wired_settings: Settings) -> Settings:
    return wired_settings


async def tasks(settings: Settings) -> list[CallbackTaskRow]:
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        rows = (await session.exec(select(CallbackTaskRow))).all()
    await engine.dispose()
    return list(rows)


def phone(client: TestClient, *, at: datetime, voice_path: str = "/twilio/voice") -> TwilioPhone:
    return TwilioPhone(
        TestClientTransport(client),
        public_url=PUBLIC_URL,
        auth_token=AUTH_TOKEN,
        simulated_at=at,
        voice_path=voice_path,
    )


async def test_a_friday_evening_message_is_due_monday_escalates_and_is_closed_after_a_call_back(
    client: TestClient, settings: Settings, twilio_api: FakeTwilioApi
) -> None:
    # Friday 19:05: the Lot is closed; a nurse leaves a message.
    await place_call(
        client,
        at=FRIDAY_EVENING,
        to=LOT,
        person=ScriptedPerson([], message="Rappelez-moi pour Mme X."),
    )

    [task] = await tasks(settings)
    assert task.due_at == datetime(2026, 5, 18, 12, 30, tzinfo=PARIS)  # 4 opening hours
    assert task.assignees == ["amartin", "bleroy"]  # Monday morning's duty
    assert task.status == "open"

    # Monday noon: not late yet; 13:00: late, the coordinator hears of it, once.
    await escalate_overdue(JobContext(runtime=client.app[JOB_RUNTIME], slot=MONDAY_NOON))
    assert twilio_api.messages == []
    await escalate_overdue(JobContext(runtime=client.app[JOB_RUNTIME], slot=MONDAY_ONE_PM))
    await escalate_overdue(JobContext(runtime=client.app[JOB_RUNTIME], slot=MONDAY_ONE_PM))
    [sms] = twilio_api.messages
    assert (sms["to"], sms["from"]) == (COORDINATION, LOT)
    assert "en retard" in sms["body"]
    assert NURSE not in sms["body"]

    # amartin calls back from the DAC's number: Twilio rings her first.
    response = await client.post(f"/api/tasks/{task.id}/call", headers=LOT_KEY)
    assert response.status == 202
    [call] = [r for r in twilio_api.requests if r.path.endswith("/Calls.json")]
    assert (call.form["To"], call.form["From"]) == (AMARTIN, LOT)
    bridge = urlsplit(call.form["Url"])
    assert f"{bridge.scheme}://{bridge.netloc}" == PUBLIC_URL

    # She answers, presses 1, and the nurse is dialled with the department's number shown.
    referent = ScriptedPerson(["1"], referents={NURSE: Answer()})
    result = await phone(
        client, at=MONDAY_ONE_PM, voice_path=bridge.path + "?" + bridge.query
    ).call(from_=LOT, to=AMARTIN, person=referent)
    assert result.connected_to == NURSE
    dial = next(text for _, text in result.documents if "<Dial" in text)
    assert f'callerId="{LOT}"' in dial

    closed = await client.post(
        f"/api/tasks/{task.id}/close", json={"outcome": "reached"}, headers=LOT_KEY
    )
    assert closed.status == 200
    body = await closed.json()
    assert (body["status"], body["outcome"], body["closed_by"]) == ("done", "reached", "amartin")
    assert body["escalated_at"] is not None

    [request], events = await stored(settings)
    assert request.callback_needed is True
    assert [e.kind for e in events if e.kind.startswith("callback")] == [
        "callback-task",
        "callback-escalated",
        "callback-call",
        "callback-dialled",
        "callback-closed",
    ]


async def test_a_missed_call_whose_status_callback_never_came_still_gets_its_task(
    client: TestClient, settings: Settings
) -> None:
    # The first webhook only: the caller hung up and Twilio's status callback was lost.
    await phone(client, at=FRIDAY_EVENING).post(
        "/twilio/voice",
        {
            "CallSid": "CA" + "7" * 32,
            "From": NURSE,
            "To": LOT,
            "CallStatus": "ringing",
            "SimulatedAt": FRIDAY_EVENING.isoformat(),
        },
    )
    assert await tasks(settings) == []

    await create_missing_tasks(JobContext(runtime=client.app[JOB_RUNTIME], slot=MONDAY_NOON))
    await create_missing_tasks(JobContext(runtime=client.app[JOB_RUNTIME], slot=MONDAY_NOON))

    [task] = await tasks(settings)
    assert task.due_at == datetime(2026, 5, 18, 12, 30, tzinfo=PARIS)


async def test_a_task_of_another_department_cannot_be_called_back_or_closed(
    client: TestClient, settings: Settings, twilio_api: FakeTwilioApi
) -> None:
    await place_call(client, at=FRIDAY_EVENING, to=LOT, person=ScriptedPerson([], message="…"))
    [task] = await tasks(settings)
    moselle = {"Authorization": "Bearer key-dac57-dweber"}

    call = await client.post(f"/api/tasks/{task.id}/call", headers=moselle)
    close = await client.post(
        f"/api/tasks/{task.id}/close", json={"outcome": "reached"}, headers=moselle
    )

    assert (call.status, close.status) == (404, 404)
    assert twilio_api.calls == []


async def test_the_api_works_a_task_through_the_request_actions_each_attempt_journaled(
    client: TestClient, settings: Settings, twilio_api: FakeTwilioApi
) -> None:
    await place_call(client, at=FRIDAY_EVENING, to=LOT, person=ScriptedPerson([], message="…"))
    [task] = await tasks(settings)

    closed = await client.post(
        f"/api/tasks/{task.id}/close", json={"outcome": "no_answer"}, headers=LOT_KEY
    )
    again = await client.post(
        f"/api/tasks/{task.id}/close", json={"outcome": "reached"}, headers=LOT_KEY
    )
    call = await client.post(f"/api/tasks/{task.id}/call", headers=LOT_KEY)

    assert closed.status == 200, await closed.text()
    assert (again.status, await again.text()) == (409, "this callback is already closed")
    assert (call.status, await call.text()) == (409, "this callback is already closed")
    assert twilio_api.calls == []
    # The request opened for each, refused ones too, as the API journals its writes.
    assert await audit_rows(settings) == [("clé:amartin", task.request_id, "api_write")] * 3
