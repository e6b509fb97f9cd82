"""Twilio's own records of a person's calls and SMS go with her: an erasure, or the retention
purge, queues every Call and Message SID the store knows for the requests it reaches, in its
own transaction, and the twilio-records-deletion job deletes them at Twilio through the
department's account. A record Twilio no longer has counts as deleted; one it cannot delete
yet (a call in progress), or a Twilio in error or away, is tried again later and nothing is
lost; after the last try it is given up and left, visible, for the operator. The queue and
the logs hold no number and no text."""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import inspect
from sqlmodel import col, select

from frontdoor.core.provider_records import MAX_ATTEMPTS, RETRY_FIRST
from frontdoor.jobs.base import JobContext
from frontdoor.jobs.provider_records import delete_provider_records
from frontdoor.jobs.retention import purge_expired
from frontdoor.keys import Clock
from frontdoor.kit.runtime import JOB_RUNTIME
from frontdoor.settings import Settings
from frontdoor.standins.twilio_api import FakeTwilioApi
from frontdoor.store.erasure import forget_call_metadata
from frontdoor.store.models import Message, ProviderDeletion, Request, RequestEvent
from frontdoor.store.persons import held_under
from tests.console.conftest import LOT_COORDINATOR, Browser, create_accounts, sign_in
from tests.console.requests_made import a_call
from tests.sms.texting import replied, send
from tests.web.calls import NURSE, TUESDAY_MORNING

SMS_TEXT = "Ma patiente sort de la clinique jeudi"
ANSWER = "Bonjour, le SSIAD passera vendredi"
LOT_KEY = {"Authorization": "Bearer key-dac46-amartin"}
AFTER_THE_ERASURE = TUESDAY_MORNING + timedelta(days=1)
YEARS_LATER = TUESDAY_MORNING + timedelta(days=3 * 365)


@pytest.fixture
async def app_settings(wired_settings: Settings) -> Settings:
    await create_accounts(wired_settings)
    return wired_settings


@pytest.fixture
def app_clock() -> Clock:
    """The morning of the calls: the erasure happens then too."""
    return lambda: TUESDAY_MORNING


async def the_nurse_calls_and_texts(client: TestClient) -> None:
    """A call taken by a referent (her leg dialed), an SMS, and a referent's SMS answer."""
    await a_call(client, _settings(client))
    replied(await send(client, SMS_TEXT, at=TUESDAY_MORNING + timedelta(minutes=5)))
    [sms] = [r for r in await _all(client, Request) if r.channel == "sms"]
    answered = await client.post(f"/api/requests/{sms.id}/sms", json={"body": ANSWER},
                                 headers=LOT_KEY)  # fmt: skip
    assert answered.status == 201, await answered.text()


def _settings(client: TestClient) -> Settings:
    return client.app[JOB_RUNTIME].settings


async def _all(client: TestClient, model: type) -> list:  # type: ignore[type-arg]
    async with client.app[JOB_RUNTIME].sessions() as session:
        return list((await session.exec(select(model).order_by(col(model.id)))).all())  # type: ignore[attr-defined]


async def sids_known(client: TestClient) -> tuple[set[str], set[str]]:
    """(Call SIDs, Message SIDs) the store holds: of the requests, their legs, their SMS."""
    requests = await _all(client, Request)
    events = await _all(client, RequestEvent)
    messages = await _all(client, Message)
    found = (
        {r.call_sid for r in requests}
        | {e.leg_sid for e in events}
        | {m.provider_id for m in messages if m.channel == "sms"}
    )
    return ({s for s in found if s and s.startswith("CA")},
            {s for s in found if s and s.startswith("SM")})  # fmt: skip


async def queued(client: TestClient) -> list[ProviderDeletion]:
    return await _all(client, ProviderDeletion)


async def erase_the_nurse(client: TestClient) -> None:
    coordinator: Browser = await sign_in(client, LOT_COORDINATOR)
    page = await coordinator.post("/console/personnes?departement=dac46", {"numero": NURSE})
    [digest] = re.findall(r'name="empreinte" value="([0-9a-f]+)"', await page.text())
    erased = await coordinator.post(
        "/console/personnes/effacement?departement=dac46",
        {"numero": NURSE, "confirmation": "EFFACER", "empreinte": digest},
    )
    assert erased.status == 303


async def run_job(client: TestClient, at: datetime) -> str:
    """The twilio-records-deletion job's run for the slot `at`."""
    return await delete_provider_records(JobContext(runtime=client.app[JOB_RUNTIME], slot=at))


