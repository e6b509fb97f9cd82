"""Mailer against an in-process aiosmtpd recorder, plain and with TLS."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import aiosmtplib
import pytest

from frontdoor.outbound.mail import (
    Mailer,
    MailNotConfigured,
    OutboundError,
    SmtpSettings,
    describe,
)
from frontdoor.settings import Settings
from frontdoor.standins.smtp import Mode, SmtpRecorder
from tests.fakes.smtp import TlsSmtpRecorder

SENDER = "ne-pas-repondre@dac46.example.org"
REFERENT = "anne.martin@dac46.example.org"
SUBJECT = "Récapitulatif du jour : 3 sollicitations à rappeler"
BODY = "Bonjour,\n\nÀ rappeler avant 18 h : Mme Lefèvre (aidante), Dr Géraud.\n\nÇa se passe là.\n"
NOW = datetime(2026, 3, 30, 7, 0, tzinfo=UTC)


def settings_for(recorder: SmtpRecorder, **overrides: object) -> SmtpSettings:
    values: dict[str, object] = {
        "host": recorder.host,
        "port": recorder.port,
        "tls": "none",
        "sender": SENDER,
        "timeout_s": 5.0,
    }
    values.update(overrides)
    return SmtpSettings(**values)  # type: ignore[arg-type]


@pytest.fixture
async def tls_server(request: pytest.FixtureRequest) -> AsyncIterator[TlsSmtpRecorder]:
    mode: Mode = request.param
    recorder = await TlsSmtpRecorder(mode=mode, credentials=("dac46", "s3cret")).start()
    yield recorder
    await recorder.close()


async def test_a_french_mail_arrives_in_utf8_marked_as_automatic(
    smtp_server: SmtpRecorder,
) -> None:
    mailer = Mailer(settings_for(smtp_server), clock=lambda: NOW)

    message_id = await mailer.send(to=REFERENT, subject=SUBJECT, body=BODY)

    [mail] = smtp_server.mails
    assert mail.mail_from == SENDER
    assert mail.rcpt_tos == [REFERENT]
    assert not mail.tls
    message = mail.message
    assert message["Message-ID"] == message_id
    assert message_id.endswith("@dac46.example.org>")
    assert message["Auto-Submitted"] == "auto-generated"
    assert parsedate_to_datetime(message["Date"]) == NOW
    assert message["From"] == SENDER
    assert message["To"] == REFERENT
    assert message["Subject"] == SUBJECT
    assert message.get_content_type() == "text/plain"
    assert message.get_content_charset() == "utf-8"
    assert message.get_content().replace("\r\n", "\n") == BODY
    # The wire form stays 7-bit, so any relay carries it.
    assert mail.data.isascii()


async def test_one_mail_goes_to_several_recipients(smtp_server: SmtpRecorder) -> None:
    recipients = [REFERENT, "d.weber@dac57.example.org"]

    await Mailer(settings_for(smtp_server)).send(to=recipients, subject="Test", body="Bonjour")

    [mail] = smtp_server.mails
    assert mail.rcpt_tos == recipients
    assert mail.message["To"] == ", ".join(recipients)


async def test_every_mail_has_its_own_message_id(smtp_server: SmtpRecorder) -> None:
    mailer = Mailer(settings_for(smtp_server))

    first = await mailer.send(to=REFERENT, subject="Test", body="Un")
    second = await mailer.send(to=REFERENT, subject="Test", body="Deux")

    assert first != second


@pytest.mark.parametrize("tls_server", ["starttls", "implicit"], indirect=True)
async def test_tls_modes_encrypt_and_log_in(tls_server: TlsSmtpRecorder) -> None:
    smtp = settings_for(tls_server, tls=tls_server.mode, username="dac46", password="s3cret")
    mailer = Mailer(smtp, tls_context=tls_server.client_context())

    await mailer.send(to=REFERENT, subject=SUBJECT, body=BODY)

    [mail] = tls_server.mails
    assert mail.tls
    assert mail.login == "dac46"
    assert mail.message.get_content().replace("\r\n", "\n") == BODY


@pytest.mark.parametrize("tls_server", ["starttls"], indirect=True)
async def test_an_untrusted_server_certificate_is_refused(tls_server: TlsSmtpRecorder) -> None:
    mailer = Mailer(settings_for(tls_server, tls="starttls"))  # system CAs only

    with pytest.raises(OutboundError, match="the server's certificate is not trusted"):
        await mailer.send(to=REFERENT, subject="Test", body="Bonjour")

    assert tls_server.mails == []


@pytest.mark.parametrize("tls_server", ["starttls"], indirect=True)
async def test_a_wrong_password_says_which_setting_to_check(tls_server: TlsSmtpRecorder) -> None:
    smtp = settings_for(tls_server, tls="starttls", username="dac46", password="wrong")
    mailer = Mailer(smtp, tls_context=tls_server.client_context())

    with pytest.raises(OutboundError, match="refused the login FRONTDOOR_SMTP_USERNAME \\(535\\)"):
        await mailer.send(to=REFERENT, subject="Test", body="Bonjour")


async def test_starttls_against_a_server_without_it_fails_clearly(
    smtp_server: SmtpRecorder,
) -> None:
    mailer = Mailer(settings_for(smtp_server, tls="starttls"))

    with pytest.raises(OutboundError, match="does not offer STARTTLS: check FRONTDOOR_SMTP_TLS"):
        await mailer.send(to=REFERENT, subject="Test", body="Bonjour")


async def test_implicit_tls_against_a_plain_server_says_to_check_the_mode(
    smtp_server: SmtpRecorder,
) -> None:
    mailer = Mailer(settings_for(smtp_server, tls="implicit"))

    with pytest.raises(OutboundError, match="no TLS on this port: check FRONTDOOR_SMTP_TLS"):
        await mailer.send(to=REFERENT, subject="Test", body="Bonjour")


@pytest.mark.parametrize("mode", ["starttls", "implicit"])
async def test_a_server_demanding_a_client_certificate_says_so(mode: Mode) -> None:
    recorder = await TlsSmtpRecorder(mode=mode, require_client_certificate=True).start()
    mailer = Mailer(settings_for(recorder, tls=mode), tls_context=recorder.client_context())
    try:
        with pytest.raises(OutboundError, match="it may require a client certificate"):
            await mailer.send(to=REFERENT, subject="Test", body="Bonjour")
    finally:
        await recorder.close()


async def test_without_smtp_settings_mail_is_not_configured() -> None:
    with pytest.raises(MailNotConfigured, match="no SMTP server is configured"):
        await Mailer(None).send(to=REFERENT, subject="Test", body="Bonjour")


async def test_a_refused_recipient_becomes_an_outbound_error_without_the_address(
    smtp_server: SmtpRecorder,
) -> None:
    smtp_server.refuse_next("RCPT", f"550 5.1.1 <{REFERENT}>: Recipient address rejected")

    with pytest.raises(OutboundError) as raised:
        await Mailer(settings_for(smtp_server)).send(to=REFERENT, subject="Test", body="Bonjour")

    assert str(raised.value) == (
        f"mail not sent: SMTP server 127.0.0.1:{smtp_server.port} refused every recipient (550)"
    )
    assert smtp_server.mails == []


async def test_one_refused_recipient_among_several_does_not_stop_the_mail(
    smtp_server: SmtpRecorder, caplog: pytest.LogCaptureFixture
) -> None:
    smtp_server.refuse_next("RCPT", "550 5.1.1 Mailbox unavailable")

    await Mailer(settings_for(smtp_server)).send(
        to=[REFERENT, "d.weber@dac57.example.org"], subject="Test", body="Bonjour"
    )

    assert smtp_server.mails[0].rcpt_tos == ["d.weber@dac57.example.org"]
    assert "1 of 2 recipients refused (550)" in caplog.text
    assert REFERENT not in caplog.text


@pytest.mark.parametrize(
    ("command", "reply", "expected"),
    [
        ("MAIL", "553 5.7.1 Sender not allowed", "refused the sender FRONTDOOR_MAIL_FROM (553)"),
        ("DATA", "554 5.6.0 Message rejected", "refused the message (554)"),
        ("DATA", "451 4.3.0 Try again later", "refused the message (451)"),
    ],
    ids=["sender", "message", "temporary"],
)
async def test_an_smtp_refusal_becomes_an_outbound_error(
    smtp_server: SmtpRecorder, command: str, reply: str, expected: str
) -> None:
    smtp_server.refuse_next(command, reply)  # type: ignore[arg-type]

    with pytest.raises(OutboundError, match=expected.replace("(", "\\(").replace(")", "\\)")):
        await Mailer(settings_for(smtp_server)).send(to=REFERENT, subject="Test", body="Bonjour")


async def test_an_unreachable_server_becomes_an_outbound_error(smtp_server: SmtpRecorder) -> None:
    smtp = settings_for(smtp_server)
    await smtp_server.close()

    with pytest.raises(OutboundError, match="cannot connect to SMTP server 127.0.0.1"):
        await Mailer(smtp).send(to=REFERENT, subject="Test", body="Bonjour")


async def test_no_recipient_is_refused_before_connecting(smtp_server: SmtpRecorder) -> None:
    with pytest.raises(OutboundError, match="no recipient"):
        await Mailer(settings_for(smtp_server)).send(to=[], subject="Test", body="Bonjour")


def test_settings_give_smtp_settings_only_with_a_host() -> None:
    assert Settings().smtp is None
    smtp = Settings(
        smtp_host="smtp.example.org",
        smtp_username="dac46",
        smtp_password="s3cret",
        mail_from=SENDER,
    ).smtp
    assert smtp == SmtpSettings(
        host="smtp.example.org",
        port=587,
        tls="starttls",
        username="dac46",
        password="s3cret",
        sender=SENDER,
    )
    assert "s3cret" not in repr(smtp)


def test_a_host_without_a_sender_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="FRONTDOOR_MAIL_FROM is required"):
        Settings(smtp_host="smtp.example.org")


def test_the_client_context_is_a_real_tls_context() -> None:
    assert isinstance(TlsSmtpRecorder().client_context(), ssl.SSLContext)


# A server's reply, or aiosmtplib's account of it, quoting a recipient and a patient.
QUOTING = f"<{REFERENT}> (Mme Jeanne Dupont, 06 12 34 56 78)"


@pytest.mark.parametrize(
    ("error", "described"),
    [
        pytest.param(
            aiosmtplib.SMTPConnectError(f"Error connecting to {QUOTING}"),
            "cannot connect to SMTP server smtp.example.org:587 (SMTPConnectError)",
            id="connect",
        ),
        pytest.param(
            aiosmtplib.SMTPNotSupported(QUOTING),
            "SMTP server smtp.example.org:587 does not support what FRONTDOOR_SMTP_TLS asks",
            id="not-supported",
        ),
        pytest.param(
            aiosmtplib.SMTPServerDisconnected(QUOTING),
            "SMTP server smtp.example.org:587 closed the connection (during TLS or the dialogue)",
            id="disconnected",
        ),
        pytest.param(
            aiosmtplib.SMTPResponseException(421, QUOTING),
            "SMTP server smtp.example.org:587 answered 421",
            id="reply",
        ),
        pytest.param(
            aiosmtplib.SMTPException(QUOTING),
            "SMTP server smtp.example.org:587 failed (SMTPException)",
            id="other",
        ),
    ],
)
def test_an_smtp_failure_is_described_without_the_servers_words(
    error: aiosmtplib.SMTPException, described: str
) -> None:
    smtp = SmtpSettings(host="smtp.example.org", tls="none", sender=SENDER)

    assert describe(error, smtp) == described
