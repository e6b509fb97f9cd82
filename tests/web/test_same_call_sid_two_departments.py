"""A call is its department's and its CallSid, never the CallSid alone: the same CallSid
arriving for the Lot and for the Moselle is two calls, each caller greeted by, routed in and
put through to their own department, whichever comes first or however their steps interleave."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Awaitable, Callable

import pytest
from aiohttp.test_utils import TestClient

from frontdoor.settings import Settings
from frontdoor.sms.incoming import SMS_PATH
from tests.web.callback_orders import Call
from tests.web.calls import AMARTIN, DWEBER, LOT, MOSELLE, NURSE, TUESDAY_MORNING, phone, stored

SAME_SID = "CA" + "5" * 32
Step = Callable[[], Awaitable[None]]


def steps_of(call: Call, referent: str) -> list[Step]:
    """A caller who says she is a doctor; the first referent rung presses 1 and talks."""

    async def greeted() -> None:
        await call.answer(["1", "1"])
        assert f"whisper {referent}" in call.urls, call.urls  # her own department's referent

    return [
        greeted,
        lambda: call.whisper(referent, at=20),
        lambda: call.press(referent, "1", at=25),
        lambda: call.dial_ended("completed", bridged=referent, seconds=40, at=70),
        lambda: call.ended(at=71),
    ]


def interleaved(first: list[Step], second: list[Step]) -> list[Step]:
    return [step for pair in zip(first, second, strict=True) for step in pair]


ORDERS: dict[str, Callable[[list[Step], list[Step]], list[Step]]] = {
    "the-lot-first": lambda lot, moselle: lot + moselle,
    "the-moselle-first": lambda lot, moselle: moselle + lot,
    "interleaved": interleaved,
    "interleaved-the-moselle-first": lambda lot, moselle: interleaved(moselle, lot),
}


@pytest.mark.parametrize("order", list(ORDERS))
async def test_the_same_call_sid_for_two_departments_is_two_independent_calls(
    client: TestClient, wired_settings: Settings, order: str
) -> None:
    lot = Call(phone(client, TUESDAY_MORNING), to=LOT, from_=NURSE, start=TUESDAY_MORNING)
    moselle = Call(phone(client, TUESDAY_MORNING), to=MOSELLE, from_=NURSE, start=TUESDAY_MORNING)
    lot.sid = moselle.sid = lot.caller["CallSid"] = moselle.caller["CallSid"] = SAME_SID

    for step in ORDERS[order](steps_of(lot, AMARTIN), steps_of(moselle, DWEBER)):
        await step()

    requests, events = await stored(wired_settings)
    by_department = {request.department: request for request in requests}
    assert sorted(by_department) == ["dac46", "dac57"]
    assert {request.call_sid for request in requests} == {SAME_SID}
    assert (by_department["dac46"].outcome, by_department["dac46"].taken_by) == (
        "taken", "amartin",
    )  # fmt: skip
    assert (by_department["dac57"].outcome, by_department["dac57"].taken_by) == (
        "taken", "dweber",
    )  # fmt: skip
    for request in requests:
        assert request.referrer_type == "doctor_to_confirm"
        assert [e.kind for e in events if e.request_id == request.id].count("ended") == 1
    # Each caller heard her own department, from the greeting to the end.
    assert "DAC du Lot" in heard(lot.documents[0])
    assert "DAC de Moselle" in heard(moselle.documents[0])
    assert "Moselle" not in " ".join(heard(text) for text in lot.documents)
    assert "Lot" not in " ".join(heard(text) for text in moselle.documents)


def heard(twiml: str) -> str:
    return " ".join(ET.tostring(ET.fromstring(twiml), encoding="unicode", method="text").split())


async def test_the_same_message_sid_for_two_departments_is_two_messages(
    client: TestClient, wired_settings: Settings
) -> None:
    sms = phone(client, TUESDAY_MORNING)
    for number in (LOT, MOSELLE, LOT):  # the Lot's a second time: Twilio's retry
        form = {"AccountSid": sms.account_sid, "MessageSid": "SM" + "5" * 32, "From": NURSE,
                "To": number, "Body": "Bonjour, pouvez-vous me rappeler ?",
                "SimulatedAt": TUESDAY_MORNING.isoformat()}  # fmt: skip
        answered = await sms.post(SMS_PATH, form)
        assert answered.status == 200, answered.text

    requests, _ = await stored(wired_settings)
    assert sorted(request.department for request in requests) == ["dac46", "dac57"]
