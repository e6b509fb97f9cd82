"""The IMAP side of a department's mailbox: connect (implicit TLS or STARTTLS), log in with the
client certificate (SASL EXTERNAL) or a plain login, list what is new, fetch, mark handled.

Built on aioimaplib, which speaks implicit TLS only. STARTTLS is added here the way aiosmtplib
does it: the command, then `loop.start_tls` on the same transport and protocol, then the
capabilities asked again (RFC 3501 §6.2.1: those sent before TLS are not to be trusted).
aioimaplib has no AUTHENTICATE either: EXTERNAL goes through its command API, with an empty
initial response ("=", RFC 4959) or an empty line at the server's "+".

Messages are read with BODY.PEEK (a person's \\Seen is left alone) and found by a keyword of
our own, so a crash before the request is committed leaves the message to be read again.
Folder names go out in modified UTF-7 (frontdoor.mailbox.folder_names), all through `_folder`.
"""

from __future__ import annotations

import asyncio
import re
import socket
import ssl
from collections.abc import Callable, Sequence
from datetime import datetime
from types import TracebackType
from typing import Self

import aioimaplib
from aioimaplib.aioimaplib import (
    AUTH,
    STOP_WAIT_SERVER_PUSH,
    Command,
    IMAP4ClientProtocol,
    Response,
)

from frontdoor.core.mailbox import ClientCertificate, LoginFailure, MailTls, login_failure
from frontdoor.mailbox.folder_names import decode as decode_folder
from frontdoor.mailbox.folder_names import encode as encode_folder
from frontdoor.mailbox.tls import now_utc

HANDLED = "$FrontdoorHandled"
PARKED = "$FrontdoorParked"
_FETCH_SIZE = re.compile(rb"\{(\d+)\}$")
_FETCH_UID = re.compile(rb"\bUID (\d+)")
_SIZE = re.compile(rb"\bRFC822\.SIZE (\d+)")
_INTERNALDATE = re.compile(rb'\bINTERNALDATE "([^"]+)"')
_RESPONSE_CODE = re.compile(r"\[([A-Z][A-Z-]{1,30})\]")


class MailboxError(Exception):
    """The mailbox could not be read; the message says what to check, never a mail's content."""


class MailboxLoginError(MailboxError):
    """The mailbox could not be opened (connection, TLS, login, folder); `failure` says why
    as /readyz and the metrics do (core.mailbox.login_failure)."""

    def __init__(self, message: str, failure: LoginFailure) -> None:
        super().__init__(message)
        self.failure = failure


class ClientCertificateRequired(MailboxLoginError):
    """No certificate was presented, and the server requires one."""

    def __init__(self, message: str) -> None:
        super().__init__(message, LoginFailure.NO_CERTIFICATE)


class _Protocol(IMAP4ClientProtocol):
    """aioimaplib's protocol with STARTTLS and AUTHENTICATE EXTERNAL."""

    transport: asyncio.Transport  # set by asyncio (connection_made), replaced by STARTTLS

    async def starttls(self, context: ssl.SSLContext, server_hostname: str) -> None:
        if "STARTTLS" not in self.capabilities:
            raise MailboxLoginError(
                "the IMAP server does not offer STARTTLS: check imap_tls", LoginFailure.UNREACHABLE
            )
        response = await self.execute(Command("STARTTLS", self.new_tag(), loop=self.loop))
        if response.result != "OK":
            raise MailboxLoginError(
                f"the IMAP server refused STARTTLS ({response.result})", LoginFailure.UNREACHABLE
            )
        self.transport = await self.loop.start_tls(
            self.transport, self, context, server_hostname=server_hostname
        )
        await self.capability()

    async def authenticate_external(self) -> Response:
        args = ("EXTERNAL", "=") if "SASL-IR" in self.capabilities else ("EXTERNAL",)
        response = await self.execute(
            Command("AUTHENTICATE", self.new_tag(), *args, loop=self.loop)
        )
        if response.result == "OK":
            self.state = AUTH
        return response

    def _continuation(self, line: bytes) -> None:
        pending = self.pending_sync_command
        if pending is not None and pending.name == "AUTHENTICATE":
            self.transport.write(b"\r\n")  # EXTERNAL: the identity is the certificate's
            return
        super()._continuation(line)


