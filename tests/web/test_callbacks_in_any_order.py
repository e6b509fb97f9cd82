"""Twilio guarantees no order between a call's callbacks: the status callback can come
before the <Dial> action, a referent can press 1 after the caller hung up, a recording's
status before its <Record> action. Every order gives the same request: outcome, answered
time (never on an abandoned call), taker, callback owed and its task."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta

import pytest
from aiohttp.test_utils import TestClient

from frontdoor.jobs.base import JobContext
from frontdoor.jobs.missed_calls import text_missed_calls
from frontdoor.kit.runtime import JOB_RUNTIME
from frontdoor.settings import Settings
from frontdoor.standins.twilio_api import FakeTwilioApi
from tests.web.callback_orders import Call, FinalState, final_state, orders
from tests.web.calls import AMARTIN, LOT, MOSELLE, NURSE, PARIS, TUESDAY_MORNING, phone

Scenario = Mapping[str, Callable[[Call], Awaitable[None]]]

# The Lot on a Tuesday morning: a doctor (keys 1, 1); amartin is rung first, then bleroy.
TAKEN: Scenario = {
    "whisper": lambda call: call.whisper(AMARTIN, at=20),
    "press 1": lambda call: call.press(AMARTIN, "1", at=25),
    "dial bridged": lambda call: call.dial_ended("completed", bridged=AMARTIN, seconds=40, at=70),
    "status": lambda call: call.ended(at=71),
}
NOBODY_ACCEPTS: Scenario = {
    "whisper": lambda call: call.whisper(AMARTIN, at=20),
    "press 2": lambda call: call.press(AMARTIN, "2", at=25),
    "dial amartin": lambda call: call.dial_ended("completed", bridged=AMARTIN, seconds=0, at=26),
    "dial bleroy": lambda call: call.dial_ended("no-answer", bridged=None, seconds=0, at=50),
    "status": lambda call: call.ended(at=80),
}
# The caller hangs up while amartin hears the whisper; she presses 1 after.
HUNG_UP_WHILE_RINGING: Scenario = {
    "whisper": lambda call: call.whisper(AMARTIN, at=20),
    "status": lambda call: call.ended(at=22),
    "press 1 too late": lambda call: call.press(AMARTIN, "1", at=25),
    "dial": lambda call: call.dial_ended("completed", bridged=AMARTIN, seconds=0, at=23),
}
# The Moselle on a Wednesday afternoon: nobody on duty, a message is left.
VOICEMAIL: Scenario = {
    "message": lambda call: call.message_left(at=40),
    "status": lambda call: call.ended(at=41),
    "recording complete": lambda call: call.recording_completed(at=45),
}
WEDNESDAY_AFTERNOON = datetime(2026, 5, 13, 15, 0, tzinfo=PARIS)

CASES = {
    "taken-by-a-referent": (
        TAKEN, {"press 1": "whisper"}, LOT, TUESDAY_MORNING,
        FinalState(outcome="taken", taken_by="amartin",
                   answered_at=TUESDAY_MORNING + timedelta(seconds=25),
                   callback_needed=False, open_task=False),
    ),
    "nobody-accepts": (
        NOBODY_ACCEPTS, {"press 2": "whisper", "dial bleroy": "dial amartin"}, LOT,
        TUESDAY_MORNING,
        FinalState(outcome="abandoned", taken_by=None, answered_at=None, callback_needed=True,
                   open_task=True),
    ),
    "caller-hangs-up-while-ringing": (
        HUNG_UP_WHILE_RINGING, {"press 1 too late": "whisper"}, LOT, TUESDAY_MORNING,
        FinalState(outcome="abandoned", taken_by=None, answered_at=None, callback_needed=True,
                   open_task=True),
    ),
    "voicemail-left": (
        VOICEMAIL, {}, MOSELLE, WEDNESDAY_AFTERNOON,
        FinalState(outcome="voicemail", taken_by=None, answered_at=None, callback_needed=True,
                   open_task=True),
    ),
}  # fmt: skip
# Whether each call owes its caller the SMS of a missed call (core.missed_calls): the Lot
# switches it on, the Moselle does not.
SMS_OWED = {"taken-by-a-referent": False, "nobody-accepts": True,
            "caller-hangs-up-while-ringing": True, "voicemail-left": False}  # fmt: skip


@pytest.fixture
def app_settings(wired_settings: Settings) -> Settings:
    """The recording brought home and the referents told reach the local fakes."""
    return wired_settings


@pytest.mark.parametrize("case", list(CASES))
async def test_every_order_of_a_calls_callbacks_gives_the_same_request(
    client: TestClient, wired_settings: Settings, twilio_api: FakeTwilioApi, case: str
) -> None:
    scenario, after, number, start, expected = CASES[case]
    finals: dict[tuple[str, ...], FinalState] = {}

    for order in orders(list(scenario), after=after):
        call = Call(phone(client, start), to=number, from_=NURSE, start=start)
        await call.answer(["1", "1"])
        for step in order:
            await scenario[step](call)
        finals[order] = await final_state(wired_settings, call.sid)

    assert len(finals) >= 6
    wrong = {" → ".join(order): final for order, final in finals.items() if final != expected}
    assert wrong == {}, f"expected {expected}"
    # And the same SMS: one per call nobody took, none for a call taken, whatever the order.
    await text_missed_calls(
        JobContext(runtime=client.app[JOB_RUNTIME], slot=start + timedelta(minutes=5))
    )
    texted = [sms for sms in twilio_api.messages if sms["to"] == NURSE]
    assert len(texted) == (len(finals) if SMS_OWED[case] else 0)


@pytest.mark.parametrize("case", list(CASES))
async def test_a_calls_callbacks_arriving_at_once_give_the_same_request(
    client: TestClient, wired_settings: Settings, case: str
) -> None:
    """Twilio sends a call's last callbacks within the same instant (the caller hangs up: the
    <Dial> action and the status callback): served side by side, on separate connections,
    each step still settles the call with the facts the others committed."""
    scenario, after, number, start, expected = CASES[case]
    finals = []

    for _ in range(5):
        call = Call(phone(client, start), to=number, from_=NURSE, start=start)
        await call.answer(["1", "1"])
        for step in dict.fromkeys(after.values()):  # those that give a later step its URL
            await scenario[step](call)
        at_once = [post(call) for step, post in scenario.items() if step not in after.values()]
        await asyncio.gather(*at_once)
        finals.append(await final_state(wired_settings, call.sid))

    assert [final for final in finals if final != expected] == []
