"""Automatic notification mails (digests, alerts): plain-text UTF-8, sent through SMTP.

Every mail says `Auto-Submitted: auto-generated` (RFC 3834) so that mailboxes do not answer it
with an out-of-office reply. TLS is "none", "starttls" (submission, port 587) or "implicit"
(SMTPS, port 465); the `tls_context` argument is where client certificates (MSSanté) go.
"""

from __future__ import annotations

import binascii
import logging
import ssl
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.header import Header
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Literal

import aiosmtplib

from frontdoor.core.failures import describe_failure
from frontdoor.outbound.errors import OutboundError

__all__ = ["MailNotConfigured", "Mailer", "OutboundError", "SmtpSettings", "TlsMode"]

logger = logging.getLogger(__name__)

TlsMode = Literal["none", "starttls", "implicit"]


class MailNotConfigured(OutboundError):
    """No SMTP server is configured (FRONTDOOR_SMTP_HOST is unset)."""


@dataclass(kw_only=True, frozen=True)
class SmtpSettings:
    host: str
    port: int = 587
    tls: TlsMode = "starttls"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    sender: str
    timeout_s: float = 30.0


def utc_now() -> datetime:
    return datetime.now(UTC)


def compose(
    *,
    sender: str,
    to: Sequence[str],
    subject: str,
    body: str,
    now: datetime,
    headers: Mapping[str, str] | None = None,
) -> EmailMessage:
    """A French plain-text mail, UTF-8 in quoted-printable so that any relay carries it.

    `headers` add to or replace the defaults (In-Reply-To, References, Auto-Submitted…).
    """
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"
    message["Content-Language"] = "fr"
    for name, value in (headers or {}).items():
        del message[name]
        message[name] = value
    message.set_content(body, charset="utf-8", cte="quoted-printable")
    return message


_LINE = 78  # RFC 5322's recommended line length; headers longer are folded at a space


def render(
    *,
    sender: str,
    to: Sequence[str],
    subject: str,
    body: str,
    now: datetime,
    headers: Mapping[str, str] | None = None,
) -> tuple[str, bytes]:
    """The same mail as `compose` (its Message-ID, and the bytes to send), written directly:
    the stdlib's header registry and generator cost more than the rest of an acknowledgement.
    Header values lose their line breaks (no header injection from a quoted subject)."""
    values = {
        "From": sender,
        "To": ", ".join(to),
        "Subject": subject,
        "Date": format_datetime(now),
        "Message-ID": make_msgid(domain=sender.rpartition("@")[2] or None),
        "Auto-Submitted": "auto-generated",
        "Content-Language": "fr",
    }
    extra = {name.lower(): (name, value) for name, value in (headers or {}).items()}
    for name in list(values):
        if name.lower() in extra:
            del values[name]
    values.update(dict(extra.values()))
    values.update({"MIME-Version": "1.0", "Content-Type": 'text/plain; charset="utf-8"',
                   "Content-Transfer-Encoding": "quoted-printable"})  # fmt: skip
    lines = [_header_line(name, value) for name, value in values.items()]
    text = "\n".join(body.splitlines()) + "\n"
    encoded = binascii.b2a_qp(text.encode("utf-8"), istext=True).replace(b"\n", b"\r\n")
    head = "\r\n".join(lines).encode("ascii") + b"\r\n\r\n"
    return " ".join(values["Message-ID"].split()), head + encoded


def _header_line(name: str, value: str) -> str:
    value = " ".join(str(value).split())
    if not value.isascii():
        return f"{name}: " + Header(value, "utf-8", header_name=name).encode(linesep="\r\n")
    line, folded = f"{name}:", []
    for word in value.split(" "):
        if len(line) + 1 + len(word) > _LINE and line != f"{name}:":
            folded.append(line)
            line = ""
        line += " " + word
    return "\r\n".join([*folded, line])


class Mailer:
    """Sends mails through one SMTP server, one connection per mail."""

    def __init__(
        self,
        smtp: SmtpSettings | None,
        *,
        tls_context: ssl.SSLContext | None = None,
        clock: Callable[[], datetime] = utc_now,
        explain_tls: Callable[[BaseException], str | None] | None = None,
    ) -> None:
        self.smtp = smtp
        self.tls_context = tls_context
        self.clock = clock
        # Says why a TLS session with a client certificate failed (a department's mailbox:
        # frontdoor.mailbox.tls.tls_explainer); None: the generic hints of TLS_HINTS.
        self.explain_tls = explain_tls

    async def send(
        self,
        *,
        to: str | Sequence[str],
        subject: str,
        body: str,
        headers: Mapping[str, str] | None = None,
    ) -> str:
        """Send one mail to every address of `to`; returns its Message-ID."""
        async with self.connection() as connection:
            return await connection.send(to=to, subject=subject, body=body, headers=headers)

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[MailConnection]:
        """One SMTP connection for several mails (a poll's acknowledgements): one TLS
        handshake with the client certificate instead of one per mail."""
        smtp = self.smtp
        if smtp is None:
            raise MailNotConfigured("mail not sent: no SMTP server is configured")
        connection = MailConnection(self, smtp)
        try:
            yield connection
        finally:
            await connection.close()