class _Client(aioimaplib.IMAP4):
    def create_client(
        self,
        host: str,
        port: int,
        loop: asyncio.AbstractEventLoop | None,
        conn_lost_cb: object = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        local_loop = loop or asyncio.get_running_loop()
        self.protocol = _Protocol(local_loop, conn_lost_cb)
        self._client_task = local_loop.create_task(
            local_loop.create_connection(lambda: self.protocol, host, port, ssl=ssl_context)
        )


class ImapMailbox:
    """One session on one folder. `async with ImapMailbox(...) as box:`."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        tls: MailTls,
        context: ssl.SSLContext,
        folder: str = "INBOX",
        has_certificate: bool,
        certificate: Callable[[], ClientCertificate | None] = lambda: None,
        login: str | None = None,
        password: str | None = None,
        timeout_s: float = 30.0,
        now: Callable[[], datetime] = now_utc,
    ) -> None:
        self.host, self.port, self.tls, self.context = host, port, tls, context
        self.folder = folder
        self.has_certificate = has_certificate
        # What is known of the certificate (read when a login failed, to say why), and real
        # time to judge it by.
        self.certificate, self.now = certificate, now
        self.login_name, self.password = login, password
        self.timeout_s = timeout_s
        self._client: _Client | None = None
        self._created: set[str] = set()  # folders this session made sure exist
        self._lost = False  # the server closed the connection

    @property
    def where(self) -> str:
        return f"IMAP server {self.host}:{self.port} ({self.tls})"

    async def __aenter__(self) -> Self:
        try:
            await self.open()
        except BaseException:
            await self.close()
            raise
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if kind is not None and issubclass(kind, asyncio.CancelledError):
            # Stopping in the middle of a command (a poll, a flag): its answer will never be
            # read, and a LOGOUT would wait behind it. The connection is dropped at once.
            self._lost = True
        await self.close()

    async def open(self) -> None:
        implicit = self.context if self.tls == "implicit" else None
        client = _Client(
            host=self.host,
            port=self.port,
            timeout=self.timeout_s,
            ssl_context=implicit,
            conn_lost_cb=self._connection_lost,
        )
        self._client = client
        try:
            await client.wait_hello_from_server()
            if self.tls == "starttls":
                await client.protocol.starttls(self.context, self.host)
        except (ssl.SSLError, ConnectionError, OSError, TimeoutError) as error:
            raise self._failed(error=error) from error
        await self._login(client)
        await client.protocol.capability()  # after login servers say more (MOVE, UIDPLUS)
        selected = await client.select(_folder(self.folder))
        if selected.result != "OK":
            raise MailboxLoginError(
                f"{self.where}: could not select the folder {self.folder!r} ({selected.result})",
                LoginFailure.FOLDER,
            )

    async def _login(self, client: _Client) -> None:
        if self.login_name and self.password and not self.has_certificate:
            response = await client.login(self.login_name, self.password)
        elif self.has_certificate:
            response = await client.protocol.authenticate_external()
        else:
            raise ClientCertificateRequired(
                f"{self.where}: no client certificate is configured for this mailbox "
                "(certificate and key in [mailbox]): MSSanté servers require a client certificate"
            )
        if response.result != "OK":
            said = b" ".join(response.lines).decode(errors="replace").lower()
            raise self._failed(refused="certificate" in said)

    def _failed(self, *, error: BaseException | None = None, refused: bool = False) -> MailboxError:
        """Why the mailbox could not be opened, classified (core.mailbox.login_failure)."""
        reached = not isinstance(error, ConnectionRefusedError | TimeoutError | socket.gaierror)
        tls_error = None if error is None else f"{type(error).__name__}: {error}"
        verdict = login_failure(
            at=self.now(),
            presented=self.has_certificate,
            certificate=self.certificate(),
            tls_error=tls_error,
            refused=refused,
            reached=reached,
        )
        if error is None:
            message = f"{self.where} refused the login: {verdict.explanation}"
        else:
            reason = getattr(error, "reason", None) or type(error).__name__
            message = f"{self.where}: {verdict.explanation} ({reason})"
        if verdict.failure is LoginFailure.NO_CERTIFICATE:
            return ClientCertificateRequired(message)
        return MailboxLoginError(message, verdict.failure)

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is None:
            return
        try:
            if not self._lost and client.protocol.state in ("AUTH", "SELECTED", "NONAUTH"):
                await asyncio.wait_for(client.logout(), self.timeout_s)
        except (aioimaplib.AioImapException, OSError, TimeoutError):
            pass
        finally:
            if client.protocol.transport is not None:
                client.protocol.transport.close()

    @property
    def client(self) -> _Client:
        if self._client is None:
            raise MailboxError("the mailbox is not open")
        return self._client

    async def _ok(self, call: object, what: str) -> Response:
        response: Response = await call  # type: ignore[misc]
        if response.result != "OK":
            raise MailboxError(f"{self.where}: could not {what} ({response.result})")
        return response

    async def new_messages(self) -> list[str]:
        """UIDs of the messages neither handled nor parked, oldest first."""
        response = await self._ok(
            self.client.uid_search(f"UNKEYWORD {HANDLED} UNKEYWORD {PARKED}", charset=None),
            "search the folder",
        )
        uids = [u for line in response.lines[:-1] for u in line.decode().split() if u.isdigit()]
        return sorted(uids, key=int)

    async def sizes(self, uids: Sequence[str]) -> tuple[dict[str, int], dict[str, datetime]]:
        """RFC822.SIZE of each message, what decides, before any byte of a body is read,
        whether it fits under the limit; and its INTERNALDATE, when the server received it
        (the start of its intake lag). In one command."""
        if not uids:
            return {}, {}
        response = await self._ok(
            self.client.uid("fetch", uid_set(uids), "(RFC822.SIZE INTERNALDATE)"), "fetch sizes"
        )
        sizes, arrivals = {}, {}
        for line in response.lines[:-1]:
            uid, size = _FETCH_UID.search(bytes(line)), _SIZE.search(bytes(line))
            if uid and size:
                sizes[uid.group(1).decode()] = int(size.group(1))
                arrived = internal_date(bytes(line))
                if arrived is not None:
                    arrivals[uid.group(1).decode()] = arrived
        return sizes, arrivals

    async def fetch(
        self, uids: Sequence[str], *, header_only: int | None = None
    ) -> dict[str, bytes]:
        """The messages (UID → bytes) in one command, without marking them \\Seen; with
        `header_only`, at most that many bytes of each header and nothing of the body. A
        message deleted in between is simply absent."""
        if not uids:
            return {}
        part = f"BODY.PEEK[HEADER]<0.{header_only}>" if header_only else "BODY.PEEK[]"
        response = await self._ok(self.client.uid("fetch", uid_set(uids), f"(UID {part})"), "fetch")
        return _literals_by_uid(response.lines[:-1])

    async def mark_handled(self, uids: Sequence[str], handled_folder: str | None) -> None:
        """Our keyword on all of them in one command, then the move if the department asks."""
        await self._flag(uids, HANDLED)
        if handled_folder and uids:
            await self._move(uids, handled_folder)

    async def park(self, uids: Sequence[str], parked_folder: str | None) -> None:
        """Out of the way, kept: the parked keyword, then the parking folder if there is one."""
        await self._flag(uids, PARKED)
        if parked_folder and uids:
            await self._move(uids, parked_folder)

    async def _flag(self, uids: Sequence[str], keyword: str) -> None:
        if uids:
            command = self.client.uid("store", uid_set(uids), "+FLAGS.SILENT", f"({keyword})")
            await self._ok(command, "flag")

    async def _move(self, uids: Sequence[str], folder: str) -> None:
        if folder not in self._created:
            created = await self.client.create(_folder(folder))
            said = b" ".join(bytes(line) for line in created.lines).decode(errors="replace")
            if created.result != "OK" and "[ALREADYEXISTS]" not in said:
                raise MailboxError(
                    f"{self.where}: could not create the folder {folder!r} ({created.result}"
                    f"{_response_code(said)})"
                )
            self._created.add(folder)
        where = uid_set(uids)
        if "MOVE" in self.client.protocol.capabilities:
            await self._ok(self.client.uid("move", where, _folder(folder)), f"move to {folder!r}")
            return
        await self._ok(self.client.uid("copy", where, _folder(folder)), f"copy to {folder!r}")
        await self._ok(self.client.uid("store", where, "+FLAGS.SILENT", "(\\Deleted)"), "delete")
        # UID EXPUNGE (UIDPLUS) leaves alone what a person marked deleted meanwhile.
        if "UIDPLUS" in self.client.protocol.capabilities:
            await self._ok(self.client.uid("expunge", where), "expunge")
        else:
            await self._ok(self.client.expunge(), "expunge")

    async def folders(self) -> list[str]:
        """Every folder of the mailbox, its name decoded (LIST "" "*")."""
        response = await self._ok(self.client.list('""', '"*"'), "list the folders")
        names = (listed_folder(bytes(line).decode("ascii", "replace")) for line in response.lines)
        return sorted(name for name in names if name is not None)

    @property
    def offers_idle(self) -> bool:
        return "IDLE" in self.client.protocol.capabilities

    async def wait_for_new(self, timeout_s: float) -> bool:
        """IDLE (RFC 2177) until the server says a message arrived (True) or `timeout_s`
        passed (False: a server ends an IDLE after 30 min, so callers renew it sooner).
        Raises MailboxError when the server says BYE or the connection drops."""
        client = self.client
        idle = await client.idle_start(timeout=timeout_s)
        try:
            while True:
                try:
                    lines = await client.wait_server_push(timeout=timeout_s + self.timeout_s)
                except TimeoutError:
                    lines = STOP_WAIT_SERVER_PUSH
                if self._lost or any(bytes(line).startswith(b"BYE") for line in lines):
                    raise MailboxError(f"{self.where} closed the connection")
                if lines == STOP_WAIT_SERVER_PUSH:
                    return False
                if any(bytes(line).endswith(b"EXISTS") for line in lines):
                    return True
        except asyncio.CancelledError:
            # Stopping (the app shuts down): no goodbye to the server, the connection is
            # dropped by close() at once rather than waiting on DONE and LOGOUT answers.
            self._lost = True
            raise
        finally:
            if client.has_pending_idle() and not self._lost:
                client.idle_done()
                await asyncio.wait_for(idle, self.timeout_s)

    def _connection_lost(self, error: Exception | None) -> None:
        self._lost = True
        if self._client is not None:  # wakes a wait_for_new up at once
            self._client.protocol.idle_queue.put_nowait([b"connection lost"])

    async def append(
        self, raw: bytes, folder: str | None = None, *, arrived: datetime | None = None
    ) -> None:
        """Put a message into a folder (tests, and re-delivery by an operator); `arrived`
        sets its INTERNALDATE (else the server's now)."""
        command = self.client.append(raw, mailbox=_folder(folder or self.folder), date=arrived)
        await self._ok(command, "append")


def internal_date(line: bytes) -> datetime | None:
    """The INTERNALDATE of a FETCH response line ("17-Jul-1996 02:44:25 -0700"), if any."""
    found = _INTERNALDATE.search(line)
    if found is None:
        return None
    try:  # %b reads English month names: Python leaves LC_TIME at "C"
        return datetime.strptime(found.group(1).decode().strip(), "%d-%b-%Y %H:%M:%S %z")
    except ValueError:
        return None


def uid_set(uids: Sequence[str]) -> str:
    """ "3:5,9" for 3, 4, 5 and 9: one short argument for a whole batch."""
    numbers = sorted({int(uid) for uid in uids})
    runs: list[list[int]] = []
    for number in numbers:
        if runs and number == runs[-1][1] + 1:
            runs[-1][1] = number
        else:
            runs.append([number, number])
    return ",".join(str(a) if a == b else f"{a}:{b}" for a, b in runs)


def _literals_by_uid(lines: Sequence[bytes | bytearray]) -> dict[str, bytes]:
    """UID → literal of an untagged FETCH response as aioimaplib gives it: each message's
    line ending in {size}, then its literal (a bytearray), then the closing line."""
    found: dict[str, bytes] = {}
    for index, line in enumerate(lines):
        if isinstance(line, bytearray) or not _FETCH_SIZE.search(line):
            continue
        uid = _FETCH_UID.search(line)
        if uid is None and index + 2 < len(lines):  # UID after the literal: "UID 7)"
            uid = _FETCH_UID.search(bytes(lines[index + 2]))
        if uid is not None and index + 1 < len(lines):
            found[uid.group(1).decode()] = bytes(lines[index + 1])
    return found


def _folder(name: str) -> str:
    """A folder name as a command argument: modified UTF-7 (RFC 3501 §5.1.3), quoted. Every
    name Frontdoor sends goes through here (tests/mailbox/test_folder_names.py checks it)."""
    encoded = encode_folder(name)
    return '"' + encoded.replace("\\", "\\\\").replace('"', '\\"') + '"'


_LIST_LINE = re.compile(r'^\([^)]*\) (?:"(?:[^"\\]|\\.)*"|NIL) (?P<name>.+)$')


def listed_folder(line: str) -> str | None:
    """The folder a LIST response line names, decoded: '(\\HasNoChildren) "/" "Trait&AOk-s"'
    → "Traités"; None for a line that is not one."""
    found = _LIST_LINE.match(line.strip())
    if found is None:
        return None
    name = found.group("name")
    if name.startswith('"') and name.endswith('"') and len(name) >= 2:
        name = re.sub(r"\\(.)", r"\1", name[1:-1])
    return decode_folder(name)


def _response_code(said: str) -> str:
    """The IMAP response code of a server's answer (" [CANNOT]", RFC 5530), or nothing: the
    code is a word of the protocol, the text after it the server's own (it may quote a name)."""
    code = _RESPONSE_CODE.search(said)
    return f" [{code[1]}]" if code else ""