async def test_an_erasure_queues_every_call_and_sms_of_the_person_and_the_job_deletes_them(
    client: TestClient, twilio_api: FakeTwilioApi
) -> None:
    await the_nurse_calls_and_texts(client)
    calls, messages = await sids_known(client)
    assert len(calls) >= 2  # her call, and the leg dialed to the referent who took it
    assert len(messages) == 2  # her SMS, the referent's answer

    await erase_the_nurse(client)

    waiting = await queued(client)
    assert {(row.kind, row.sid) for row in waiting} == {
        *(("call", sid) for sid in calls),
        *(("message", sid) for sid in messages),
    }
    assert {(row.department, row.attempts, row.given_up_at) for row in waiting} == {
        ("dac46", 0, None)
    }
    assert twilio_api.deleted_calls == twilio_api.deleted_messages == []  # the job's to do

    detail = await run_job(client, AFTER_THE_ERASURE)

    assert detail == (
        f"{len(calls) + 2} record(s) deleted at Twilio, 0 already gone, 0 to retry, 0 given up"
    )
    assert set(twilio_api.deleted_calls) == calls
    assert set(twilio_api.deleted_messages) == messages
    assert {r.path.split("/Accounts/")[1].split("/")[0] for r in twilio_api.requests
            if r.method == "DELETE"} == {twilio_api.account_sid}  # fmt: skip
    assert await queued(client) == []


async def test_a_record_twilio_no_longer_has_counts_as_deleted(
    client: TestClient, twilio_api: FakeTwilioApi
) -> None:
    await the_nurse_calls_and_texts(client)
    calls, _messages = await sids_known(client)
    gone = sorted(calls)[0]
    twilio_api.forget_record(gone)  # deleted in Twilio's console, say
    await erase_the_nurse(client)

    detail = await run_job(client, AFTER_THE_ERASURE)

    assert ", 1 already gone, 0 to retry, 0 given up" in detail
    assert gone not in twilio_api.deleted_calls
    assert await queued(client) == []


async def test_twilio_in_error_then_away_loses_nothing_and_the_next_tries_delete_all(
    client: TestClient, twilio_api: FakeTwilioApi
) -> None:
    await the_nurse_calls_and_texts(client)
    calls, messages = await sids_known(client)
    await erase_the_nurse(client)
    total = len(calls) + len(messages)
    twilio_api.fail_next(status=503)

    in_error = await run_job(client, AFTER_THE_ERASURE)
    [refused] = [row for row in await queued(client) if row.attempts]
    port = int(twilio_api.base_url.rsplit(":", 1)[1])
    await twilio_api.close()
    away = await run_job(client, AFTER_THE_ERASURE + RETRY_FIRST)
    waiting = await queued(client)
    await twilio_api.start(port=port)
    too_soon = await run_job(client, AFTER_THE_ERASURE + RETRY_FIRST + timedelta(minutes=1))
    back = await run_job(client, AFTER_THE_ERASURE + timedelta(hours=1))

    assert (
        in_error
        == f"{total - 1} record(s) deleted at Twilio, 0 already gone, 1 to retry, 0 given up"
    )
    assert refused.last_error == "TwilioRestException (HTTP 503, Twilio 20503)"
    assert refused.next_attempt_at == AFTER_THE_ERASURE + RETRY_FIRST
    assert away == "0 record(s) deleted at Twilio, 0 already gone, 1 to retry, 0 given up"
    assert [(row.sid, row.attempts) for row in waiting] == [(refused.sid, 2)]
    assert (waiting[0].last_error or "").startswith("ClientConnectorError")  # not reached
    assert waiting[0].next_attempt_at == AFTER_THE_ERASURE + 3 * RETRY_FIRST  # 5 then 10 min
    assert too_soon.startswith("0 record(s) deleted")  # not due yet
    assert back == "1 record(s) deleted at Twilio, 0 already gone, 0 to retry, 0 given up"
    assert set(twilio_api.deleted_calls) | set(twilio_api.deleted_messages) == calls | messages
    assert await queued(client) == []


async def test_a_call_still_in_progress_is_deleted_once_it_has_ended(
    client: TestClient, twilio_api: FakeTwilioApi
) -> None:
    await the_nurse_calls_and_texts(client)
    calls, _messages = await sids_known(client)
    live = sorted(calls)[0]
    twilio_api.still_in_progress.add(live)
    await erase_the_nurse(client)

    first = await run_job(client, AFTER_THE_ERASURE)
    [waiting] = await queued(client)
    twilio_api.still_in_progress.clear()  # the call ended
    second = await run_job(client, AFTER_THE_ERASURE + RETRY_FIRST)

    assert first.endswith("0 already gone, 1 to retry, 0 given up")
    assert (waiting.sid, waiting.last_error) == (
        live,
        "TwilioRestException (HTTP 409, Twilio 20009)",
    )
    assert second.startswith("1 record(s) deleted")
    assert live in twilio_api.deleted_calls
    assert await queued(client) == []


