"""A telephone that speaks Twilio's side of the voice webhooks.

`TwilioPhone` places a call on a Frontdoor service as Twilio would: it posts the signed
incoming-call webhook, follows the TwiML that comes back (Say, Play, Pause, Gather, Dial with
whispered Numbers, Record, Redirect, Hangup, Reject) and ends with the status callback. A
`Person` plays the caller and the referents: `ScriptedPerson` in tests, `TerminalPerson` for
a newcomer at a terminal (`terminal_call`, behind `frontdoor call`). The TwiML itself is
followed in `frontdoor.phone_twiml`.
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol, TextIO
from urllib.parse import urldefrag, urljoin

import aiohttp
from twilio.request_validator import RequestValidator
from yarl import URL

from frontdoor.core import transfer
from frontdoor.core.department import Department
from frontdoor.core.voice_actions import Next
from frontdoor.phone_twiml import (
    API_VERSION,
    CALLER,
    ApplicationError,
    CallFollower,
    CallResult,
    Line,
    Person,
    PhoneError,
    Redirections,
    Response,
    Said,
    ScriptExhausted,
    SignedRequest,
    UnsupportedTwiml,
    new_sid,
)
from frontdoor.voice.twiml import url_of

if TYPE_CHECKING:
    from aiohttp import web
    from aiohttp.test_utils import TestClient

__all__ = [
    "API_VERSION",
    "CALLER",
    "Answer",
    "ApplicationError",
    "CallResult",
    "ClientSessionTransport",
    "Line",
    "Person",
    "PhoneError",
    "Response",
    "Said",
    "ScriptExhausted",
    "ScriptedPerson",
    "SignedRequest",
    "TerminalPerson",
    "TestClientTransport",
    "TransferAtTerminal",
    "Transport",
    "TwilioPhone",
    "UnsupportedTwiml",
    "summarize",
    "terminal_call",
]


class Transport(Protocol):
    async def post(
        self, path_qs: str, form: Mapping[str, str], headers: Mapping[str, str]
    ) -> tuple[int, str]: ...


class ClientSessionTransport:
    """Posts to a running service, e.g. `http://127.0.0.1:8080`."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str) -> None:
        self._session = session
        self._base_url = base_url.rstrip("/")

    async def post(
        self, path_qs: str, form: Mapping[str, str], headers: Mapping[str, str]
    ) -> tuple[int, str]:
        url = URL(self._base_url + path_qs, encoded=True)  # send exactly what was signed
        async with self._session.post(url, data=dict(form), headers=dict(headers)) as response:
            return response.status, await response.text()


class TestClientTransport:
    """Posts through the `TestClient` of pytest-aiohttp's `aiohttp_client` fixture."""

    __test__ = False  # not a pytest test class

    def __init__(self, client: TestClient[web.Request, web.Application]) -> None:
        self._client = client

    async def post(
        self, path_qs: str, form: Mapping[str, str], headers: Mapping[str, str]
    ) -> tuple[int, str]:
        async with self._client.post(path_qs, data=dict(form), headers=dict(headers)) as response:
            return response.status, await response.text()


@dataclass(kw_only=True, frozen=True)
class Answer:
    """What a referent does when their phone rings: pick up, then press keys (or not)."""

    picks_up: bool = True
    presses: str | None = None


class ScriptedPerson:
    """A caller and referents that follow a script; `heard` keeps what each leg heard."""

    def __init__(
        self,
        keys: Sequence[str | Said | None] = (),
        *,
        referents: Mapping[str, Answer] | None = None,
        message: str | None = None,
    ) -> None:
        # What the caller presses (or says, a Said or words) at each successive Gather.
        self.keys = list(keys)
        self.referents = dict(referents or {})
        self._message = message
        self.heard: list[tuple[str, str]] = []
        self.connected_to: list[str] = []

    async def hear(self, text: str, *, leg: str) -> None:
        self.heard.append((leg, text))

    async def press(self, prompt: str, *, leg: str) -> str | Said | None:
        if leg != CALLER:
            return self.referents.get(leg, Answer()).presses
        if not self.keys:
            raise ScriptExhausted(f"the script has no more keys for the caller, asked {prompt!r}")
        return self.keys.pop(0)

    async def picks_up(self, number: str) -> bool:
        return self.referents.get(number, Answer(picks_up=False)).picks_up

    async def message(self) -> str | None:
        return self._message

    async def connected(self, number: str) -> None:
        self.connected_to.append(number)


