"""A failed job is kept by its kinds and codes, never by its message (frontdoor.core.failures): a
job failing on exceptions that quote a caller's number, a patient's name and INS leaves none of
them in job_runs, in the metrics or in the log. On SQLite and (with
FRONTDOOR_TEST_POSTGRES_URL) PostgreSQL. Twilio's refusals: tests/sms/test_sms_conversation.py;
SMTP's: tests/mailbox/test_outbox.py."""

from __future__ import annotations

from datetime import UTC, datetime

from frontdoor.departments import Departments
from frontdoor.jobs.base import Job, JobContext
from frontdoor.outbound.errors import OutboundError
from frontdoor.settings import Settings
from frontdoor.store.db import create_engine
from frontdoor.web.app import create_app
from frontdoor.web.job_registry import SCHEDULED_JOBS
from frontdoor.web.scheduler import run_once
from tests.jobs.runs import job_runs
from tests.service_log import service_log_at
from tests.web.metrics import scrape

NUMBER = "+33612345678"
NAME = "Jeanne Dupont"
INS = "241034604200192"
# What must appear nowhere, however it is written.
SECRETS = (NUMBER, "612345678", "06 12 34 56 78", NAME, "Dupont", INS, "2 41 03 46 042 001 92")
SLOT = datetime(2026, 5, 12, 8, 0, tzinfo=UTC)


def none_of_the_secrets_in(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


def quoting(kind: type[Exception]) -> Exception:
    """An exception of `kind` whose message quotes a number, a name and an INS, as a parser's
    ValueError or a provider's error does."""
    return kind(f"no such caller {NUMBER} ({NAME}, INS {INS}, 06 12 34 56 78)\nmore: {NAME}")


async def test_a_job_failing_on_a_message_full_of_data_keeps_its_kinds_alone(
    aiohttp_client: object,
    settings: Settings,
    departments: Departments,
) -> None:
    service_log = service_log_at("DEBUG")

    async def broken(_ctx: JobContext) -> str:
        try:
            raise quoting(ValueError)
        except ValueError as error:
            raise quoting(OutboundError) from error

    app = create_app(settings, departments)
    app[SCHEDULED_JOBS] = (
        Job(name="broken-job", description="Fails.", crontab="* * * * *", run=broken),
    )
    client = await aiohttp_client(app)  # type: ignore[operator]

    assert await run_once(app, app[SCHEDULED_JOBS][0], slot=SLOT, instance="test")

    engine = create_engine(settings.database_url)
    try:
        [run] = await job_runs(engine)
    finally:
        await engine.dispose()
    assert (run.ok, run.detail) == (False, "OutboundError ← ValueError")
    none_of_the_secrets_in(await scrape(client))
    none_of_the_secrets_in(service_log())
    assert "broken-job" in service_log()
