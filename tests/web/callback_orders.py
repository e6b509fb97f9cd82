"""Shared by the tests of callbacks in any order: one call's webhooks, each posted signed
when a test chooses, and every order in which Twilio could send them."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import select

from frontdoor.phone import TwilioPhone
from frontdoor.phone_twiml import API_VERSION, new_sid
from frontdoor.settings import Settings
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.models import CallbackTaskRow, Request

Step = Callable[[], Awaitable[None]]


@dataclass(kw_only=True, frozen=True)
class FinalState:
    outcome: str
    taken_by: str | None
    answered_at: datetime | None
    callback_needed: bool
    open_task: bool


class Call:
    """One call to a department, placed at `start`; its webhooks are posted one by one, each
    at a fixed instant (`SimulatedAt`), whatever the order they are posted in."""

    def __init__(self, phone: TwilioPhone, *, to: str, from_: str, start: datetime) -> None:
        self.phone = phone
        self.sid = new_sid("CA")
        self.start = start
        self.caller = {
            "AccountSid": phone.account_sid, "ApiVersion": API_VERSION, "CallSid": self.sid,
            "From": from_, "To": to, "Direction": "inbound",
        }  # fmt: skip
        self.urls: dict[str, str] = {}
        self.documents: list[str] = []  # every TwiML answered, in order
        self.legs: dict[str, dict[str, str]] = {}

    def at(self, seconds: int) -> str:
        return (self.start + timedelta(seconds=seconds)).isoformat()

    async def post(self, url: str, form: Mapping[str, str], *, at: int) -> ET.Element:
        response = await self.phone.post(url, {**form, "SimulatedAt": self.at(at)})
        assert response.status == 200, f"{url}: {response.status} {response.text}"
        self.documents.append(response.text)
        document = ET.fromstring(response.text)
        self._remember(document)
        return document

    def _remember(self, document: ET.Element) -> None:
        """The URLs a document gives for what comes next."""
        if (dial := document.find("Dial")) is not None:
            self.urls["dialed"] = dial.get("action", "")
            for number in dial:
                self.urls[f"whisper {number.text}"] = number.get("url", "")
        if (record := document.find("Record")) is not None:
            self.urls["message"] = record.get("action", "")
            self.urls["recording"] = record.get("recordingStatusCallback", "")

    async def answer(self, keys: Sequence[str]) -> ET.Element:
        """The incoming call, then the keys the caller presses at each menu."""
        document = await self.post(self.phone.voice_path, {**self.caller, "CallStatus": "ringing"},
                                   at=0)  # fmt: skip
        for second, key in enumerate(keys, start=1):
            gather = document.find("Gather")
            assert gather is not None, ET.tostring(document)
            form = {**self.caller, "CallStatus": "in-progress", "Digits": key}
            document = await self.post(gather.get("action", ""), form, at=second)
        return document

    def leg(self, number: str) -> dict[str, str]:
        return self.legs.setdefault(number, {
            "AccountSid": self.phone.account_sid, "ApiVersion": API_VERSION,
            "CallSid": new_sid("CA"), "ParentCallSid": self.sid, "CallStatus": "in-progress",
            "Direction": "outbound-dial", "From": self.caller["To"], "To": number,
        })  # fmt: skip

    async def whisper(self, number: str, *, at: int) -> None:
        """The referent at `number` picked up: their whisper, which gives the accept URL."""
        document = await self.post(self.urls[f"whisper {number}"], self.leg(number), at=at)
        gather = document.find("Gather")
        assert gather is not None
        self.urls[f"accept {number}"] = gather.get("action", "")

    async def press(self, number: str, digits: str, *, at: int) -> None:
        form = {**self.leg(number), "Digits": digits}
        await self.post(self.urls[f"accept {number}"], form, at=at)

    async def dial_ended(self, status: str, *, bridged: str | None, seconds: int, at: int) -> None:
        """Twilio's <Dial> action: the ring is over (`bridged`: the referent's leg)."""
        form = {**self.caller, "CallStatus": "in-progress", "DialCallStatus": status}
        if bridged is not None:
            form |= {"DialCallSid": self.leg(bridged)["CallSid"],
                     "DialCallDuration": str(seconds)}  # fmt: skip
        await self.post(self.urls["dialed"], form, at=at)

    def _recording(self) -> dict[str, str]:
        sid = "RE" + self.sid[2:]
        url = f"https://api.twilio.com/{API_VERSION}/Accounts/{self.phone.account_sid}/Recordings/{sid}"
        return {"RecordingSid": sid, "RecordingUrl": url, "RecordingDuration": "9"}

    async def message_left(self, *, at: int) -> None:
        form = {**self.caller, "CallStatus": "in-progress", "Digits": "hangup", **self._recording()}
        await self.post(self.urls["message"], form, at=at)

    async def recording_completed(self, *, at: int) -> None:
        form = {"AccountSid": self.phone.account_sid, "CallSid": self.sid,
                "RecordingStatus": "completed", **self._recording()}  # fmt: skip
        await self.post(self.urls["recording"], form, at=at)

    async def ended(self, *, at: int) -> None:
        """Twilio's status callback: the caller hung up."""
        form = {**self.caller, "CallStatus": "completed", "CallDuration": str(at)}
        await self.post(self.phone.status_path, form, at=at)


def orders(steps: Sequence[str], *, after: Mapping[str, str]) -> Iterator[tuple[str, ...]]:
    """Every order of the steps in which each of `after`'s keys comes after its value (a
    step can only be posted once an earlier answer gave its URL)."""
    for order in itertools.permutations(steps):
        if all(order.index(later) > order.index(first) for later, first in after.items()):
            yield order


async def final_state(settings: Settings, call_sid: str) -> FinalState:
    engine = create_engine(settings.database_url)
    try:
        async with session_maker(engine)() as session:
            [request] = (
                await session.exec(select(Request).where(Request.call_sid == call_sid))
            ).all()
            tasks = (
                await session.exec(
                    select(CallbackTaskRow).where(CallbackTaskRow.request_id == request.id)
                )
            ).all()
    finally:
        await engine.dispose()
    return FinalState(
        outcome=request.outcome,
        taken_by=request.taken_by,
        answered_at=request.answered_at,
        callback_needed=request.callback_needed,
        open_task=any(task.status == "open" for task in tasks),
    )