class TwilioPhone:
    """Places calls on one service, signing every request as Twilio signs it."""

    def __init__(
        self,
        transport: Transport,
        *,
        public_url: str,
        auth_token: str,
        account_sid: str | None = None,
        voice_path: str = "/twilio/voice",
        status_path: str = "/twilio/voice/status",
        simulated_at: datetime | None = None,
        timeout: float = 15.0,
        max_documents: int = 60,
        redirections: Redirections | None = None,
    ) -> None:
        if simulated_at is not None and simulated_at.utcoffset() is None:
            raise ValueError(f"simulated_at must be aware, got {simulated_at.isoformat()}")
        self.transport = transport
        self.public_url = public_url.rstrip("/")
        self.account_sid = account_sid or new_sid("AC")
        self.voice_path = voice_path
        self.status_path = status_path
        self.simulated_at = simulated_at
        self.timeout = timeout  # Twilio gives up on a webhook after 15 s
        self.max_documents = max_documents
        self.redirections = redirections
        self._validator = RequestValidator(auth_token)

    def url(self, url_or_path: str, *, base: str | None = None) -> str:
        """The absolute public URL of a reference; only this phone's service may be called."""
        url, _ = urldefrag(urljoin(base or self.public_url + "/", url_or_path))
        if not (url == self.public_url or url.startswith(self.public_url + "/")):
            raise PhoneError(f"{url} is not on {self.public_url}: this phone calls only it")
        return self.public_url + str(URL(url[len(self.public_url) :] or "/"))

    async def redirected(self, call_sid: str, *, connected_to: str) -> str | None:
        """Where Twilio's REST API sent this live call, if it did since last asked."""
        if self.redirections is None:
            return None
        return await self.redirections.take_redirect(call_sid, connected_to=connected_to)

    async def post(
        self, url_or_path: str, form: Mapping[str, str], *, idempotency_token: str | None = None
    ) -> Response:
        """Sign and post one webhook request, with a fresh idempotency token unless given."""
        url = self.url(url_or_path)
        headers = {
            "X-Twilio-Signature": self._validator.compute_signature(url, dict(form)),
            "I-Twilio-Idempotency-Token": idempotency_token or str(uuid.uuid4()),
            "User-Agent": "TwilioProxy/1.1",
        }
        path_qs = url[len(self.public_url) :]
        return await self.repost(
            SignedRequest(url=url, path_qs=path_qs, form=dict(form), headers=headers)
        )

    async def repost(self, request: SignedRequest) -> Response:
        """Send a request again, unchanged: what Twilio does when it retries."""
        try:
            async with asyncio.timeout(self.timeout):
                status, text = await self.transport.post(
                    request.path_qs, request.form, request.headers
                )
        except TimeoutError as error:
            raise ApplicationError(
                request.url, f"did not answer within {self.timeout:g} s"
            ) from error
        return Response(request=request, status=status, text=text)

    async def call(self, *, from_: str, to: str, person: Person) -> CallResult:
        """Call `to` from `from_`, following the service's TwiML until the call ends."""
        return await CallFollower(self, from_=from_, to=to, person=person).run()


YES = {"o", "oui", "y", "yes"}


