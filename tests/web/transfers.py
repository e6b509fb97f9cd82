"""Shared by the transfer tests: a phone whose calls follow Twilio's REST redirections, and
a referent who asks for a transfer from the console while she has the caller."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from aiohttp.test_utils import TestClient

from frontdoor.phone import Answer, ScriptedPerson, TestClientTransport, TwilioPhone
from frontdoor.phone_twiml import Response, Said, new_sid
from frontdoor.standins.twilio_api import FakeTwilioApi
from tests.conftest import AUTH_TOKEN, PUBLIC_URL
from tests.web.calls import NURSE


def redirectable_phone(client: TestClient, twilio_api: FakeTwilioApi, at: datetime) -> TwilioPhone:
    """A phone whose calls move when Frontdoor redirects them through Twilio's REST API."""
    return TwilioPhone(
        TestClientTransport(client),
        public_url=PUBLIC_URL,
        auth_token=AUTH_TOKEN,
        simulated_at=at,
        redirections=twilio_api,
    )


class TransferringPerson(ScriptedPerson):
    """A scripted call where, once put through to `number`, something is done (a transfer
    asked from the console), and the referents then answer as `then_referents` says."""

    def __init__(
        self,
        keys: Sequence[str | Said | None],
        *,
        referents: Mapping[str, Answer],
        when_connected_to: str,
        do: Callable[[], Awaitable[None]],
        then_referents: Mapping[str, Answer],
        message: str | None = None,
        after: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        super().__init__(keys, referents=referents, message=message)
        self._when, self._do, self._then = when_connected_to, do, dict(then_referents)
        self._done = False
        self._after = after  # done once put through to someone else (the target)

    async def connected(self, number: str) -> None:
        await super().connected(number)
        if number == self._when and not self._done:
            self._done = True
            self.referents.update(self._then)
            await self._do()
        elif number != self._when and self._after is not None:
            await self._after()


# The three things Twilio does once a warm transfer is asked, in no guaranteed order: the
# caller's <Dial> ends (the referent's leg left it), the referent's leg fetches its new
# TwiML, the call placed to the target is answered (and 1 pressed).
WARM_STEPS = ("dialed", "consult", "target")


@dataclass(kw_only=True)
class WarmCall:
    """A call played webhook by webhook, signed, as Twilio would send them through a warm
    transfer: the caller is put through to the first referent rung, who asks (`ask`) for
    a warm transfer; then the steps of WARM_STEPS in `order`; she presses *; the caller
    joins the target; the call ends. `documents` keeps the TwiML each step answered."""

    phone: TwilioPhone
    twilio_api: FakeTwilioApi
    number: str  # the department's
    at: datetime
    exchanges: list[Response] = field(default_factory=list)
    documents: dict[str, ET.Element] = field(default_factory=dict)

    async def post(self, name: str, url: str, form: Mapping[str, str], **more: str) -> ET.Element:
        at = self.at + timedelta(seconds=len(self.exchanges))  # a second a step
        answered = await self.phone.post(url, {**form, **more, "SimulatedAt": at.isoformat()})
        assert answered.status == 200, f"{url}: {answered.status} {answered.text}"
        self.exchanges.append(answered)
        self.documents[name] = ET.fromstring(answered.text)
        return self.documents[name]

    def leg(self, **fields: str) -> dict[str, str]:
        return {"AccountSid": self.phone.account_sid, "CallSid": new_sid("CA"),
                "CallStatus": "in-progress", **fields}  # fmt: skip

    async def play(
        self, *, keys: Sequence[str], ask: Callable[[], Awaitable[None]], order: Sequence[str],
        meanwhile: Callable[[], Awaitable[None]] | None = None,
    ) -> None:  # fmt: skip
        """`meanwhile`: done while the referent speaks to the target, before her *."""
        caller = self.leg(From=NURSE, To=self.number)
        document = await self.post("greeting", self.phone.voice_path, caller)
        for key in keys:
            document = await self.post("menu", _attr(document, "Gather", "action"), caller,
                                       Digits=key)  # fmt: skip
        dial = _attr(document, "Dial", "action")
        taker = self.leg(ParentCallSid=caller["CallSid"], From=self.number,
                         To=(document.findtext("Dial/Number") or ""))  # fmt: skip
        whisper = await self.post("whisper", _attr(document, "Dial/Number", "url"), taker)
        await self.post("accept", _attr(whisper, "Gather", "action"), taker, Digits="1")
        await ask()  # the console asks for the transfer while they talk
        [(moved, consult_url)] = self.twilio_api.redirected
        assert moved == taker["CallSid"]
        self.twilio_api.redirected.clear()
        [placing] = [r for r in self.twilio_api.requests if r.path.endswith("/Calls.json")]
        target = self.leg(CallSid=self.twilio_api.calls[-1]["sid"], From=self.number,
                          To=placing.form["To"])  # fmt: skip
        for step in order:
            if step == "dialed":
                await self.post("dialed", dial, caller, DialCallStatus="completed",
                                DialCallSid=taker["CallSid"], DialCallDuration="30")  # fmt: skip
            elif step == "consult":
                await self.post("consult", consult_url, taker)
            else:
                screen = await self.post("target", placing.form["Url"], target)
                await self.post("target-key", _attr(screen, "Gather", "action"), target,
                                Digits="1")  # fmt: skip
        if meanwhile is not None:
            await meanwhile()
        # She presses *: she leaves the room, her <Dial> action runs; the caller is moved.
        handover = _attr(self.documents["consult"], "Dial", "action")
        await self.post("handover", handover, taker, DialCallStatus="completed")
        [(moved, join_url)] = self.twilio_api.redirected
        assert moved == caller["CallSid"]
        await self.post("join", join_url, caller)
        await self.post("ended", self.phone.status_path, caller, CallStatus="completed",
                        CallDuration="120")  # fmt: skip


def _attr(document: ET.Element, path: str, name: str) -> str:
    found = document.find(path)
    assert found is not None, f"no {path} in {ET.tostring(document, encoding='unicode')}"
    return found.get(name, "")


def said_in(document: ET.Element) -> str:
    return " ".join(" ".join(say.itertext()) for say in document.iter("Say"))
