"""A flood of mails from many senders: every mail taken in as its own request, the referents on
duty told by SMS within the budget they share with every other notice (core.notice_budget),
then once in a summary; a department whose notices go to one address by mail gets the same."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from frontdoor.core.department import Department
from frontdoor.core.notice_budget import NOTICES
from frontdoor.jobs.base import JobContext
from frontdoor.jobs.notice_summaries import send_notice_summaries
from frontdoor.keys import Clock
from frontdoor.kit.runtime import JOB_RUNTIME
from frontdoor.mailbox.intake import Notice
from frontdoor.mailbox.job import (
    department_mailer,
    mailbox_job,
    notify_referents,
    send_mail_summaries,
)
from frontdoor.settings import Settings
from frontdoor.standins.smtp import SmtpRecorder
from frontdoor.standins.twilio_api import FakeTwilioApi
from tests.mailbox.delivered import deliver, mail
from tests.web.calls import AMARTIN, BLEROY, PARIS, stored

TUESDAY_MORNING = datetime(2026, 5, 12, 10, 0, tzinfo=PARIS)
MAILS = 10


class MovingClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def settings(wired_settings: Settings, tmp_path: Path) -> Settings:
    return wired_settings.model_copy(update={"mail_attachments_dir": tmp_path / "files"})


@pytest.fixture
def app_settings(settings: Settings) -> Settings:
    return settings


@pytest.fixture
def clock() -> MovingClock:
    return MovingClock(TUESDAY_MORNING)


@pytest.fixture
def app_clock(clock: MovingClock) -> Clock:
    return clock


async def test_a_flood_of_mails_is_all_taken_in_and_each_referent_told_within_budget(
    client: TestClient,
    settings: Settings,
    mail_department: Department,
    smtp_mtls: SmtpRecorder,
    twilio_api: FakeTwilioApi,
) -> None:
    await deliver(mail_department, *(mail(i, sender=f"dr{i}@chu-toulouse.fr")
                                     for i in range(MAILS)))  # fmt: skip
    runtime = client.app[JOB_RUNTIME]

    report = await mailbox_job(JobContext(runtime=runtime, slot=TUESDAY_MORNING))

    assert report.startswith(f"{MAILS} taken")
    requests, events = await stored(settings)
    assert len(requests) == MAILS
    for referent in (AMARTIN, BLEROY):
        told = [m["body"] for m in twilio_api.messages if m["to"] == referent]
        assert len(told) == NOTICES.limit
        assert all("nouveau courriel" in body or "demande n°" in body for body in told)
    notices = [e for e in events if e.kind == "mail-notified"]
    assert len(notices) == MAILS
    assert sum("résumé à venir" in e.reasons[0]["text"] for e in notices) == MAILS - NOTICES.limit

    summaries = await send_notice_summaries(
        JobContext(runtime=runtime, slot=TUESDAY_MORNING + NOTICES.window)
    )

    assert summaries == "2 notice summaries sent"
    for referent in (AMARTIN, BLEROY):
        *_, summary = [m["body"] for m in twilio_api.messages if m["to"] == referent]
        assert summary.startswith(f"DAC du Lot : {MAILS - NOTICES.limit} nouvelles sollicitations")


async def test_notices_by_mail_to_one_address_have_a_budget_too(
    client: TestClient,
    mail_department: Department,
    smtp_mtls: SmtpRecorder,
    twilio_api: FakeTwilioApi,
    clock: MovingClock,
) -> None:
    assert mail_department.mailbox is not None
    mailbox = replace(mail_department.mailbox, notify="mail",
                      notify_address="equipe@dac46.mssante.test")  # fmt: skip
    department = replace(mail_department, mailbox=mailbox)
    runtime = client.app[JOB_RUNTIME]
    mailer = department_mailer(department, mailbox, clock=clock)

    for request_id in range(1, MAILS + 1):
        notice = Notice(department=department, request_id=request_id, referent_ids=("amartin",))
        await notify_referents(runtime, notice, mailbox, mailer)
    early = await send_mail_summaries(runtime, department, mailbox, mailer)
    clock.now = TUESDAY_MORNING + NOTICES.window
    due = await send_mail_summaries(runtime, department, mailbox, mailer)
    again = await send_mail_summaries(runtime, department, mailbox, mailer)

    assert twilio_api.messages == []
    subjects = [m.message["Subject"] for m in smtp_mtls.mails]
    assert all(m.rcpt_tos == ["equipe@dac46.mssante.test"] for m in smtp_mtls.mails)
    assert len(subjects) == NOTICES.limit + 1
    assert subjects[-1] == (
        f"DAC du Lot : {MAILS - NOTICES.limit} nouvelles sollicitations depuis 10 h, trop pour les "
        "annoncer une à une. À traiter dans Frontdoor."
    )
    assert (early, due, again) == (0, 1, 0)