class MailConnection:
    """Opened on its first mail; reopened once if the server dropped it in between."""

    def __init__(self, mailer: Mailer, smtp: SmtpSettings) -> None:
        self._mailer = mailer
        self._smtp = smtp
        self._client: aiosmtplib.SMTP | None = None

    async def send(
        self,
        *,
        to: str | Sequence[str],
        subject: str,
        body: str,
        headers: Mapping[str, str] | None = None,
    ) -> str:
        smtp = self._smtp
        recipients = [to] if isinstance(to, str) else list(to)
        if not recipients:
            raise OutboundError("mail not sent: no recipient")
        if not all(address.isascii() for address in (smtp.sender, *recipients)):
            raise OutboundError("mail not sent: an address is not plain ASCII")
        message_id, data = render(
            sender=smtp.sender,
            to=recipients,
            subject=subject,
            body=body,
            now=self._mailer.clock(),
            headers=headers,
        )
        try:
            try:
                client = await self._connected()
                refused, _reply = await client.sendmail(smtp.sender, recipients, data)
            except aiosmtplib.SMTPServerDisconnected:
                await self.close()  # dropped since the last mail: once more, afresh
                client = await self._connected()
                refused, _reply = await client.sendmail(smtp.sender, recipients, data)
        except aiosmtplib.SMTPException as error:
            await self.close()
            explained = self._explained(error)
            if explained:
                raise OutboundError(
                    f"mail not sent: {server(smtp)} failed ({explained})"
                ) from error
            raise OutboundError(f"mail not sent: {describe(error, smtp)}") from error
        except OSError as error:  # ssl.SSLError included
            await self.close()
            why = self._explained(error) or tls_hint(error, smtp) or describe_failure(error)
            raise OutboundError(f"mail not sent: {server(smtp)} failed ({why})") from error
        if refused:
            codes = sorted({reply.code for reply in refused.values()})
            logger.warning(
                "Mail %s: %d of %d recipients refused (%s)",
                message_id,
                len(refused),
                len(recipients),
                ", ".join(map(str, codes)),
            )
        logger.info("Mail sent: %s", message_id)
        return message_id

    def _explained(self, error: BaseException) -> str | None:
        """The mailer's own account of a failed TLS session (client certificates), if any."""
        explain = self._mailer.explain_tls
        if explain is None or self._smtp.tls == "none" or tls_hint(error, self._smtp) is None:
            return None
        return explain(error)

    async def _connected(self) -> aiosmtplib.SMTP:
        if self._client is None or not self._client.is_connected:
            smtp = self._smtp
            client = aiosmtplib.SMTP(
                hostname=smtp.host,
                port=smtp.port,
                username=smtp.username,
                password=smtp.password,
                use_tls=smtp.tls == "implicit",
                start_tls=smtp.tls == "starttls",
                tls_context=self._mailer.tls_context,
                timeout=smtp.timeout_s,
            )
            await client.connect()
            self._client = client
        return self._client

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None and client.is_connected:
            try:
                await client.quit()
            except (aiosmtplib.SMTPException, OSError):
                client.close()


def server(smtp: SmtpSettings) -> str:
    return f"SMTP server {smtp.host}:{smtp.port}"


# What OpenSSL says, and what the operator should check.
TLS_HINTS = {
    "CERTIFICATE_VERIFY_FAILED": "the server's certificate is not trusted",
    "WRONG_VERSION_NUMBER": "no TLS on this port: check FRONTDOOR_SMTP_TLS and FRONTDOOR_SMTP_PORT",
    "Unexpected EOF": "the server ended the TLS session: it may require a client certificate",
    "UNEXPECTED_EOF": "the server ended the TLS session: it may require a client certificate",
}


def tls_hint(error: BaseException, smtp: SmtpSettings) -> str | None:
    if smtp.tls == "none":
        return None
    text = f"{error} {error.__cause__ or ''}"
    return next((hint for marker, hint in TLS_HINTS.items() if marker in text), None)


def describe(error: aiosmtplib.SMTPException, smtp: SmtpSettings) -> str:
    """What went wrong, with SMTP reply codes but without addresses or the server's text (an
    SMTP reply quotes the address it refuses, aiosmtplib's messages the server's reply)."""
    where = server(smtp)
    hint = tls_hint(error, smtp)
    if hint:
        return f"{where} failed ({hint})"
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        codes = ", ".join(sorted({str(refusal.code) for refusal in error.recipients}))
        return f"{where} refused every recipient ({codes})"
    if isinstance(error, aiosmtplib.SMTPSenderRefused):
        return f"{where} refused the sender FRONTDOOR_MAIL_FROM ({error.code})"
    if isinstance(error, aiosmtplib.SMTPAuthenticationError):
        return f"{where} refused the login FRONTDOOR_SMTP_USERNAME ({error.code})"
    if isinstance(error, aiosmtplib.SMTPDataError):
        return f"{where} refused the message ({error.code})"
    if isinstance(error, aiosmtplib.SMTPTimeoutError):
        return f"{where} did not answer in {smtp.timeout_s:g} s (check FRONTDOOR_SMTP_TLS)"
    if isinstance(error, aiosmtplib.SMTPConnectError):
        return f"cannot connect to {where} ({describe_failure(error)})"
    if isinstance(error, aiosmtplib.SMTPNotSupported):
        return f"{where} does not support what FRONTDOOR_SMTP_TLS asks"
    if isinstance(error, aiosmtplib.SMTPServerDisconnected):
        return f"{where} closed the connection (during TLS or the dialogue)"
    if isinstance(error, aiosmtplib.SMTPResponseException):
        return f"{where} answered {error.code}"
    if "STARTTLS" in str(error):
        return f"{where} does not offer STARTTLS: check FRONTDOOR_SMTP_TLS"
    return f"{where} failed ({describe_failure(error)})"
