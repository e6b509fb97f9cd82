"""The secure mailbox end to end, on a real Dovecot and an SMTP server that both require the
client certificate, in both TLS modes (implicit and STARTTLS)."""

from __future__ import annotations

import asyncio
import errno
import os
import signal
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from frontdoor.core.attachments import ATTACHMENTS_EVENT
from frontdoor.cpu import CpuProcesses, WorkerLost
from frontdoor.mailbox import intake as intake_module
from frontdoor.mailbox.imap import ClientCertificateRequired, ImapMailbox
from frontdoor.mailbox.intake import Intake, Notice
from frontdoor.outbound.errors import OutboundError
from frontdoor.outbound.mail import Mailer, SmtpSettings
from frontdoor.standins.smtp import SmtpRecorder
from frontdoor.store.attachments import AttachmentStore
from frontdoor.store.db import session_maker
from frontdoor.store.models import CallbackTaskRow, RequestEvent
from tests.cpu_gate import Gate, occupy
from tests.fakes.dovecot import Dovecot, MailUser
from tests.mailbox.delivered import (
    a_mail_with_attachments,
    deliver,
    mail,
    messages,
    poll,
    requests,
)
from tests.waiting import eventually

EVENING = datetime.fromisoformat("2026-03-10T20:00:00+01:00")


async def test_a_mail_becomes_a_request_acknowledged_and_its_reply_joins_it(
    make_intake: tuple[Intake, list[Notice]],
    engine: AsyncEngine,
    smtp_mtls: SmtpRecorder,
    mail_user: MailUser,
) -> None:
    intake, notices = make_intake
    await deliver(intake.department, mail(1))
    assert await poll(intake) == "1 taken, 0 already taken, 0 parked, 1 acknowledged"

    [request] = await requests(engine)
    assert (request.channel, request.referrer_type, request.referrer_source) == (
        "mail",
        "hospital",
        "domain",
    )
    assert not request.out_of_hours
    [ack] = smtp_mtls.mails
    assert ack.tls
    assert ack.rcpt_tos == ["dr.roux@chu-toulouse.fr"]
    sent = ack.message
    assert sent["Subject"] == f"[DAC46-{request.id}] Accusé de réception : Sortie de Mme X"
    assert sent["In-Reply-To"] == "<m1@chu-toulouse.fr>"
    assert sent["Auto-Submitted"] == "auto-replied"
    assert sent["From"] == mail_user.address
    assert "Un référent vous répond dès que possible" in sent.get_content()
    assert [n.request_id for n in notices] == [request.id]

    # The sender answers the acknowledgement: threaded by In-Reply-To, not acknowledged again.
    reply = mail(
        2, subject=f"Re: {sent['Subject']}", extra=f"In-Reply-To: {sent['Message-ID']}\r\n"
    )
    # Another mail of the sender names the request in its subject only.
    by_reference = mail(3, subject=f"Complément [DAC46-{request.id}]")
    await deliver(intake.department, reply, by_reference)
    assert await poll(intake) == "2 taken, 0 already taken, 0 parked, 0 acknowledged"
    assert len(await requests(engine)) == 1
    stored = await messages(engine)
    assert [(m.direction, m.kind) for m in stored] == [
        ("in", "message"),
        ("out", "acknowledgement"),
        ("in", "message"),
        ("in", "message"),
    ]
    assert {m.request_id for m in stored} == {request.id}
    assert len(smtp_mtls.mails) == 1


async def test_out_of_hours_the_acknowledgement_says_when_the_line_reopens(
    make_intake: tuple[Intake, list[Notice]], engine: AsyncEngine, smtp_mtls: SmtpRecorder
) -> None:
    intake, notices = make_intake
    intake.clock.now = EVENING  # type: ignore[attr-defined]
    await deliver(intake.department, mail(1, sender="someone@example.org"))
    await poll(intake)
    [request] = await requests(engine)
    assert request.out_of_hours
    assert request.callback_needed
    assert request.referrer_type == "unknown"
    body = smtp_mtls.mails[0].message.get_content()
    assert "Nous sommes fermés" in body
    assert "demain, mercredi 11 mars, à 8 h 30" in body
    assert notices == []
    async with session_maker(engine)() as session:
        assert (await session.exec(select(CallbackTaskRow))).first() is not None


