"""Mails delivered into a real Dovecot, polled by the intake, and what the store then holds."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from email.message import EmailMessage
from email.policy import SMTP

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select

from frontdoor.core.department import Department
from frontdoor.core.mailbox import Mailbox
from frontdoor.mailbox.intake import Intake
from frontdoor.mailbox.job import imap_session
from frontdoor.store.db import session_maker
from frontdoor.store.models import Message, Request
from tests.fakes.dovecot import Dovecot, dovecot_binary

REPORT = b"%PDF-1.4 compte rendu de sortie"


def a_mail_with_attachments() -> bytes:
    message = EmailMessage()
    message["From"] = "Dr Roux <dr.roux@chu-toulouse.fr>"
    message["To"] = "contact@dac46.mssante.test"
    message["Subject"] = "Sortie de Mme X"
    message["Message-ID"] = "<m1@chu-toulouse.fr>"
    message["Date"] = "Tue, 12 May 2026 09:58:00 +0200"
    message.set_content("Bonjour, retour à domicile vendredi, compte rendu joint.")
    message.add_attachment(
        REPORT, maintype="application", subtype="pdf", filename="CR sortie Mme X.pdf"
    )
    # What a sender may send: a page that would run in the console's origin if shown inline.
    message.add_attachment("<script>alert(1)</script>", subtype="html", filename="../../page.html")
    return message.as_bytes(policy=SMTP)


def mail(
    number: int,
    *,
    sender: str = "dr.roux@chu-toulouse.fr",
    subject: str = "Sortie de Mme X",
    extra: str = "",
) -> bytes:
    return (
        f"From: Dr Roux <{sender}>\r\nTo: contact@dac46.mssante.test\r\n"
        f"Subject: {subject}\r\nDate: Tue, 10 Mar 2026 09:58:00 +0100\r\n"
        f"Message-ID: <m{number}@chu-toulouse.fr>\r\n{extra}"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "Bonjour, retour à domicile vendredi, besoin d'un SSIAD.\r\n"
    ).encode()


async def deliver(department: Department, *raws: bytes) -> None:
    assert department.mailbox is not None
    async with imap_session(department, department.mailbox) as box:
        for raw in raws:
            await box.append(raw)


async def poll(intake: Intake) -> str:
    mailbox = intake.department.mailbox
    assert mailbox is not None
    async with imap_session(intake.department, mailbox) as box:
        return str(await intake.poll(box))


async def requests(engine: AsyncEngine) -> list[Request]:
    async with session_maker(engine)() as session:
        return list((await session.exec(select(Request).order_by(col(Request.id)))).all())


async def messages(engine: AsyncEngine) -> list[Message]:
    async with session_maker(engine)() as session:
        return list((await session.exec(select(Message).order_by(col(Message.id)))).all())


HEAD = b"From: Dr Roux <dr.roux@chu-toulouse.fr>\r\nSubject: Secret Mme Y\r\nMessage-ID: <%s@x>\r\n"
WRONG_CHARSET = HEAD % b"latin" + (  # says UTF-8, is Latin-1
    b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
    b"Mme Y d\xe9m\xe9nage\r\n"
)


def with_attachment(size: int) -> bytes:
    message = EmailMessage()
    message["From"] = "Dr Roux <dr.roux@chu-toulouse.fr>"
    message["Subject"] = "Secret Mme Y : imagerie"
    message["Message-ID"] = "<big@x>"
    message.set_content("Ci-joint l'IRM.")
    message.add_attachment(b"\x00" * size, maintype="application", subtype="octet-stream")
    return message.as_bytes()


def with_parts(count: int, *, message_id: bytes = b"parts", size: int = 1) -> bytes:
    """A mail of `count` attachments of `size` bytes, `count` + 2 MIME parts with its root
    and its text: 29 bytes a part, as a tester sent 5,000 of them in 145 kB."""
    part = b"--p\r\nContent-Type: a/b\r\n\r\n%s\r\n" % (b"x" * size)
    return (
        HEAD % message_id
        + b'Content-Type: multipart/mixed; boundary="p"\r\n\r\n'
        + b"--p\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nCi-joint le dossier.\r\n"
        + part * count
        + b"--p--\r\n"
    )


def private_dovecot(extra_config: str = "") -> Iterator[Dovecot]:
    binary = dovecot_binary()
    if binary is None:
        pytest.skip("Dovecot is not installed (Debian's dovecot-imapd)")
    server = Dovecot(binary, extra_config=extra_config).start()
    yield server
    server.stop()


def department_on(lot: Department, server: Dovecot) -> Department:
    user = server.new_user()
    mailbox = Mailbox(
        address=user.address, imap_host=server.host, imap_port=server.port("implicit"),
        smtp_host="127.0.0.1", certificate=str(user.certificate), key=str(user.key),
        ca_file=str(server.ca_file),
    )  # fmt: skip
    return replace(lot, mailbox=mailbox)