async def test_after_the_last_try_the_deletion_is_given_up_and_left_for_the_operator(
    client: TestClient, twilio_api: FakeTwilioApi, caplog: pytest.LogCaptureFixture
) -> None:
    await the_nurse_calls_and_texts(client)
    calls, _messages = await sids_known(client)
    stuck = sorted(calls)[0]
    twilio_api.still_in_progress.add(stuck)
    await erase_the_nurse(client)
    async with client.app[JOB_RUNTIME].sessions() as session:
        row = (await session.exec(select(ProviderDeletion).where(
            ProviderDeletion.sid == stuck))).one()  # fmt: skip
        row.attempts = MAX_ATTEMPTS - 1  # tried for about 16 days already
        session.add(row)
        await session.commit()

    detail = await run_job(client, AFTER_THE_ERASURE)
    again = await run_job(client, AFTER_THE_ERASURE + timedelta(days=30))
    metrics = await (await client.get("/metrics")).text()

    assert detail.endswith("0 to retry, 1 given up")
    [kept] = await queued(client)
    assert (kept.sid, kept.attempts) == (stuck, MAX_ATTEMPTS)
    assert kept.given_up_at == AFTER_THE_ERASURE
    assert again.startswith("0 record(s) deleted")  # no longer tried
    assert 'frontdoor_twilio_deletions_given_up{department="dac46"} 1.0' in metrics
    assert 'frontdoor_twilio_deletions_given_up{department="dac57"} 0.0' in metrics
    [given_up] = [r for r in caplog.records if r.name == "frontdoor.jobs.provider_records"
                  and r.levelno == logging.ERROR]  # fmt: skip
    assert "laissé à l'exploitant" in given_up.getMessage()


async def test_the_retention_purge_queues_the_calls_and_sms_it_reaches_and_the_job_deletes_them(
    client: TestClient, twilio_api: FakeTwilioApi
) -> None:
    await the_nurse_calls_and_texts(client)
    calls, messages = await sids_known(client)

    await purge_expired(JobContext(runtime=client.app[JOB_RUNTIME], slot=YEARS_LATER))
    waiting = await queued(client)
    detail = await run_job(client, YEARS_LATER)

    assert {row.sid for row in waiting} == calls | messages
    assert detail.startswith(f"{len(calls) + len(messages)} record(s) deleted at Twilio")
    assert set(twilio_api.deleted_calls) == calls
    assert set(twilio_api.deleted_messages) == messages
    assert await queued(client) == []


async def test_a_purge_that_does_not_commit_queues_nothing(
    client: TestClient, twilio_api: FakeTwilioApi
) -> None:
    await the_nurse_calls_and_texts(client)
    runtime = client.app[JOB_RUNTIME]
    async with runtime.sessions() as session:
        requests = list((await session.exec(select(Request))).all())
        held = await held_under(session=session, department="dac46", requests=requests)
        await forget_call_metadata(session=session, held=held, key=b"k", now=YEARS_LATER)
        await session.rollback()  # the numbers stay: so do Twilio's records

    assert await queued(client) == []
    assert [r.caller_number for r in await _all(client, Request)] == [NURSE, NURSE]


async def test_neither_the_queue_nor_the_logs_hold_a_number_or_a_text(
    client: TestClient, twilio_api: FakeTwilioApi, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="frontdoor")
    await the_nurse_calls_and_texts(client)
    await erase_the_nurse(client)
    twilio_api.fail_next(status=400, code=21211, message=f"Invalid 'To' number {NURSE}")

    await run_job(client, AFTER_THE_ERASURE)

    engine = client.app[JOB_RUNTIME].engine
    async with engine.connect() as connection:
        columns = await connection.run_sync(
            lambda sync: [c["name"] for c in inspect(sync).get_columns("provider_deletions")]
        )
    assert sorted(columns) == ["attempts", "department", "given_up_at", "id", "kind",
                               "last_error", "next_attempt_at", "queued_at", "sid"]  # fmt: skip
    stored = " ".join(
        str(value) for row in await queued(client) for value in row.model_dump().values()
    )
    said = " ".join(r.getMessage() for r in caplog.records if r.name.startswith("frontdoor.jobs"))
    for personal in (NURSE, NURSE.removeprefix("+"), "0611223344", SMS_TEXT, ANSWER):
        assert personal not in stored
        assert personal not in said
    assert "HTTP 400, Twilio 21211" in stored