async def test_automatic_mails_are_taken_in_but_never_answered(
    make_intake: tuple[Intake, list[Notice]], engine: AsyncEngine, smtp_mtls: SmtpRecorder
) -> None:
    intake, _ = make_intake
    await deliver(
        intake.department,
        mail(1, extra="Auto-Submitted: auto-replied\r\n"),
        mail(2, sender="MAILER-DAEMON@chu-toulouse.fr"),
    )
    assert await poll(intake) == "2 taken, 0 already taken, 0 parked, 0 acknowledged"
    assert smtp_mtls.mails == []


@pytest.mark.parametrize("stage", ["fetched", "committed"])
async def test_an_intake_stopped_midway_and_restarted_leaves_one_request(
    make_intake: tuple[Intake, list[Notice]], engine: AsyncEngine, stage: str
) -> None:
    intake, _ = make_intake
    await deliver(intake.department, mail(1))

    class Killed(Exception):
        pass

    def crash(at: str) -> None:
        if at == stage:
            raise Killed

    intake.checkpoint = crash
    with pytest.raises(Killed):
        await poll(intake)
    assert len(await requests(engine)) == (1 if stage == "committed" else 0)

    intake.checkpoint = lambda at: None
    expected = "0 taken, 1 already taken" if stage == "committed" else "1 taken, 0 already taken"
    assert (await poll(intake)).startswith(expected)
    assert len(await requests(engine)) == 1
    assert (await poll(intake)).startswith("0 taken, 0 already taken")


async def test_a_mail_whose_worker_process_died_is_read_again_at_the_next_poll(
    make_intake: tuple[Intake, list[Notice]], engine: AsyncEngine, processes: CpuProcesses
) -> None:
    intake, _ = make_intake
    await deliver(intake.department, mail(1))
    async with Gate() as gate:
        [held] = await occupy(processes, processes.workers, gate)
        [pid] = await gate.entered(1)
        polling = asyncio.create_task(poll(intake))
        await eventually(lambda: processes.counters["cpu_mail_parse"] == 1)  # queued behind

        os.kill(pid, signal.SIGKILL)  # as the out-of-memory killer would

        with pytest.raises(WorkerLost):
            await polling
    assert await requests(engine) == []
    with pytest.raises(WorkerLost):
        await held

    assert (await poll(intake)).startswith("1 taken, 0 already taken")
    assert len(await requests(engine)) == 1


async def test_without_the_client_certificate_the_mailbox_says_it_requires_one(
    dovecot: Dovecot, mail_user: MailUser, tls: str, smtp_mtls: SmtpRecorder
) -> None:
    box = ImapMailbox(
        host=dovecot.host,
        port=dovecot.port(tls),
        tls=tls,  # type: ignore[arg-type]
        context=dovecot.client_context(None),
        has_certificate=False,
        login=mail_user.login,
        password="a password is not enough",
    )
    with pytest.raises(ClientCertificateRequired, match="requires a client certificate"):
        async with box:
            pass

    mailer = Mailer(
        SmtpSettings(host=smtp_mtls.host, port=smtp_mtls.port, tls=tls, sender="a@b.test"),  # type: ignore[arg-type]
        tls_context=dovecot.client_context(None),
    )
    with pytest.raises(OutboundError, match="client certificate"):
        await mailer.send(to="x@y.test", subject="s", body="b")


async def test_a_reply_read_in_the_same_poll_as_its_first_mail_joins_its_request(
    make_intake: tuple[Intake, list[Notice]], engine: AsyncEngine, smtp_mtls: SmtpRecorder
) -> None:
    intake, notices = make_intake
    reply = mail(2, subject="Re: Sortie de Mme X", extra="In-Reply-To: <m1@chu-toulouse.fr>\r\n")
    await deliver(intake.department, mail(1), reply)
    assert await poll(intake) == "2 taken, 0 already taken, 0 parked, 1 acknowledged"
    [request] = await requests(engine)
    assert {m.request_id for m in await messages(engine)} == {request.id}
    assert len(smtp_mtls.mails) == 1
    assert len(notices) == 1


