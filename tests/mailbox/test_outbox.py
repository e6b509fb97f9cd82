"""The outbox: acknowledgements and referents' answers are queued with what they answer,
sent once the server takes them, retried with backoff while it is down, never sent twice,
even with several instances."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select

from frontdoor.core.department import Department
from frontdoor.jobs.base import JobContext
from frontdoor.keys import SETTINGS
from frontdoor.kit.runtime import JOB_RUNTIME
from frontdoor.mailbox.job import mailbox_job
from frontdoor.mailbox.outbox import LEASE, queue
from frontdoor.mailbox.outbox_job import send_outbox
from frontdoor.outbound.mail import compose, render
from frontdoor.settings import Settings
from frontdoor.standins.smtp import SmtpRecorder
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.mail import claim_due
from frontdoor.store.models import Message, OutboxMail, Request
from tests.mailbox.conftest import Clock
from tests.mailbox.delivered import deliver, mail
from tests.web.calls import PARIS

TUESDAY_MORNING = datetime(2026, 5, 12, 10, 0, tzinfo=PARIS)


@pytest.fixture
def settings(wired_settings: Settings, tmp_path: Path) -> Settings:
    return wired_settings.model_copy(update={"mail_attachments_dir": tmp_path / "files"})


@pytest.fixture
def clock() -> Clock:
    return Clock(TUESDAY_MORNING)


@pytest.fixture
def app_settings(settings: Settings) -> Settings:
    return settings


@pytest.fixture
def app_clock(clock: Clock) -> Clock:
    return clock


async def outbox(settings: Settings) -> list[tuple[OutboxMail, Message]]:
    engine = create_engine(settings.database_url)
    try:
        async with session_maker(engine)() as session:
            rows = await session.exec(
                select(OutboxMail, Message)
                .join(Message, col(Message.provider_id) == col(OutboxMail.message_id))
                .order_by(col(OutboxMail.id))
            )
            return list(rows.all())
    finally:
        await engine.dispose()


async def job(client: TestClient, clock: Clock, run: object) -> str:
    return await run(JobContext(runtime=client.app[JOB_RUNTIME], slot=clock.now))  # type: ignore[operator, no-any-return]


async def test_with_the_smtp_server_down_the_acknowledgement_waits_and_leaves_once(
    client: TestClient,
    settings: Settings,
    mail_department: Department,
    smtp_mtls: SmtpRecorder,
    clock: Clock,
) -> None:
    await deliver(mail_department, mail(1))
    await smtp_mtls.close()

    assert await job(client, clock, mailbox_job) == (
        "1 taken, 0 already taken, 0 parked, 0 acknowledged"
    )
    [(row, message)] = await outbox(settings)
    assert (row.status, row.attempts, message.status) == ("queued", 1, "queued")
    assert row.next_attempt_at == TUESDAY_MORNING + timedelta(minutes=1)
    assert row.last_error is not None
    assert "dr.roux" not in row.last_error

    # Still down a minute later: the next try is two minutes after that.
    clock.now += timedelta(minutes=1)
    assert (await job(client, clock, send_outbox)).startswith("0 sent, 1 to retry")
    [(row, _)] = await outbox(settings)
    assert row.next_attempt_at == clock.now + timedelta(minutes=2)

    # Back up: not yet due, nothing goes; due, it goes once.
    await smtp_mtls.start()
    assert (await job(client, clock, send_outbox)).startswith("0 sent, 0 to retry")
    clock.now += timedelta(minutes=2)
    assert (await job(client, clock, send_outbox)).startswith("1 sent, 0 to retry")
    assert (await job(client, clock, send_outbox)).startswith("0 sent, 0 to retry")
    [received] = smtp_mtls.mails
    [(row, message)] = await outbox(settings)
    assert (row.status, row.attempts, message.status) == ("sent", 3, "sent")
    assert received.message["Message-ID"] == message.provider_id
    assert received.message["In-Reply-To"] == "<m1@chu-toulouse.fr>"


async def test_an_intake_stopped_after_its_commit_leaves_the_acknowledgement_to_the_job(
    client: TestClient,
    settings: Settings,
    mail_department: Department,
    smtp_mtls: SmtpRecorder,
    clock: Clock,
) -> None:
    """The acknowledgement was queued with the request and claimed by the instance that
    died: nobody sends it while its claim holds, the job sends it once it has run out."""
    await deliver(mail_department, mail(1))
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        request = Request(department="dac46", channel="mail", received_at=clock.now)
        session.add(request)
        await session.flush()
        queue(session, department="dac46", sender="dac46@mssante.test",
              request_id=request.id or 0, to="dr.roux@chu-toulouse.fr", subject="Accusé",
              body="Bien reçu.", headers={}, kind="acknowledgement", author="frontdoor",
              at=clock.now, instance="instance-that-died")  # fmt: skip
        await session.commit()
    await engine.dispose()

    assert (await job(client, clock, send_outbox)).startswith("0 sent")
    clock.now += LEASE + timedelta(seconds=1)
    assert (await job(client, clock, send_outbox)).startswith("1 sent")
    clock.now += timedelta(minutes=5)
    assert (await job(client, clock, send_outbox)).startswith("0 sent")
    assert len(smtp_mtls.mails) == 1


async def test_a_recipient_refused_for_good_is_not_tried_again(
    client: TestClient,
    settings: Settings,
    mail_department: Department,
    smtp_mtls: SmtpRecorder,
    clock: Clock,
) -> None:
    await deliver(mail_department, mail(1))
    smtp_mtls.refuse_next("RCPT", "550 5.1.1 No such user")

    await job(client, clock, mailbox_job)
    clock.now += timedelta(hours=1)
    assert (await job(client, clock, send_outbox)).startswith("0 sent, 0 to retry, 0 given up")
    [(row, message)] = await outbox(settings)
    assert (row.status, message.status) == ("failed", "failed")
    assert smtp_mtls.mails == []


async def test_a_refusal_quoting_the_address_and_a_name_is_kept_by_its_reply_code_alone(
    client: TestClient,
    settings: Settings,
    mail_department: Department,
    smtp_mtls: SmtpRecorder,
    clock: Clock,
) -> None:
    """An SMTP server's refusal quotes the recipient (and some quote more): the outbox keeps
    the kind of the failure and its reply code, which is what the operator acts on."""
    await deliver(mail_department, mail(1))
    smtp_mtls.refuse_next(
        "RCPT",
        "550 5.1.1 <dr.roux@chu-toulouse.fr>: Recipient address rejected "
        "(Mme Jeanne Dupont, INS 2 41 03 46 042 001 92, tel 06 12 34 56 78)",
    )

    await job(client, clock, mailbox_job)

    [(row, _message)] = await outbox(settings)
    assert row.status == "failed"
    assert row.last_error == "OutboundError ← SMTPRecipientsRefused (SMTP 550)"


async def test_a_referent_answer_is_queued_when_the_server_is_down_then_sent(
    client: TestClient,
    settings: Settings,
    mail_department: Department,
    smtp_mtls: SmtpRecorder,
    clock: Clock,
) -> None:
    await deliver(mail_department, mail(1))
    await job(client, clock, mailbox_job)
    await smtp_mtls.close()
    [(_, acknowledgement)] = await outbox(settings)

    response = await client.post(
        f"/api/requests/{acknowledgement.request_id}/mail",
        json={"body": "Le SSIAD passe vendredi."},
        headers={"Authorization": "Bearer key-dac46-amartin"},
    )
    assert response.status == 202
    assert (await response.json())["status"] == "queued"

    await smtp_mtls.start()
    clock.now += timedelta(minutes=1)
    assert (await job(client, clock, send_outbox)).startswith("1 sent")
    acknowledgement_mail, answer = smtp_mtls.mails
    assert answer.message.get_content().strip() == "Le SSIAD passe vendredi."
    assert answer.message["In-Reply-To"] == "<m1@chu-toulouse.fr>"


async def test_two_instances_never_claim_the_same_mail(engine: AsyncEngine) -> None:
    now = datetime(2026, 5, 12, 8, 0, tzinfo=PARIS)
    sessions = session_maker(engine)
    async with sessions() as session:
        request = Request(department="dac46", channel="mail", received_at=now)
        session.add(request)
        await session.flush()
        for n in range(40):
            queue(session, department="dac46", sender="dac46@mssante.test",
                  request_id=request.id or 0, to=f"p{n}@x.test", subject="s", body="b",
                  headers={}, kind="acknowledgement", author="frontdoor",
                  at=now - 2 * LEASE, instance="gone")  # fmt: skip
        await session.commit()

    async def claim(instance: str) -> list[int]:
        async with sessions() as session:
            ids = await claim_due(session=session, department="dac46", instance=instance,
                                  now=now, until=now + LEASE, limit=30)  # fmt: skip
            await session.commit()
            return ids

    first, second = await asyncio.gather(claim("a"), claim("b"))
    assert not set(first) & set(second)
    assert len(first) + len(second) == 40
    assert await claim("c") == []  # all held until their claims run out


def test_a_mail_written_directly_reads_back_as_the_stdlib_would_compose_it() -> None:
    now = datetime(2026, 5, 12, 8, 0, tzinfo=PARIS)
    references = " ".join(f"<{n}.{'x' * 30}@chu-toulouse.fr>" for n in range(6))
    headers = {"In-Reply-To": "<0@x>", "References": references, "auto-submitted": "auto-replied"}
    subject = "[DAC46-12] Accusé de réception : Sortie de Mme Élise Bès\r\nBcc: x@evil.test"
    body = "Bonjour,\n\nNous avons bien reçu votre message — merci.\n.\nligne  \n" + "é" * 120
    message_id, data = render(sender="dac46@mssante.test", to=["dr.roux@chu-toulouse.fr"],
                              subject=subject, body=body, now=now, headers=headers)  # fmt: skip
    composed = compose(sender="dac46@mssante.test", to=["dr.roux@chu-toulouse.fr"],
                       subject=" ".join(subject.split()), body=body, now=now,
                       headers=headers)  # fmt: skip

    assert data.isascii()
    assert all(len(line) <= 998 for line in data.split(b"\r\n"))
    written = message_from_bytes(data, policy=policy.default)
    assert isinstance(written, EmailMessage)
    assert written["Message-ID"] == message_id
    assert written["Bcc"] is None  # the quoted subject's line break is gone
    for name in ("From", "To", "Subject", "Date", "In-Reply-To", "References", "Auto-Submitted"):
        assert written[name] == composed[name], name
    assert written.get_content().replace("\r\n", "\n") == composed.get_content()
    assert written["Content-Language"] == "fr"  # compose's set_content drops it


async def test_a_referent_answer_refused_for_good_says_so(
    client: TestClient, mail_department: Department, smtp_mtls: SmtpRecorder, clock: Clock
) -> None:
    await deliver(mail_department, mail(1))
    await job(client, clock, mailbox_job)
    smtp_mtls.refuse_next("RCPT", "550 5.1.1 No such user")
    [request_id] = {m.request_id for _, m in await outbox(client.app[SETTINGS])}

    response = await client.post(
        f"/api/requests/{request_id}/mail",
        json={"body": "Bonjour."},
        headers={"Authorization": "Bearer key-dac46-amartin"},
    )

    assert response.status == 502
    assert "dr.roux" not in await response.text()


async def test_a_month_after_the_outbox_forgets_the_mail_and_its_message_stays(
    client: TestClient,
    settings: Settings,
    mail_department: Department,
    smtp_mtls: SmtpRecorder,
    clock: Clock,
) -> None:
    await deliver(mail_department, mail(1))
    await job(client, clock, mailbox_job)
    clock.now += timedelta(days=31)

    assert "1 old row(s) purged" in await job(client, clock, send_outbox)
    assert await outbox(settings) == []
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        kinds = (await session.exec(select(Message.kind, Message.status))).all()
    await engine.dispose()
    assert sorted(kinds, key=str) == [("acknowledgement", "sent"), ("message", "received")]