class TerminalPerson:
    """Prints what each leg hears and asks, in French, what the people on the line do."""

    def __init__(
        self,
        *,
        out: TextIO | None = None,
        ask: Callable[[str], str] = input,
        lines: Mapping[str, str] | None = None,
    ) -> None:
        self._out = out or sys.stdout
        self._ask = ask
        # How a number rung is named, when it is not a referent's (an overflow line).
        self._lines = dict(lines or {})

    def _who(self, leg: str) -> str:
        return self._named(leg) or f"référent {leg}"

    def _named(self, leg: str) -> str | None:
        """A line of `lines`, or a referent's browser (a <Client> leg, "client:<identity>")."""
        if leg.startswith("client:"):
            return f"navigateur d'un référent ({leg})"
        return self._lines.get(leg)

    def say(self, line: str) -> None:
        self._out.write(line + "\n")
        self._out.flush()

    async def answer(self, prompt: str) -> str:
        try:
            return (await asyncio.to_thread(self._ask, prompt)).strip()
        except EOFError:
            return ""

    async def hear(self, text: str, *, leg: str) -> None:
        self.say(f"📞 DAC : {text}" if leg == CALLER else f"  ↳ {self._who(leg)}: {text}")

    async def press(self, prompt: str, *, leg: str) -> str | None:
        if leg == CALLER:  # words are said: "je suis infirmière", or "… (0.4)" to be unsure
            question = "Touche(s) à taper, ou ce que vous dites (Entrée = rien) : "
        else:
            question = f"  ↳ {self._who(leg)}, touche(s) à taper (Entrée = rien) : "
        return await self.answer(question) or None

    async def picks_up(self, number: str) -> bool:
        named = self._named(number)
        question = f"{named} : décroche ? " if named else f"Le {number} décroche-t-il ? "
        question += "[o/N] "
        return (await self.answer(question)).lower() in YES

    async def message(self) -> str | None:
        return await self.answer("Message laissé (Entrée = silence) : ") or None

    async def connected(self, number: str) -> None:
        self.say(f"🔗 Mis en relation avec {number}.")


class TransferAtTerminal:
    """`frontdoor call --transfer ID`: once the caller is put through to a referent, she is
    asked whether she transfers the call (cold) to ID; yes: the call moves as Twilio moves it
    when the console asks (Frontdoor's REST request goes to its own stand-in, which this
    phone does not see: here the phone plays Twilio's side of it)."""

    def __init__(
        self, *, department: Department, target: str, person: TerminalPerson, public_url: str
    ) -> None:
        self.department, self.target, self.person = department, target, person
        self.public_url = public_url.rstrip("/")
        self._done = False

    async def take_redirect(self, call_sid: str, *, connected_to: str) -> str | None:
        taker = next(
            (r.id for r in self.department.referents.values() if r.phone == connected_to), None
        )
        found = transfer.target_of(self.department, self.target, taker=taker)
        if self._done or taker is None or found is None:
            return None
        question = f"  ↳ référent {connected_to} : transférer l'appel à {found.label} ? [o/N] "
        if (await self.person.answer(question)).lower() not in YES:
            return None
        self._done = True
        params = (("from", taker), ("target", found.key))
        return self.public_url + url_of(Next(step="transfer", params=params), self.department)


def summarize(result: CallResult) -> str:
    """One line saying how the call ended."""
    if result.connected_to:
        return f"Appel terminé : mis en relation avec {result.connected_to}"
    if result.message:
        return "Appel terminé : message laissé"
    return "Appel terminé : raccroché"


async def terminal_call(
    *,
    base_url: str,
    public_url: str,
    auth_token: str,
    from_: str,
    to: str,
    at: datetime | None,
    account_sid: str | None = None,
    person: Person | None = None,
    out: TextIO | None = None,
    lines: Mapping[str, str] | None = None,
    transfer_to: tuple[Department, str] | None = None,
) -> CallResult:
    """Call `to` from `from_` on the service at `base_url`, as Twilio calling `public_url`.

    With `at`, the service is told the call happens then (`SimulatedAt`, for its demo mode);
    `lines` names the numbers rung that are no referent's (the overflow line); `transfer_to`
    (the department, a target's key): the referent who has the caller may transfer it.
    """
    out = out or sys.stdout
    person = person or TerminalPerson(out=out, lines=lines)
    transferring = None
    if transfer_to is not None and isinstance(person, TerminalPerson):
        department, target = transfer_to
        transferring = TransferAtTerminal(department=department, target=target, person=person,
                                          public_url=public_url)  # fmt: skip
    async with aiohttp.ClientSession() as session:
        phone = TwilioPhone(
            ClientSessionTransport(session, base_url),
            public_url=public_url,
            auth_token=auth_token,
            account_sid=account_sid,
            simulated_at=at,
            redirections=transferring,
        )
        when = f", le {at:%d/%m/%Y à %H:%M}" if at else ""
        out.write(f"☎️  Appel de {from_} vers {to}{when}…\n")
        result = await phone.call(from_=from_, to=to, person=person)
    out.write(summarize(result) + "\n")
    return result