async def test_two_instances_reading_the_same_mailbox_take_each_mail_once(
    make_intake: tuple[Intake, list[Notice]], engine: AsyncEngine, smtp_mtls: SmtpRecorder
) -> None:
    """Two instances (two IDLE watchers, or a watcher and another's job) poll at the same
    moment: both read the same mails, the unique Message-ID lets one commit each; the other
    marks them handled. One request and one acknowledgement per mail."""
    first, _ = make_intake
    second = replace(first, instance="other-instance")
    await deliver(first.department, *(mail(n, sender=f"p{n}@chu-toulouse.fr") for n in range(6)))

    reports = await asyncio.gather(poll(first), poll(second))

    assert len(await requests(engine)) == 6
    assert len(smtp_mtls.mails) == 6
    taken = sum(int(report.split(" taken")[0]) for report in reports)
    assert taken == 6


def files_under(root: Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


async def attachment_keys(engine: AsyncEngine) -> list[str]:
    """The files the committed requests list (their mail-attachments events)."""
    async with session_maker(engine)() as session:
        events = await session.exec(
            select(RequestEvent).where(RequestEvent.kind == ATTACHMENTS_EVENT)
        )
        return sorted(reason["key"] for event in events.all() for reason in event.reasons)


async def test_the_instance_that_loses_a_mail_to_another_leaves_no_attachment_file(
    make_intake: tuple[Intake, list[Notice]],
    engine: AsyncEngine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two instances take in the same mail with its attachments; one commits it first. The
    other, which saw it as new, rolls back when the store refuses its copy: no file of
    its own is left, under a request that never exists (outside erasure and retention)."""
    first, _ = make_intake
    second = replace(first, instance="other-instance")
    root = tmp_path / "attachments"
    await deliver(first.department, a_mail_with_attachments())
    assert (await poll(first)).startswith("1 taken")
    await deliver(first.department, a_mail_with_attachments())  # the same, as the other saw it
    looked = intake_module.present_message_ids
    stale = [True]

    async def as_before_the_first_committed(**kwargs: Any) -> set[str]:
        if stale.pop() if stale else False:
            return set()
        return await looked(**kwargs)

    monkeypatch.setattr(intake_module, "present_message_ids", as_before_the_first_committed)

    assert await poll(second) == "0 taken, 1 already taken, 0 parked, 0 acknowledged"

    [request] = await requests(engine)
    assert files_under(root) == await attachment_keys(engine)
    assert {key.split("/")[1] for key in files_under(root)} == {str(request.id)}


class FullDisk:
    """The attachment store, full once `room` files are written."""

    def __init__(self, store: AttachmentStore, room: int) -> None:
        self.store, self.room = store, room

    def save(self, **kwargs: Any) -> str:
        if self.room == 0:
            raise OSError(errno.ENOSPC, "No space left on device")
        self.room -= 1
        return self.store.save(**kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


@pytest.mark.parametrize("room", [0, 1, 3])
async def test_an_intake_that_does_not_commit_leaves_no_attachment_file(
    make_intake: tuple[Intake, list[Notice]], engine: AsyncEngine, tmp_path: Path, room: int
) -> None:
    """The disk fills up while a chunk's attachments are written (after the first mail's
    two, or within them): nothing is committed, not one of its files stays, and the next
    poll takes every mail whole."""
    intake, _ = make_intake
    root = tmp_path / "attachments"
    store = intake.attachments
    assert store is not None
    other = a_mail_with_attachments().replace(b"<m1@", b"<m2@").replace(b"Mme X", b"Mme Z")
    await deliver(intake.department, a_mail_with_attachments(), other)
    intake.attachments = FullDisk(store, room)

    with pytest.raises(OSError, match="No space left"):
        await poll(intake)

    assert await requests(engine) == []
    assert files_under(root) == []
    intake.attachments = store
    assert (await poll(intake)).startswith("2 taken, 0 already taken")
    keys = await attachment_keys(engine)
    assert len(keys) == 4
    assert files_under(root) == keys
