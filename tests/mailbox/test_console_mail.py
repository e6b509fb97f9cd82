"""A professional's mail on its request's page: its attachments open from the page (after
the access check, each opening journaled, always as a download), and the referent answers
by secure mail from the console, threaded under the mail."""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import unquote

import pytest
from aiohttp.test_utils import TestClient

from frontdoor.core.department import Department
from frontdoor.jobs.base import JobContext
from frontdoor.kit.runtime import JOB_RUNTIME
from frontdoor.mailbox.job import mailbox_job
from frontdoor.settings import Settings
from frontdoor.standins.smtp import SmtpRecorder
from frontdoor.store.models import Request
from tests.console.conftest import LOT_REFERENT, MOSELLE_REFERENT, create_accounts, sign_in
from tests.console.requests_made import audit_rows, page_of, rows
from tests.mailbox.conftest import Clock
from tests.mailbox.delivered import REPORT, a_mail_with_attachments, deliver
from tests.web.calls import PARIS

TUESDAY_MORNING = datetime(2026, 5, 12, 10, 0, tzinfo=PARIS)


@pytest.fixture
def clock() -> Clock:
    return Clock(TUESDAY_MORNING)


@pytest.fixture
def app_clock(clock: Clock) -> Clock:
    return clock


async def a_mail_request(client: TestClient, department: Department, clock: Clock) -> int:
    await deliver(department, a_mail_with_attachments())
    await mailbox_job(JobContext(runtime=client.app[JOB_RUNTIME], slot=clock.now))
    [request] = await rows(client.app[JOB_RUNTIME].settings, Request)
    return request.id or 0


async def test_the_attachments_open_from_the_page_as_downloads_each_opening_journaled(
    client: TestClient, app_settings: Settings, mail_department: Department, clock: Clock
) -> None:
    request_id = await a_mail_request(client, mail_department, clock)
    await create_accounts(app_settings, (LOT_REFERENT, MOSELLE_REFERENT))
    browser = await sign_in(client, LOT_REFERENT)

    page = await page_of(browser, f"/console/demandes/{request_id}")
    assert "CR sortie Mme X.pdf</a> · 31 octets" in page
    assert "page.html</a>" in page
    first, second = re.findall(r'href="(/console/demandes/\d+/pieces-jointes/[\d-]+)"', page)
    report = await browser.get(first)
    page_sent = await browser.get(second)

    assert report.status == 200
    assert await report.read() == REPORT
    assert report.headers["Content-Type"] == "application/octet-stream"
    assert report.headers["X-Content-Type-Options"] == "nosniff"
    assert report.headers["Content-Disposition"] == (
        "attachment; filename=\"CR sortie Mme X.pdf\"; filename*=UTF-8''CR%20sortie%20Mme%20X.pdf"
    )
    assert page_sent.headers["Content-Type"] == "application/octet-stream"
    assert page_sent.headers["Content-Disposition"].startswith('attachment; filename="page.html"')
    opened = [row for row in await audit_rows(app_settings) if row[2] == "open_attachment"]
    assert opened == [(LOT_REFERENT.login, request_id, "open_attachment")] * 2


async def test_another_department_and_unknown_attachments_answer_not_found(
    client: TestClient, app_settings: Settings, mail_department: Department, clock: Clock
) -> None:
    request_id = await a_mail_request(client, mail_department, clock)
    await create_accounts(app_settings, (LOT_REFERENT, MOSELLE_REFERENT))
    lot, moselle = await sign_in(client, LOT_REFERENT), await sign_in(client, MOSELLE_REFERENT)
    page = await page_of(lot, f"/console/demandes/{request_id}")
    event = re.findall(r"/pieces-jointes/(\d+)-0", page)[0]

    answers = [
        await moselle.get(f"/console/demandes/{request_id}/pieces-jointes/{event}-0"),
        await lot.get(f"/console/demandes/{request_id}/pieces-jointes/{event}-7"),
        await lot.get(f"/console/demandes/{request_id}/pieces-jointes/1-0"),  # not attachments
        await lot.get(f"/console/demandes/{request_id}/pieces-jointes/..%2F{event}-0"),
    ]

    assert [answer.status for answer in answers] == [404, 404, 404, 404]
    assert not [row for row in await audit_rows(app_settings) if row[0] == MOSELLE_REFERENT.login]


async def test_a_referent_answers_the_mail_from_the_console_threaded(
    client: TestClient,
    app_settings: Settings,
    mail_department: Department,
    smtp_mtls: SmtpRecorder,
    clock: Clock,
) -> None:
    request_id = await a_mail_request(client, mail_department, clock)
    await create_accounts(app_settings, (LOT_REFERENT,))
    browser = await sign_in(client, LOT_REFERENT)
    page = await page_of(browser, f"/console/demandes/{request_id}")
    assert "Répondre par messagerie sécurisée à dr.roux@chu-toulouse.fr" in page

    answered = await browser.post(
        f"/console/demandes/{request_id}/reponse-mail", {"body": "Le SSIAD passe vendredi."}
    )
    empty = await browser.post(f"/console/demandes/{request_id}/reponse-mail", {"body": " "})

    assert answered.status == 303
    assert answered.headers["Location"] == f"/console/demandes/{request_id}?courriel=envoye"
    answer = smtp_mtls.mails[-1]
    assert answer.message.get_content().strip() == "Le SSIAD passe vendredi."
    assert answer.message["In-Reply-To"] == "<m1@chu-toulouse.fr>"
    assert answer.message["To"] == "dr.roux@chu-toulouse.fr"
    assert "la réponse doit faire de 1 à" in unquote(empty.headers["Location"])
    page = await page_of(browser, answered.headers["Location"])
    assert "Réponse envoyée par messagerie sécurisée." in page
    assert (LOT_REFERENT.login, request_id, "answer_mail") in await audit_rows(app_settings)
