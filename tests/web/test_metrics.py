"""/metrics: what an operator's Prometheus reads, and who may read it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from aiohttp.test_utils import TestClient
from pydantic import SecretStr
from twilio.request_validator import RequestValidator

from frontdoor.departments import Departments
from frontdoor.jobs.base import Job, JobContext
from frontdoor.phone import Answer, ScriptedPerson
from frontdoor.settings import Settings
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.models import CallbackTaskRow, Request
from frontdoor.web.app import create_app
from frontdoor.web.job_registry import SCHEDULED_JOBS
from frontdoor.web.scheduler import run_once
from tests.web.calls import AMARTIN, LOT, NURSE, TUESDAY_MORNING, place_call
from tests.web.metrics import scrape, value

# The service's clock an hour after the calls placed at TUESDAY_MORNING (simulated time).
AN_HOUR_LATER = TUESDAY_MORNING.astimezone(UTC) + timedelta(hours=1)
UNREACHABLE = "postgresql+asyncpg://frontdoor@127.0.0.1:1/frontdoor"


@pytest.fixture
async def clocked(
    aiohttp_client: object, settings: Settings, departments: Departments
) -> TestClient:
    """The app with its clock an hour after TUESDAY_MORNING."""
    app = create_app(settings, departments, clock=lambda: AN_HOUR_LATER)
    return await aiohttp_client(app)  # type: ignore[operator]


async def test_a_whole_call_shows_in_latency_by_route_and_in_calls_by_outcome(
    clocked: TestClient,
) -> None:
    person = ScriptedPerson(["2"], referents={AMARTIN: Answer(presses="1")})  # a patient
    await place_call(clocked, at=TUESDAY_MORNING, to=LOT, person=person)

    page = await scrape(clocked)

    count = "frontdoor_http_request_duration_seconds_count"
    assert value(page, count, method="POST", route="/twilio/voice") == 1
    assert value(page, count, method="POST", route="/twilio/voice/status") == 1
    assert value(page, "frontdoor_calls_last_24h", department="dac46", outcome="taken") == 1
    assert value(page, "frontdoor_store_up") == 1


async def test_refused_signatures_and_degraded_answers_are_counted(clocked: TestClient) -> None:
    before = await scrape(clocked)
    form = {"CallSid": "CA" + "1" * 32, "From": NURSE, "To": LOT}
    forged = RequestValidator("not-the-token").compute_signature(
        "https://frontdoor.example.org/twilio/voice", form
    )
    await clocked.post("/twilio/voice", data=form, headers={"X-Twilio-Signature": forged})

    after = await scrape(clocked)

    assert value(before, "frontdoor_webhook_signature_refused_total") == 0
    assert value(before, "frontdoor_webhook_degraded_total") == 0
    assert value(after, "frontdoor_webhook_signature_refused_total") == 1


async def test_overdue_callback_tasks_are_read_from_the_store_by_department(
    clocked: TestClient, settings: Settings
) -> None:
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        for due_at, status in [
            (AN_HOUR_LATER - timedelta(minutes=5), "open"),  # overdue
            (AN_HOUR_LATER + timedelta(hours=2), "open"),  # not yet due
            (AN_HOUR_LATER - timedelta(hours=3), "closed"),  # late, but done
        ]:
            request = Request(
                department="dac46", channel="voice", received_at=AN_HOUR_LATER - timedelta(days=1)
            )
            session.add(request)
            await session.flush()
            assert request.id is not None
            session.add(
                CallbackTaskRow(
                    request_id=request.id,
                    department="dac46",
                    created_at=request.received_at,
                    due_at=due_at,
                    status=status,
                )  # fmt: skip
            )
        await session.commit()
    await engine.dispose()

    page = await scrape(clocked)

    assert value(page, "frontdoor_callback_tasks_overdue", department="dac46") == 1
    assert value(page, "frontdoor_callback_tasks_overdue", department="dac57") == 0


async def test_job_runs_and_failures_are_counted_in_the_instance_that_ran_them(
    aiohttp_client: object, settings: Settings, departments: Departments
) -> None:
    async def fine(_ctx: JobContext) -> str:
        return "done"

    async def broken(_ctx: JobContext) -> str:
        raise RuntimeError("the job's own error")

    app = create_app(settings, departments)
    app[SCHEDULED_JOBS] = (
        Job(name="fine-job", description="Works.", crontab="* * * * *", run=fine),
        Job(name="broken-job", description="Fails.", crontab="* * * * *", run=broken),
    )
    client = await aiohttp_client(app)  # type: ignore[operator]
    slot = datetime(2026, 5, 12, 8, 0, tzinfo=UTC)
    for job in app[SCHEDULED_JOBS]:  # as the scheduler runs them, slot claimed in job_runs
        assert await run_once(app, job, slot=slot, instance="test")
        # Another instance's claim of the same slot: not run here, not counted.
        assert not await run_once(app, job, slot=slot, instance="test")

    page = await scrape(client)

    assert value(page, "frontdoor_job_runs_total", job="fine-job") == 1
    assert value(page, "frontdoor_job_failures_total", job="fine-job") == 0
    assert value(page, "frontdoor_job_runs_total", job="broken-job") == 1
    assert value(page, "frontdoor_job_failures_total", job="broken-job") == 1


async def test_with_the_store_down_a_scrape_still_answers_and_says_so(
    aiohttp_client: object, settings: Settings, departments: Departments
) -> None:
    app = create_app(settings.model_copy(update={"database_url": UNREACHABLE}), departments)
    client = await aiohttp_client(app)  # type: ignore[operator]

    page = await scrape(client)

    assert value(page, "frontdoor_store_up") == 0
    assert value(page, "frontdoor_callback_tasks_overdue", department="dac46") is None


async def test_without_a_token_only_loopback_not_through_a_proxy_may_read(
    client: TestClient,
) -> None:
    direct = await client.get("/metrics")
    proxied = await client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.7"})

    assert direct.status == 200
    assert proxied.status == 403


async def test_with_a_token_only_its_bearer_may_read(
    aiohttp_client: object, settings: Settings, departments: Departments
) -> None:
    guarded = settings.model_copy(update={"metrics_token": SecretStr("scrape-token-0123")})
    client = await aiohttp_client(create_app(guarded, departments))  # type: ignore[operator]

    without = await client.get("/metrics")
    wrong = await client.get("/metrics", headers={"Authorization": "Bearer guess"})
    right = await client.get("/metrics", headers={"Authorization": "Bearer scrape-token-0123"})

    assert (without.status, wrong.status, right.status) == (403, 403, 200)


async def test_metrics_carry_no_personal_data(clocked: TestClient) -> None:
    person = ScriptedPerson(["1", "5"], message="Rappelez Madame Durand au 06 11 22 33 44")
    call = await place_call(clocked, at=TUESDAY_MORNING, to=LOT, person=person, from_=NURSE)

    page = await scrape(clocked)

    assert value(page, "frontdoor_calls_last_24h", department="dac46", outcome="voicemail") == 1
    for personal in (NURSE, NURSE[1:], "611223344", "Durand", "Rappelez", call.call_sid):
        assert personal not in page
