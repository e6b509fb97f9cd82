"""The scheduled `mailbox-poll` job: every department's mailbox read through the running app,
the referents on duty told by SMS without the mail's content."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from frontdoor.core.department import Department
from frontdoor.departments import Departments
from frontdoor.jobs.base import JobContext
from frontdoor.keys import STORE_COPIES, Clock
from frontdoor.kit.runtime import JOB_RUNTIME
from frontdoor.mailbox.imap import internal_date
from frontdoor.mailbox.job import imap_session, mailbox_job
from frontdoor.settings import Settings
from frontdoor.standins.smtp import SmtpRecorder
from frontdoor.standins.twilio_api import FakeTwilioApi
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.models import KnownContact
from frontdoor.web.app import create_app
from tests.mailbox.delivered import deliver, mail
from tests.web.calls import AMARTIN, BLEROY, PARIS, stored
from tests.web.metrics import scrape, value

TUESDAY_MORNING = datetime(2026, 5, 12, 10, 0, tzinfo=PARIS)


@pytest.fixture
def settings(wired_settings: Settings, tmp_path: Path) -> Settings:
    return wired_settings.model_copy(update={"mail_attachments_dir": tmp_path / "files"})


@pytest.fixture
def app_settings(settings: Settings) -> Settings:
    return settings


@pytest.fixture
def app_clock() -> Clock:
    """A Tuesday morning."""
    return lambda: TUESDAY_MORNING


async def test_the_job_takes_in_each_mailbox_and_tells_the_referents_on_duty(
    client: TestClient,
    settings: Settings,
    mail_department: Department,
    smtp_mtls: SmtpRecorder,
    twilio_api: FakeTwilioApi,
) -> None:
    await deliver(mail_department, mail(1))

    first = await mailbox_job(JobContext(runtime=client.app[JOB_RUNTIME], slot=TUESDAY_MORNING))
    again = await mailbox_job(JobContext(runtime=client.app[JOB_RUNTIME], slot=TUESDAY_MORNING))

    assert first == "1 taken, 0 already taken, 0 parked, 1 acknowledged"
    assert again.startswith("0 taken")
    [request], _ = await stored(settings)
    assert (request.channel, request.referrer_type) == ("mail", "hospital")
    [acknowledgement] = smtp_mtls.mails
    assert acknowledgement.rcpt_tos == ["dr.roux@chu-toulouse.fr"]
    told = {m["to"]: m["body"] for m in twilio_api.messages}
    assert set(told) == {AMARTIN, BLEROY}
    assert all("SSIAD" not in body and "Mme X" not in body for body in told.values())


async def test_a_referent_answers_by_mail_threaded_under_the_request(
    client: TestClient,
    settings: Settings,
    mail_department: Department,
    smtp_mtls: SmtpRecorder,
) -> None:
    await deliver(mail_department, mail(1))
    await mailbox_job(JobContext(runtime=client.app[JOB_RUNTIME], slot=TUESDAY_MORNING))
    [request], _ = await stored(settings)

    response = await client.post(
        f"/api/requests/{request.id}/mail",
        json={"body": "Bonjour Docteur, le SSIAD du Pays de Figeac peut passer vendredi."},
        headers={"Authorization": "Bearer key-dac46-amartin"},
    )
    refused = await client.post(
        f"/api/requests/{request.id}/mail",
        json={"body": "…"},
        headers={"Authorization": "Bearer key-dac57-dweber"},
    )

    assert response.status == 201
    assert refused.status == 404  # another department's request
    acknowledgement, answer = smtp_mtls.mails
    assert answer.rcpt_tos == ["dr.roux@chu-toulouse.fr"]
    assert answer.message["In-Reply-To"] == "<m1@chu-toulouse.fr>"
    assert answer.message["Auto-Submitted"] == "no"  # a person's answer, not an automatic one
    assert f"[DAC46-{request.id}]" in answer.message["Subject"]
    assert acknowledgement.message["Message-ID"] in answer.message["References"]
    [request], events = await stored(settings)
    assert events[-1].kind == "mail-answer"
    assert events[-1].referent_id == "amartin"


async def test_a_known_address_gives_the_referrer_type_of_its_contact(
    client: TestClient,
    settings: Settings,
    mail_department: Department,
    smtp_mtls: SmtpRecorder,
) -> None:
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        session.add(KnownContact(department="dac46", address="dr.roux@chu-toulouse.fr",
                                 name="Dr Roux", referrer_type="specialist"))  # fmt: skip
        await session.commit()
    await engine.dispose()
    await client.app[STORE_COPIES].refresh()
    await deliver(mail_department, mail(1))

    await mailbox_job(JobContext(runtime=client.app[JOB_RUNTIME], slot=TUESDAY_MORNING))

    [request], _ = await stored(settings)
    assert (request.referrer_type, request.referrer_source) == ("specialist", "known_contact")


async def test_a_burst_larger_than_a_batch_is_read_in_one_run(
    aiohttp_client: object,
    settings: Settings,
    departments: Departments,
    mail_department: Department,
    smtp_mtls: SmtpRecorder,
) -> None:
    served = Departments(mail_department if d.slug == "dac46" else d for d in departments)
    app = create_app(settings.model_copy(update={"mail_poll_batch": 2}), served,
                     clock=lambda: TUESDAY_MORNING)  # fmt: skip
    client = await aiohttp_client(app)  # type: ignore[operator]
    await deliver(mail_department, *(mail(n, sender=f"p{n}@chu-toulouse.fr") for n in range(5)))

    summary = await mailbox_job(JobContext(runtime=client.app[JOB_RUNTIME], slot=TUESDAY_MORNING))

    assert summary == "5 taken, 0 already taken, 0 parked, 5 acknowledged"


async def test_the_intake_lag_of_a_mail_runs_from_its_arrival_in_the_mailbox(
    client: TestClient, mail_department: Department
) -> None:
    mailbox = mail_department.mailbox
    assert mailbox is not None
    async with imap_session(mail_department, mailbox) as box:
        # The server received it 90 s before the job's run: its INTERNALDATE.
        await box.append(mail(1), arrived=TUESDAY_MORNING - timedelta(seconds=90))
    lag = "frontdoor_mail_intake_lag_seconds"
    assert value(await scrape(client), f"{lag}_count") == 0

    await mailbox_job(JobContext(runtime=client.app[JOB_RUNTIME], slot=TUESDAY_MORNING))

    page = await scrape(client)
    assert (value(page, f"{lag}_count"), value(page, f"{lag}_sum")) == (1, 90)
    assert value(page, f"{lag}_bucket", le="60.0") == 0
    assert value(page, f"{lag}_bucket", le="120.0") == 1


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        pytest.param(
            b'* 3 FETCH (UID 7 RFC822.SIZE 812 INTERNALDATE "12-May-2026 09:58:30 +0200")',
            datetime(2026, 5, 12, 9, 58, 30, tzinfo=PARIS),
            id="dovecot",
        ),
        pytest.param(
            b'* 1 FETCH (INTERNALDATE " 2-Dec-2026 15:04:05 -0000" UID 9 RFC822.SIZE 1)',
            datetime(2026, 12, 2, 15, 4, 5, tzinfo=UTC),
            id="day-padded-with-a-space",
        ),
        pytest.param(b"* 1 FETCH (UID 9 RFC822.SIZE 1)", None, id="none-given"),
        pytest.param(b'* 1 FETCH (INTERNALDATE "yesterday")', None, id="unreadable"),
    ],
)
def test_the_arrival_of_a_mail_is_read_from_its_internaldate(
    line: bytes, expected: datetime | None
) -> None:
    assert internal_date(line) == expected
