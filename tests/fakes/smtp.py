"""An in-process SMTP recorder (aiosmtpd) on a free loopback port, with scripted refusals.

It runs in the test's own event loop. TLS modes match `SmtpSettings.tls`: "none", "starttls"
(plain, then STARTTLS) and "implicit" (TLS from the first byte), with a server certificate for
127.0.0.1 and localhost issued by a throwaway CA (trustme); `client_context()` trusts it.
With `require_client_certificate`, the TLS handshake demands a certificate from that CA.
"""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any, Literal

import trustme
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

Mode = Literal["none", "starttls", "implicit"]
Command = Literal["MAIL", "RCPT", "DATA"]


@dataclass(frozen=True)
class ReceivedMail:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    tls: bool
    login: str | None

    @property
    def message(self) -> EmailMessage:
        parsed = message_from_bytes(self.data, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class SmtpRecorder:
    mode: Mode = "none"
    host: str = "127.0.0.1"
    credentials: tuple[str, str] | None = None
    require_client_certificate: bool = False
    mails: list[ReceivedMail] = field(default_factory=list)
    refusals: dict[str, list[str]] = field(default_factory=dict)
    port: int = 0
    ca: trustme.CA = field(default_factory=trustme.CA)
    _server: asyncio.AbstractServer | None = None

    def refuse_next(
        self, command: Command = "RCPT", reply: str = "550 5.1.1 Mailbox unavailable"
    ) -> None:
        """Answer the next MAIL, RCPT or DATA command with this reply."""
        self.refusals.setdefault(command, []).append(reply)

    def client_context(self) -> ssl.SSLContext:
        """A client TLS context that trusts this server's certificate."""
        context = ssl.create_default_context()
        self.ca.configure_trust(context)
        return context

    def _server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
        if self.require_client_certificate:  # as MSSanté operators do
            context.verify_mode = ssl.CERT_REQUIRED
            self.ca.configure_trust(context)
        return context

    async def start(self) -> SmtpRecorder:
        loop = asyncio.get_running_loop()
        tls = self._server_context() if self.mode != "none" else None

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
