"""Twilio's REST API for what the jobs and click-to-call need: send an SMS, place a call, delete a
recording, delete a call's or an SMS's record.

Built on twilio-python's own client with its aiohttp-based `AsyncTwilioHttpClient`. A small
subclass of that HTTP client sends every request meant for a `*.twilio.com` host to
`api_base_url` instead when one is given (a local fake in tests, a relay in some deployments),
and applies the client-wide timeout that the library's async client otherwise ignores.

Construct a `TwilioApi` inside the running event loop (e.g. in a cleanup context) and close it:
the library's HTTP client opens its aiohttp session in its constructor.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec, TypeVar
from urllib.parse import urlsplit, urlunsplit

import aiohttp
from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from frontdoor.outbound.errors import OutboundError

__all__ = ["OutboundError", "TwilioApi", "redirect_url"]

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT_S = 15.0
# A voicemail is at most a few minutes: far below this.
MAX_RECORDING_BYTES = 20_000_000
RECORDING_SID = re.compile(r"RE[0-9a-fA-F]{32}")
ACCOUNT_SID = re.compile(r"AC[0-9a-fA-F]{32}")
# Hints for the errors an operator can fix; any other code is reported with Twilio's error page.
HINTS = {
    20003: "authentication refused: check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN",
    20009: "not yet complete: a call in progress, a message not yet final; try again later",
    20404: "unknown resource",
    21211: "invalid destination number",
    21212: "invalid sender number",
    21606: "the sender number cannot send SMS",
    21608: "trial accounts only send to verified numbers",
    21610: "the recipient has opted out (STOP)",
    21614: "the destination is not a mobile number",
}

P = ParamSpec("P")
T = TypeVar("T")


def is_twilio_host(host: str | None) -> bool:
    host = (host or "").lower().rstrip(".")
    return host == "twilio.com" or host.endswith(".twilio.com")


def redirect_url(url: str, base_url: str | None) -> str:
    """`url` with its scheme and host replaced by `base_url`'s when it is meant for Twilio.

    Path and query are kept; a path in `base_url` is put in front of them.
    """
    if base_url is None:
        return url
    parts = urlsplit(url)
    if not is_twilio_host(parts.hostname):
        return url
    base = urlsplit(base_url)
    path = base.path.rstrip("/") + parts.path
    return urlunsplit((base.scheme, base.netloc, path, parts.query, parts.fragment))


def basic_authorization(login: str, password: str) -> str:
    credentials = base64.b64encode(f"{login}:{password}".encode("latin-1")).decode("ascii")
    return f"Basic {credentials}"


class RedirectingHttpClient(AsyncTwilioHttpClient):
    """The library's async HTTP client, pointed at `base_url`, with its timeout applied."""

    def __init__(self, *, base_url: str | None, timeout: float = DEFAULT_TIMEOUT_S) -> None:
        if base_url is not None and urlsplit(base_url).scheme not in ("http", "https"):
            raise ValueError("the Twilio API URL must start with http:// or https://")
        super().__init__(timeout=timeout)
        self.base_url = base_url.rstrip("/") if base_url else None

    async def request(
        self,
        method: str,
        url: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 (the library's signature)
        allow_redirects: bool = False,
    ) -> Response:
        # The parent passes timeout=None on to aiohttp, which then waits forever
        # (twilio-python issue #925): fall back to the client's own timeout.
        # It also wraps `auth` in aiohttp.BasicAuth, deprecated since aiohttp 3.14: send the
        # Authorization header ourselves.
        headers = dict(headers or {})
        if auth is not None:
            headers["Authorization"] = basic_authorization(*auth)
        return await super().request(
            method,
            redirect_url(url, self.base_url),
            params=params,
            data=data,
            headers=headers,
            auth=None,
            timeout=timeout if timeout is not None else self.timeout,
            allow_redirects=allow_redirects,
        )

    def log_request(self, kwargs: dict[str, Any]) -> None:
        # The parent logs eight lines per request at INFO; one at DEBUG is enough.
        logger.debug("Twilio API request: %s %s", kwargs["method"], urlsplit(kwargs["url"]).path)

    def log_response(self, status_code: int, response: Any) -> None:
        logger.debug("Twilio API response: %s", status_code)


def describe(error: TwilioRestException | TwilioServiceException) -> str:
    """Status and code only: Twilio's own message may quote the phone number."""
    code = error.code
    status = error.status
    hint = HINTS.get(code) if isinstance(code, int) else None
    if hint is None and isinstance(code, int) and code != status:
        hint = f"see https://www.twilio.com/docs/errors/{code}"
    described = f"Twilio answered HTTP {status}, error {code}"
    return f"{described} ({hint})" if hint else described


def provider_errors(
    action: str,
) -> Callable[[Callable[P, Awaitable[T]]], Callable[P, Awaitable[T]]]:
    """Map what the library and aiohttp raise to OutboundError("<action> failed: <why>")."""

    def decorate(call: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
        @functools.wraps(call)
        async def mapped(*args: P.args, **kwargs: P.kwargs) -> T:
            try:
                return await call(*args, **kwargs)
            except (TwilioRestException, TwilioServiceException) as error:
                raise OutboundError(f"{action} failed: {describe(error)}") from error
            except TimeoutError as error:
                raise OutboundError(f"{action} failed: the Twilio API did not answer") from error
            except aiohttp.ClientError as error:
                why = type(error).__name__
                raise OutboundError(f"{action} failed: cannot reach the Twilio API ({why})") from (
                    error
                )
            except (TwilioException, ValueError) as error:
                why = type(error).__name__
                raise OutboundError(f"{action} failed: unexpected Twilio answer ({why})") from (
                    error
                )

        return mapped

    return decorate


def parse_recording(recording: str) -> tuple[str | None, str]:
    """(account SID or None, recording SID) from a RecordingUrl or a bare RE… SID."""
    if RECORDING_SID.fullmatch(recording):
        return None, recording
    segments = urlsplit(recording).path.split("/")
    last = segments[-1].rsplit(".", 1)[0] if segments else ""
    if not RECORDING_SID.fullmatch(last):
        raise OutboundError("recording deletion failed: not a recording URL or RE… SID")
    account = next((segment for segment in segments if ACCOUNT_SID.fullmatch(segment)), None)
    return account, last


def _checked(sid: str, *prefixes: str) -> str:
    """The SID, when it is one of these kinds (it goes into the URL's path)."""
    if not re.fullmatch(r"[A-Z]{2}[0-9a-fA-F]{32}", sid) or not sid.startswith(prefixes):
        raise ValueError("not a SID of the expected kind")
    return sid


async def _deleted(deletion: Awaitable[bool], sid: str) -> bool:
    """Await a record's deletion: True when deleted, False when it was already gone (404)."""
    try:
        await deletion
    except TwilioRestException as error:
        if error.status != 404:
            raise
        logger.info("Record already deleted: %s", sid)
        return False
    logger.info("Record deleted: %s", sid)
    return True


class TwilioApi:
    """SMS, calls, and the deletion of recordings and of call and message records, for one
    Twilio account."""

    def __init__(
        self,
        *,
        account_sid: str,
        auth_token: str,
        api_base_url: str | None = None,
        timeout_s: float = DEFAULT_TIMEOUT_S,
    ) -> None:
        self.account_sid = account_sid
        self._authorization = basic_authorization(account_sid, auth_token)
        self._http = RedirectingHttpClient(base_url=api_base_url, timeout=timeout_s)
        self._client = Client(account_sid, auth_token, http_client=self._http)

    @provider_errors("SMS sending")
    async def send_sms(self, *, to: str, from_: str, body: str) -> str:
        """Queue an SMS; returns its Message SID."""
        message = await self._client.messages.create_async(to=to, from_=from_, body=body)
        logger.info("SMS sent: %s", message.sid)
        return str(message.sid)

    @provider_errors("call placing")
    async def place_call(
        self,
        *,
        to: str,
        from_: str,
        url: str,
        status_callback: str | None = None,
        timeout_s: int = 25,
    ) -> str:
        """Place a call whose TwiML is fetched from `url`; returns its Call SID."""
        options: dict[str, Any] = {"url": url, "timeout": timeout_s}
        if status_callback is not None:
            options["status_callback"] = status_callback
        call = await self._client.calls.create_async(to=to, from_=from_, **options)
        logger.info("Call placed: %s", call.sid)
        return str(call.sid)

    @provider_errors("call redirection")
    async def redirect_call(self, call_sid: str, *, url: str) -> None:
        """Give a live call new TwiML, fetched from `url` (a transfer: frontdoor.core.transfer).
        A call in a <Dial> leaves it: redirecting the caller releases the leg she was bridged
        to; redirecting that leg ends the caller's <Dial>, whose action runs."""
        await self._client.calls(call_sid).update_async(url=url, method="POST")
        logger.info("Call redirected: %s", call_sid)

    @provider_errors("recording deletion")
    async def delete_recording(self, recording: str) -> None:
        """Delete a recording given its RecordingUrl or SID; one already gone counts as deleted."""
        account, sid = parse_recording(recording)
        recordings = self._client.api.v2010.accounts(account or self.account_sid).recordings
        try:
            await recordings(sid).delete_async()
        except TwilioRestException as error:
            if error.status != 404:
                raise
            logger.info("Recording already deleted: %s", sid)
            return
        logger.info("Recording deleted: %s", sid)

    @provider_errors("call record deletion")
    async def delete_call(self, sid: str) -> bool:
        """Delete a Call record (its numbers, its times): True when deleted, False when Twilio
        no longer had it (404). A call still in progress cannot be: OutboundError (20009)."""
        account = self._client.api.v2010.accounts(self.account_sid)
        return await _deleted(account.calls(_checked(sid, "CA")).delete_async(), sid)

    @provider_errors("message record deletion")
    async def delete_message(self, sid: str) -> bool:
        """Delete a Message record (its numbers, its text; its media with it): True when
        deleted, False when Twilio no longer had it (404). A message not yet in a final state
        cannot be: OutboundError (20009)."""
        account = self._client.api.v2010.accounts(self.account_sid)
        return await _deleted(account.messages(_checked(sid, "SM", "MM")).delete_async(), sid)

    async def recording_audio(self, recording: str) -> bytes:
        """A recording's MP3, fetched with the account's credentials: the console streams it
        to a signed-in referent instead of handing out the provider's URL."""
        account, sid = parse_recording(recording)
        url = (
            f"https://api.twilio.com/2010-04-01/Accounts/{account or self.account_sid}"
            f"/Recordings/{sid}.mp3"
        )
        session = self._http.session
        if session is None:
            raise OutboundError("recording download failed: no HTTP session")
        try:
            async with session.get(
                redirect_url(url, self._http.base_url),
                headers={"Authorization": self._authorization},
                timeout=aiohttp.ClientTimeout(total=self._http.timeout),
            ) as response:
                if response.status != 200:
                    raise OutboundError(f"recording download failed: HTTP {response.status}")
                if (response.content_length or 0) > MAX_RECORDING_BYTES:
                    raise OutboundError("recording download refused: too large")
                return await response.content.read(MAX_RECORDING_BYTES)
        except (aiohttp.ClientError, TimeoutError) as error:
            raise OutboundError(f"recording download failed: {type(error).__name__}") from error

    async def close(self) -> None:
        await self._http.close()
        # Let aiohttp's connector finish closing its transports before the loop moves on.
        await asyncio.sleep(0)
