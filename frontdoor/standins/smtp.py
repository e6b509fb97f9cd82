"""An SMTP server (aiosmtpd) on a free loopback port that keeps every mail, with scripted
refusals: the development mode's stand-in for an SMTP server (frontdoor.standins.running), and
the tests' recorder.

It runs in the caller's event loop. TLS modes match `SmtpSettings.tls`: "none", "starttls"
(plain, then STARTTLS) and "implicit" (TLS from the first byte); the TLS modes need a server
certificate, which `server_context()` gives: none here (the development mode speaks plain SMTP
on loopback), the tests' subclass makes one (tests/fakes/smtp.py).

aiosmtpd is a dependency of the test extra, which `./dev` installs: this module is imported
only where a stand-in is started, never by the service in production.
"""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import getaddresses
from typing import Any, Literal, Self

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from frontdoor.standins.sent import SentMail

Mode = Literal["none", "starttls", "implicit"]
Command = Literal["MAIL", "RCPT", "DATA"]


@dataclass(frozen=True)
class ReceivedMail:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    tls: bool
    login: str | None
    at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def message(self) -> EmailMessage:
        parsed = message_from_bytes(self.data, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed

    def as_sent(self) -> SentMail:
        """The mail as the console's page of what was sent shows it."""
        message = self.message
        body = message.get_body(preferencelist=("plain",))
        return SentMail(
            at=self.at,
            sender=self.mail_from,
            to=tuple(address for _name, address in getaddresses(self.rcpt_tos)),
            subject=str(message["Subject"] or ""),
            body=body.get_content() if isinstance(body, EmailMessage) else "",
        )


@dataclass
class SmtpRecorder:
    mode: Mode = "none"
    host: str = "127.0.0.1"
    credentials: tuple[str, str] | None = None
    mails: list[ReceivedMail] = field(default_factory=list)
    refusals: dict[str, list[str]] = field(default_factory=dict)
    port: int = 0
    _server: asyncio.AbstractServer | None = None

    def refuse_next(
        self, command: Command = "RCPT", reply: str = "550 5.1.1 Mailbox unavailable"
    ) -> None:
        """Answer the next MAIL, RCPT or DATA command with this reply."""
        self.refusals.setdefault(command, []).append(reply)

    def server_context(self) -> ssl.SSLContext | None:
        """The server's TLS context, for the "starttls" and "implicit" modes."""
        return None

    async def start(self) -> Self:
        loop = asyncio.get_running_loop()
        tls = self.server_context() if self.mode != "none" else None
        if self.mode != "none" and tls is None:
            raise ValueError(f"an SMTP server in {self.mode!r} mode needs a server certificate")

        def protocol() -> SMTP:
            return SMTP(
                self,
                hostname="smtp.fake.test",
                tls_context=tls if self.mode == "starttls" else None,
                require_starttls=self.mode == "starttls",
                auth_require_tls=self.mode == "starttls",
                authenticator=self._authenticate,
                loop=loop,
            )

        ssl_context = tls if self.mode == "implicit" else None
        # Port 0 the first time; after close(), start() listens on the same port again (a
        # server that was down and is back).
        self._server = await loop.create_server(protocol, self.host, self.port, ssl=ssl_context)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    def _refusal(self, command: Command) -> str | None:
        queue = self.refusals.get(command)
        return queue.pop(0) if queue else None

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        if not isinstance(data, LoginPassword) or self.credentials is None:
            return AuthResult(success=False, handled=False)
        login, password = data.login.decode(), data.password.decode()
        if (login, password) != self.credentials:
            # handled=False: aiosmtpd answers 535 itself.
            return AuthResult(success=False, handled=False)
        return AuthResult(success=True, auth_data=login)

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        refusal = self._refusal("MAIL")
        if refusal:
            return refusal
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        refusal = self._refusal("RCPT")
        if refusal:
            return refusal
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        refusal = self._refusal("DATA")
        if refusal:
            return refusal
        content = envelope.original_content or b""
        self.mails.append(
            ReceivedMail(
                mail_from=envelope.mail_from or "",
                rcpt_tos=list(envelope.rcpt_tos),
                data=content,
                tls=server.transport is not None
                and server.transport.get_extra_info("ssl_object") is not None,
                login=session.auth_data if session.authenticated else None,
            )
        )
        return "250 Message accepted for delivery"
