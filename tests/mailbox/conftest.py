"""The mail channel's fixtures: a private Dovecot in both TLS modes, an SMTP server that
requires the client certificate, a department whose [mailbox] points at them, an intake."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from frontdoor.core.department import Department
from frontdoor.core.mailbox import Mailbox, MailTls
from frontdoor.cpu import CpuProcesses
from frontdoor.departments import Departments
from frontdoor.mailbox.intake import Intake, Notice
from frontdoor.mailbox.job import department_mailer, imap_session
from frontdoor.mailbox.texts import mail_texts
from frontdoor.store.attachments import FolderStore
from frontdoor.store.db import create_engine, session_maker
from tests.conftest import ROOT
from tests.fakes.dovecot import Dovecot, MailUser, dovecot_binary
from tests.fakes.smtp import TlsSmtpRecorder


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    """One private Dovecot for the session (it takes ~3 s to stop); a mailbox per test."""
    binary = dovecot_binary()
    if binary is None:
        message = (
            "Dovecot is not installed: the mail tests need Debian's dovecot-imapd "
            "(./dev test installs it when run as root)"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    server = Dovecot(binary).start()
    yield server
    server.stop()


@pytest.fixture
def mail_user(dovecot: Dovecot) -> MailUser:
    return dovecot.new_user()


@pytest.fixture(params=["implicit", "starttls"])
def tls(request: pytest.FixtureRequest) -> MailTls:
    mode: MailTls = request.param
    return mode


@pytest.fixture
async def smtp_mtls(dovecot: Dovecot, tls: MailTls) -> AsyncIterator[TlsSmtpRecorder]:
    """An SMTP server in the same TLS mode, requiring a certificate from the test CA."""
    recorder = TlsSmtpRecorder(mode=tls, require_client_certificate=True, ca=dovecot.ca)
    await recorder.start()
    yield recorder
    await recorder.close()


def mailbox_at(dovecot: Dovecot, user: MailUser, smtp: TlsSmtpRecorder, tls: MailTls) -> Mailbox:
    """A [mailbox] at the test servers, opened by the user's client certificate."""
    return Mailbox(
        address=user.address,
        imap_host=dovecot.host,
        imap_port=dovecot.port(tls),
        imap_tls=tls,
        smtp_host=smtp.host,
        smtp_port=smtp.port,
        smtp_tls=tls,
        certificate=str(user.certificate),
        key=str(user.key),
        ca_file=str(dovecot.ca_file),
        domains={"chu-toulouse.fr": "hospital"},
    )


@pytest.fixture
def mail_department(
    lot: Department, dovecot: Dovecot, mail_user: MailUser, smtp_mtls: TlsSmtpRecorder, tls: MailTls
) -> Department:
    """The Lot, its [mailbox] at the test servers, with the user's client certificate."""
    return replace(lot, mailbox=mailbox_at(dovecot, mail_user, smtp_mtls, tls))


@pytest.fixture
def second_mail_department(
    departments: Departments, dovecot: Dovecot, smtp_mtls: TlsSmtpRecorder, tls: MailTls
) -> Department:
    """The Moselle, on the same servers with a mailbox of its own: a region's second DAC."""
    moselle = departments.for_slug("dac57")
    assert moselle is not None
    return replace(moselle, mailbox=mailbox_at(dovecot, dovecot.new_user(), smtp_mtls, tls))


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


IntakeFor = Callable[[Department], tuple[Intake, list[Notice]]]


@pytest.fixture
def processes() -> Iterator[CpuProcesses]:
    pool = CpuProcesses(workers=1)
    yield pool
    pool.close()


@pytest.fixture
def intake_for(engine: AsyncEngine, tmp_path: Path, processes: CpuProcesses) -> IntakeFor:
    """An intake of a department with a [mailbox], on a Tuesday morning, and what it told."""

    def make(department: Department) -> tuple[Intake, list[Notice]]:
        notices: list[Notice] = []

        async def notify(notice: Notice) -> None:
            notices.append(notice)

        assert department.mailbox is not None
        clock = Clock(datetime.fromisoformat("2026-03-10T10:00:00+01:00"))
        intake = Intake(
            department=department,
            sessions=session_maker(engine),
            texts=mail_texts(ROOT / "templates"),
            attachments=FolderStore(tmp_path / "attachments"),
            max_bytes=200_000,
            clock=clock,
            mailer=department_mailer(department, department.mailbox, clock=clock),
            pseudonym_key=b"test-pseudonym-key",
            processes=processes,
            notify=notify,
        )
        return intake, notices

    return make


@pytest.fixture
def make_intake(mail_department: Department, intake_for: IntakeFor) -> tuple[Intake, list[Notice]]:
    return intake_for(mail_department)


__all__ = ["Clock", "IntakeFor", "imap_session"]


@pytest.fixture
def app_departments(departments: Departments, mail_department: Department) -> Departments:
    """The app under test serves the Lot with its mailbox at the test servers."""
    return Departments(mail_department if d.slug == "dac46" else d for d in departments)
