"""A local server that answers as Twilio's REST API does, for what Frontdoor uses: the
development mode's stand-in for Twilio (frontdoor.standins.running), and the tests' fake.

- `POST /2010-04-01/Accounts/{AccountSid}/Messages.json` → 201 with a Message resource;
- `POST /2010-04-01/Accounts/{AccountSid}/Calls.json` → 201 with a Call resource;
- `POST /2010-04-01/Accounts/{AccountSid}/Calls/{Sid}.json` → 200 with the Call resource
  updated (a live call given new TwiML: `Url`), kept in `redirected`;
- `DELETE /2010-04-01/Accounts/{AccountSid}/Recordings/{Sid}.json` → 204, or 404 when the
  recording was declared unknown or is already deleted;
- `DELETE /2010-04-01/Accounts/{AccountSid}/Calls/{Sid}.json` and `…/Messages/{Sid}.json` →
  204, kept in `deleted_calls` and `deleted_messages`; 404 (20404) for one declared unknown
  or already deleted; for one declared still in progress (`still_in_progress`), Twilio's
  error 20009, "cannot delete this resource before it is complete", answered 409;
- `GET /2010-04-01/Accounts/{AccountSid}/Recordings/{Sid}.mp3` → the recording's audio: a
  short tone made here (a WAV file: no encoder needed), which names the recording.

HTTP Basic auth with the account SID and auth token is required (401 otherwise); errors carry
Twilio's error JSON (`code`, `message`, `more_info`, `status`). Every request is recorded,
and each SMS sent or call placed is kept in `sent`.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import math
import secrets
import struct
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

from aiohttp import web

from frontdoor.standins.sent import PlacedCall, SentSms

API_VERSION = "2010-04-01"
ACCOUNT_PREFIX = f"/{API_VERSION}/Accounts/{{account_sid}}"
# GSM 03.38 basic set (one septet) and extension table (two septets).
GSM_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = "^{}\\[~]|€\f"


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    form: dict[str, str]
    username: str | None
    authorized: bool


@dataclass(frozen=True)
class Failure:
    status: int
    code: int
    message: str


def new_sid(prefix: str) -> str:
    return prefix + secrets.token_hex(16)


def num_segments(body: str) -> int:
    """How many SMS segments Twilio would bill for `body`."""
    if all(char in GSM_BASIC or char in GSM_EXTENSION for char in body):
        length = sum(2 if char in GSM_EXTENSION else 1 for char in body)
        single, multi = 160, 153
    else:
        length = sum(2 if ord(char) > 0xFFFF else 1 for char in body)
        single, multi = 70, 67
    return 1 if length <= single else -(-length // multi)


# A recording as Twilio makes them: 8 kHz, mono, 16-bit.
RATE = 8000


@functools.cache
def _tone() -> bytes:
    """Half a second of a 440 Hz beep, then half a second of silence (PCM samples)."""
    beep = [round(8000 * math.sin(2 * math.pi * 440 * n / RATE)) for n in range(RATE // 2)]
    return struct.pack(f"<{RATE}h", *beep, *([0] * (RATE - len(beep))))


def _chunk(name: bytes, data: bytes) -> bytes:
    return name + struct.pack("<I", len(data)) + data + b"\0" * (len(data) % 2)


def recording_audio(sid: str) -> bytes:
    """What the stand-in serves as a recording: a one-second WAV file (a beep, then
    silence) whose comment names the recording, so that a test can tell them apart."""
    comment = _chunk(b"ICMT", sid.encode("ascii") + b"\0")
    body = (
        b"WAVE"
        + _chunk(b"fmt ", struct.pack("<HHIIHH", 1, 1, RATE, RATE * 2, 2, 16))
        + _chunk(b"LIST", b"INFO" + comment)
        + _chunk(b"data", _tone())
    )
    return _chunk(b"RIFF", body)


def twilio_error(status: int, code: int, message: str) -> web.Response:
    return web.json_response(
        {
            "code": code,
            "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        },
        status=status,
    )


@dataclass
class FakeTwilioApi:
    account_sid: str = field(default_factory=lambda: new_sid("AC"))
    auth_token: str = field(default_factory=lambda: secrets.token_hex(16))
    requests: list[RecordedRequest] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)
    calls: list[dict[str, Any]] = field(default_factory=list)
    deleted_recordings: list[str] = field(default_factory=list)
    # Live calls given new TwiML, in order: (CallSid, Url).
    redirected: list[tuple[str, str]] = field(default_factory=list)
    unknown_recordings: set[str] = field(default_factory=set)
    # Call and Message records deleted, in order (their SIDs); those never known, and those
    # still in progress (a live call, a message not yet final), which Twilio will not delete.
    deleted_calls: list[str] = field(default_factory=list)
    deleted_messages: list[str] = field(default_factory=list)
    unknown_records: set[str] = field(default_factory=set)
    still_in_progress: set[str] = field(default_factory=set)
    # What left through it, typed, in order: the console's page of what was sent reads it.
    sent: list[SentSms | PlacedCall] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    base_url: str = ""
    # While given, a call placed is answered once it is set: Twilio slow to answer.
    placing_waits_for: asyncio.Event | None = None
    # Twilio slow to answer anything: every request waits this long first (bench/).
    answers_after_s: float = 0.0
    _runner: web.AppRunner | None = None

    def fail_next(
        self, *, status: int = 500, code: int | None = None, message: str | None = None
    ) -> None:
        """Answer the next request with this error instead of handling it."""
        default = "An internal server error has occurred" if status >= 500 else "Bad request"
        self.failures.append(Failure(status, code or 20000 + status, message or default))

    async def take_redirect(self, call_sid: str, *, connected_to: str = "") -> str | None:
        """The URL this live call was last given and not yet taken (the phone that plays the
        call's webhooks follows it: frontdoor.phone_twiml)."""
        for index in range(len(self.redirected) - 1, -1, -1):
            if self.redirected[index][0] == call_sid:
                return self.redirected.pop(index)[1]
        return None

    def forget_recording(self, sid: str) -> None:
        """Answer 404 to deletions of this recording, as for one that never existed."""
        self.unknown_recordings.add(sid)

    def forget_record(self, sid: str) -> None:
        """Answer 404 to deletions of this call or message, as for one that never existed."""
        self.unknown_records.add(sid)

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._record_and_check])
        app.router.add_post(ACCOUNT_PREFIX + "/Messages.json", self._create_message)
        app.router.add_post(ACCOUNT_PREFIX + "/Calls.json", self._create_call)
        app.router.add_post(ACCOUNT_PREFIX + "/Calls/{sid}.json", self._update_call)
        app.router.add_delete(ACCOUNT_PREFIX + "/Recordings/{sid}.json", self._delete_recording)
        app.router.add_delete(ACCOUNT_PREFIX + "/Calls/{sid}.json", self._delete_call)
        app.router.add_delete(ACCOUNT_PREFIX + "/Messages/{sid}.json", self._delete_message)
        app.router.add_get(ACCOUNT_PREFIX + "/Recordings/{sid}.mp3", self._recording_audio)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Listen on `port` (0: any free one; the port it had, to come back after close)."""
        self._runner = web.AppRunner(self.app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://{host}:{port}"
        return self.base_url

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @web.middleware
    async def _record_and_check(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        form = {key: str(value) for key, value in (await request.post()).items()}
        if self.answers_after_s:
            await asyncio.sleep(self.answers_after_s)
        username, authorized = self._authenticate(request)
        self.requests.append(
            RecordedRequest(request.method, request.path, form, username, authorized)
        )
        if not authorized:
            response = twilio_error(401, 20003, "Authenticate")
            response.headers["WWW-Authenticate"] = 'Basic realm="Twilio API"'
            return response
        if self.failures:
            failure = self.failures.pop(0)
            return twilio_error(failure.status, failure.code, failure.message)
        if request.match_info.get("account_sid") != self.account_sid:
            return twilio_error(404, 20404, f"The requested resource {request.path} was not found")
        return await handler(request)

    def _authenticate(self, request: web.Request) -> tuple[str | None, bool]:
        scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return None, False
        try:
            decoded = base64.b64decode(encoded, validate=True).decode("latin-1")
        except ValueError:
            return None, False
        login, _, password = decoded.partition(":")
        return login, (login, password) == (self.account_sid, self.auth_token)

    def _resource(self, kind: str, sid: str) -> dict[str, Any]:
        now = format_datetime(datetime.now(UTC), usegmt=True)
        return {
            "sid": sid,
            "account_sid": self.account_sid,
            "api_version": API_VERSION,
            "date_created": now,
            "date_updated": now,
            "direction": "outbound-api",
            "price": None,
            "status": "queued",
            "uri": f"/{API_VERSION}/Accounts/{self.account_sid}/{kind}/{sid}.json",
        }

    async def _create_message(self, request: web.Request) -> web.Response:
        form = self.requests[-1].form
        if not form.get("To"):
            return twilio_error(400, 21604, "A 'To' phone number is required.")
        if not form.get("From") and not form.get("MessagingServiceSid"):
            return twilio_error(400, 21603, "A 'From' phone number is required.")
        if not form.get("Body") and not form.get("MediaUrl"):
            return twilio_error(400, 21602, "Message body is required.")
        sid = new_sid("SM")
        message = self._resource("Messages", sid) | {
            "to": form["To"],
            "from": form.get("From"),
            "body": form["Body"],
            "date_sent": None,
            "error_code": None,
            "error_message": None,
            "messaging_service_sid": form.get("MessagingServiceSid"),
            "num_media": "0",
            "num_segments": str(num_segments(form["Body"])),
            "price_unit": "USD",
            "subresource_uris": {
                "media": f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{sid}/Media.json"
            },
        }
        self.messages.append(message)
        self.sent.append(
            SentSms(at=datetime.now(UTC), sid=sid, to=form["To"], sender=form.get("From") or "",
                    body=form["Body"])
        )  # fmt: skip
        return web.json_response(message, status=201)

    async def _create_call(self, request: web.Request) -> web.Response:
        form = self.requests[-1].form
        if self.placing_waits_for is not None:
            await self.placing_waits_for.wait()
        if not form.get("To"):
            return twilio_error(400, 21201, "No 'To' number is specified")
        if not form.get("From"):
            return twilio_error(400, 21213, "No 'From' number is specified")
        if not (form.get("Url") or form.get("Twiml") or form.get("ApplicationSid")):
            return twilio_error(400, 21205, "Url parameter is required.")
        sid = new_sid("CA")
        prefix = f"/{API_VERSION}/Accounts/{self.account_sid}/Calls/{sid}"
        call = self._resource("Calls", sid) | {
            "to": form["To"],
            "to_formatted": form["To"],
            "from": form["From"],
            "from_formatted": form["From"],
            "answered_by": None,
            "caller_name": None,
            "duration": None,
            "end_time": None,
            "start_time": None,
            "parent_call_sid": None,
            "phone_number_sid": None,
            "price_unit": "USD",
            "queue_time": "0",
            "subresource_uris": {
                "notifications": f"{prefix}/Notifications.json",
                "recordings": f"{prefix}/Recordings.json",
            },
        }
        self.calls.append(call)
        self.sent.append(
            PlacedCall(at=datetime.now(UTC), sid=sid, to=form["To"], sender=form["From"],
                       url=form.get("Url") or "")
        )  # fmt: skip
        return web.json_response(call, status=201)

    async def _update_call(self, request: web.Request) -> web.Response:
        """A live call given new TwiML (Twilio answers 404 for a call it does not know: here
        every CallSid is taken as live, the calls come from the webhooks' phone)."""
        form, sid = self.requests[-1].form, request.match_info["sid"]
        if not sid.startswith("CA"):
            return twilio_error(404, 20404, f"The requested resource {request.path} was not found")
        if not (form.get("Url") or form.get("Twiml") or form.get("Status")):
            return twilio_error(400, 21205, "Url parameter is required.")
        if form.get("Url"):
            self.redirected.append((sid, form["Url"]))
        call = self._resource("Calls", sid) | {"status": "in-progress"}
        return web.json_response(call, status=200)

    async def _recording_audio(self, request: web.Request) -> web.Response:
        """The recording's audio: bytes that name the recording, so a test can tell them apart."""
        sid = request.match_info["sid"]
        if sid in self.unknown_recordings or sid in self.deleted_recordings:
            return twilio_error(404, 20404, f"The requested resource {request.path} was not found")
        return web.Response(body=recording_audio(sid), content_type="audio/wav")

    async def _delete_recording(self, request: web.Request) -> web.Response:
        sid = request.match_info["sid"]
        if (
            not sid.startswith("RE")
            or sid in self.unknown_recordings
            or sid in self.deleted_recordings
        ):
            return twilio_error(404, 20404, f"The requested resource {request.path} was not found")
        self.deleted_recordings.append(sid)
        return web.Response(status=204)

    async def _delete_call(self, request: web.Request) -> web.Response:
        """Every well-formed CallSid is taken as a call Twilio holds (the calls come from the
        webhooks' phone), unless declared unknown or already deleted."""
        return self._delete_record(request, ("CA",), self.deleted_calls)

    async def _delete_message(self, request: web.Request) -> web.Response:
        return self._delete_record(request, ("SM", "MM"), self.deleted_messages)

    def _delete_record(
        self, request: web.Request, prefixes: tuple[str, ...], deleted: list[str]
    ) -> web.Response:
        sid = request.match_info["sid"]
        if not sid.startswith(prefixes) or sid in self.unknown_records or sid in deleted:
            return twilio_error(404, 20404, f"The requested resource {request.path} was not found")
        if sid in self.still_in_progress:
            return twilio_error(409, 20009, "Cannot delete this resource before it is complete")
        deleted.append(sid)
        return web.Response(status=204)
