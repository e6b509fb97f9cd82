"""A caller from a mobile whose call nobody took hears by SMS, from the department's number,
when she will be called back: once per call, once the call has settled. Whole calls through
the app with signed webhooks; the SMS leaves through the Twilio REST stand-in.

The Lot switches it on (flows/dac46.toml); the Moselle does not.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest
from aiohttp.test_utils import TestClient
from sqlmodel import col, select

from frontdoor.jobs.base import JobContext
from frontdoor.jobs.missed_calls import text_missed_calls
from frontdoor.kit.runtime import JOB_RUNTIME
from frontdoor.phone import Answer, ScriptedPerson
from frontdoor.settings import Settings
from frontdoor.standins.twilio_api import FakeTwilioApi
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.models import Message
from frontdoor.web.job_registry import JOBS
from frontdoor.web.scheduler import run_once
from tests.sms.texting import send
from tests.web.calls import AMARTIN, LOT, MOSELLE, NURSE, PARIS, place_call, stored

TUESDAY_MORNING = datetime(2026, 5, 12, 10, 0, tzinfo=PARIS)  # the Lot is open
FRIDAY_EVENING = datetime(2026, 5, 15, 19, 5, tzinfo=PARIS)  # the Lot is closed
WEDNESDAY_AFTERNOON = datetime(2026, 5, 13, 15, 0, tzinfo=PARIS)  # Moselle: nobody on duty
LANDLINE = "+33565367300"


@pytest.fixture
def app_settings(wired_settings: Settings) -> Settings:
    return wired_settings


async def run_job(client: TestClient, slot: datetime) -> str | None:
    return await text_missed_calls(JobContext(runtime=client.app[JOB_RUNTIME], slot=slot))


def texts_to(twilio_api: FakeTwilioApi, number: str) -> list[dict[str, str]]:
    return [m for m in twilio_api.messages if m["to"] == number]


async def sent_messages(settings: Settings) -> list[Message]:
    engine = create_engine(settings.database_url)
    try:
        async with session_maker(engine)() as session:
            query = select(Message).where(Message.kind == "missed-call").order_by(col(Message.id))
            return list((await session.exec(query)).all())
    finally:
        await engine.dispose()


# Each way a call goes untaken: the outcome it settles to and the deadline the SMS names.
UNTAKEN = [
    pytest.param(TUESDAY_MORNING, ScriptedPerson(["1", "1"], message=None), "abandoned",
                 "aujourd'hui à 14 h", id="missed-referents-did-not-answer-caller-hung-up"),
    pytest.param(TUESDAY_MORNING, ScriptedPerson(["1", "1"], message="Rappelez-moi."),
                 "voicemail", "aujourd'hui à 14 h", id="missed-message-left"),
    pytest.param(TUESDAY_MORNING, ScriptedPerson([None, None]), "abandoned",
                 "aujourd'hui à 14 h", id="abandoned-in-the-menu"),
    pytest.param(FRIDAY_EVENING, ScriptedPerson([], message=None), "closed",
                 "lundi 18 mai à 12 h 30", id="closed-line"),
]  # fmt: skip


@pytest.mark.parametrize(("at", "person", "outcome", "when"), UNTAKEN)
async def test_a_call_nobody_took_gets_one_sms_saying_when_it_will_be_called_back(
    client: TestClient,
    settings: Settings,
    twilio_api: FakeTwilioApi,
    at: datetime,
    person: ScriptedPerson,
    outcome: str,
    when: str,
) -> None:
    await place_call(client, at=at, to=LOT, person=person)
    [request], _ = await stored(settings)
    assert request.outcome == outcome

    # Twilio's callbacks may still come: nothing yet; then once, however often the job runs.
    await run_job(client, at + timedelta(minutes=1))
    assert texts_to(twilio_api, NURSE) == []
    await run_job(client, at + timedelta(minutes=3))
    await run_job(client, at + timedelta(minutes=4))

    [sms] = texts_to(twilio_api, NURSE)
    assert sms["from"] == LOT
    assert sms["body"] == (
        f"DAC du Lot : nous avons manqué votre appel. Un référent vous rappelle au plus tard "
        f"{when}. Urgence vitale : 15 ou 112 (114 par SMS)."
    )
    # Recorded on the request as an outgoing message, as every SMS sent.
    [message] = await sent_messages(settings)
    assert (message.request_id, message.direction, message.channel) == (request.id, "out", "sms")
    assert (message.provider_id, message.status, message.body) == (
        sms["sid"], "sent", sms["body"],
    )  # fmt: skip
    _, events = await stored(settings)
    [decided] = [e for e in events if e.kind == "missed-call-sms"]
    assert [r["code"] for r in decided.reasons] == ["missed-call-sms"]


async def test_a_call_taken_gets_no_sms(
    client: TestClient, settings: Settings, twilio_api: FakeTwilioApi
) -> None:
    person = ScriptedPerson(["1", "1"], referents={AMARTIN: Answer(presses="1")})

    result = await place_call(client, at=TUESDAY_MORNING, to=LOT, person=person)
    await run_job(client, TUESDAY_MORNING + timedelta(minutes=3))

    assert result.connected_to == AMARTIN
    assert texts_to(twilio_api, NURSE) == []
    assert await sent_messages(settings) == []


@pytest.mark.parametrize(
    ("caller", "rule"),
    [
        pytest.param("anonymous", None, id="withheld-no-task-nothing-to-decide"),
        pytest.param(LANDLINE, "not-a-mobile", id="landline"),
    ],
)
async def test_no_sms_to_a_withheld_number_or_a_landline(
    client: TestClient,
    settings: Settings,
    twilio_api: FakeTwilioApi,
    caller: str,
    rule: str | None,
) -> None:
    person = ScriptedPerson([], message=None)

    await place_call(client, at=FRIDAY_EVENING, to=LOT, person=person, from_=caller)
    await run_job(client, FRIDAY_EVENING + timedelta(minutes=3))

    assert texts_to(twilio_api, caller) == []
    assert await sent_messages(settings) == []
    _, events = await stored(settings)
    decided = [e for e in events if e.kind == "missed-call-sms"]
    assert [r["code"] for e in decided for r in e.reasons] == ([rule] if rule else [])


async def test_no_sms_to_a_number_that_said_stop(
    client: TestClient, settings: Settings, twilio_api: FakeTwilioApi
) -> None:
    await send(client, "STOP", at=FRIDAY_EVENING - timedelta(days=1))

    await place_call(client, at=FRIDAY_EVENING, to=LOT, person=ScriptedPerson([], message=None))
    await run_job(client, FRIDAY_EVENING + timedelta(minutes=3))

    assert texts_to(twilio_api, NURSE) == []
    _, events = await stored(settings)
    [decided] = [e for e in events if e.kind == "missed-call-sms"]
    assert [r["code"] for r in decided.reasons] == ["opted-out"]


async def test_no_sms_where_the_department_has_not_switched_it_on(
    client: TestClient, settings: Settings, twilio_api: FakeTwilioApi
) -> None:
    person = ScriptedPerson(["1", "1"], message=None)

    await place_call(client, at=WEDNESDAY_AFTERNOON, to=MOSELLE, person=person)
    await run_job(client, WEDNESDAY_AFTERNOON + timedelta(minutes=3))

    [request], events = await stored(settings)
    assert request.outcome == "abandoned"
    assert texts_to(twilio_api, NURSE) == []
    assert [e for e in events if e.kind == "missed-call-sms"] == []


async def test_a_call_whose_sms_did_not_leave_is_not_sent_twice(
    client: TestClient, settings: Settings, twilio_api: FakeTwilioApi
) -> None:
    await place_call(client, at=FRIDAY_EVENING, to=LOT, person=ScriptedPerson([], message=None))
    twilio_api.fail_next()

    detail = await run_job(client, FRIDAY_EVENING + timedelta(minutes=3))
    await run_job(client, FRIDAY_EVENING + timedelta(minutes=4))

    assert detail == "0 SMS sent, 1 not delivered, 0 not owed"
    assert texts_to(twilio_api, NURSE) == []
    [message] = await sent_messages(settings)
    assert message.status == "failed"


async def test_two_instances_firing_the_same_minutes_send_it_once(
    client: TestClient, settings: Settings, twilio_api: FakeTwilioApi
) -> None:
    [job] = [job for job in JOBS if job.name == "missed-call-sms"]
    await place_call(client, at=FRIDAY_EVENING, to=LOT, person=ScriptedPerson([], message=None))
    slot = FRIDAY_EVENING + timedelta(minutes=3)

    ran = await asyncio.gather(
        run_once(client.app, job, slot=slot, instance="instance-a"),
        run_once(client.app, job, slot=slot, instance="instance-b"),
    )
    await run_once(client.app, job, slot=slot + timedelta(minutes=1), instance="instance-b")

    assert sorted(ran) == [False, True]
    assert len(texts_to(twilio_api, NURSE)) == 1
