"""Waiting instead of voicemail (issue 17), whole calls through the app with signed webhooks.

The Moselle on a Tuesday afternoon: only eschmitt is on duty, and there is no backup list.
While she talks to a first caller, two more callers wait in the department's queue; when she
hangs up, the first of them is offered to her (a call to her phone, whisper, press 1) and put
through; the second gives up waiting at the longest wait, leaves a message, and is called back.
"""

from __future__ import annotations

import asyncio
import itertools
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta

import pytest
from aiohttp.test_utils import TestClient

from frontdoor.keys import DEPARTMENTS
from frontdoor.phone import ScriptedPerson, TwilioPhone
from frontdoor.phone_twiml import API_VERSION
from frontdoor.settings import Settings
from frontdoor.standins.twilio_api import FakeTwilioApi
from frontdoor.voice.queue_offers import OFFERING, OfferTurns, offer_waiting
from tests.waiting import eventually
from tests.web.callback_orders import Call, FinalState, final_state
from tests.web.calls import ESCHMITT, MOSELLE, PARIS, phone, place_call, stored
from tests.web.calls import said as call_said

TUESDAY_AFTERNOON = datetime(2026, 5, 12, 14, 0, tzinfo=PARIS)
DOCTOR = ["1", "1"]  # a professional, a doctor
MAX_WAIT = 180  # the Moselle's [ringing] max_wait: the default
QUEUE_SID = "QU" + "1" * 32


class Waiting(Call):
    """A caller's call, with what Twilio posts while they wait in a queue."""

    def __init__(self, twilio: TwilioPhone, *, from_: str, start: datetime, offset: int) -> None:
        super().__init__(twilio, to=MOSELLE, from_=from_, start=start)
        self.offset = offset  # when they called, in seconds after the first call

    def at(self, seconds: int) -> str:  # every call's instants on the first call's clock
        return (self.start + timedelta(seconds=seconds)).isoformat()

    async def enters(self) -> ET.Element:
        document = await self.answer(DOCTOR)
        # The keys are posted at offset+1, offset+2 by `answer`: on this call's own seconds.
        enqueue = document.find("Enqueue")
        assert enqueue is not None, ET.tostring(document)
        self.urls["wait"] = enqueue.get("waitUrl", "")
        self.urls["left"] = enqueue.get("action", "")
        return document

    async def waits(self, *, position: int, at: int) -> ET.Element:
        """Twilio asks the wait URL (again) while the caller waits."""
        form = {**self.caller, "CallStatus": "in-progress", "QueueSid": QUEUE_SID,
                "QueuePosition": str(position), "QueueTime": str(at - self.offset),
                "AvgQueueTime": "0", "CurrentQueueSize": "2"}  # fmt: skip
        return await self.post(self.urls["wait"], form, at=at)

    async def leaves(self, result: str, *, waited: int, at: int) -> ET.Element:
        """The <Enqueue> action: the caller is out of the queue, after `waited` seconds in it
        (reported once a conversation is over, for a caller taken out by a referent)."""
        form = {**self.caller, "CallStatus": "in-progress", "QueueSid": QUEUE_SID,
                "QueueResult": result, "QueueTime": str(waited)}  # fmt: skip
        return await self.post(self.urls["left"], form, at=at)


@pytest.fixture
def app_settings(wired_settings: Settings) -> Settings:
    """Calls offering a waiting caller are placed on the local Twilio API stand-in."""
    return wired_settings


def said(document: ET.Element) -> str:
    return " ".join(" ".join("".join(e.itertext()).split()) for e in document.iter("Say"))


async def test_two_callers_wait_while_the_only_referent_on_duty_talks_then_one_is_put_through_to_her_and_the_other_leaves_a_message(  # noqa: E501
    client: TestClient, wired_settings: Settings, twilio_api: FakeTwilioApi
) -> None:
    twilio = phone(client, TUESDAY_AFTERNOON)
    start = TUESDAY_AFTERNOON

    # A first caller: eschmitt picks up, presses 1, and talks.
    first = Call(twilio, to=MOSELLE, from_="+33611000001", start=start)
    document = await first.answer(DOCTOR)
    assert [n.text for n in document.iter("Number")] == [ESCHMITT]
    await first.whisper(ESCHMITT, at=10)
    await first.press(ESCHMITT, "1", at=12)

    # Two more callers: nobody free to ring, they wait in the Moselle's queue.
    second = Waiting(twilio, from_="+33611000002", start=start, offset=0)
    third = Waiting(twilio, from_="+33611000003", start=start, offset=0)
    for caller in (second, third):
        document = await caller.enters()
        assert "Tous nos référents sont en ligne" in said(document)
        enqueue = document.find("Enqueue")
        assert enqueue is not None
        assert enqueue.text == "dac57"
    held = await second.waits(position=1, at=30)
    assert said(held) == (
        "Vous êtes le prochain appel à être pris. "
        "Pour laisser un message à la place, tapez 0 à tout moment."
    )
    assert held.find("Gather") is not None  # the key 0 works at any time
    assert "Il y a un appel avant le vôtre." in said(await third.waits(position=2, at=30))
    assert twilio_api.calls == []  # eschmitt is on a call: nobody is offered to her

    # eschmitt hangs up: the first call is over, and the longest-waiting caller is offered.
    await first.dial_ended("completed", bridged=ESCHMITT, seconds=88, at=100)
    await first.ended(at=100)
    [offered] = twilio_api.calls
    [placing] = [r for r in twilio_api.requests if r.path.endswith("/Calls.json")]
    assert offered["to"] == ESCHMITT
    assert offered["from"] == MOSELLE
    leg = {"AccountSid": twilio.account_sid, "ApiVersion": API_VERSION, "CallSid": offered["sid"],
           "From": MOSELLE, "To": ESCHMITT, "Direction": "outbound-api",
           "CallStatus": "in-progress"}  # fmt: skip
    whisper = await second.post(placing.form["Url"], leg, at=105)
    assert "appel d'un médecin" in said(whisper)
    assert "tapez 1" in said(whisper)
    gather = whisper.find("Gather")
    assert gather is not None
    taking = await second.post(gather.get("action", ""), {**leg, "Digits": "1"}, at=107)
    queue = taking.find("Dial/Queue")
    dial = taking.find("Dial")
    assert queue is not None
    assert dial is not None
    assert queue.text == "dac57"

    # Twilio takes the front of the queue, the second caller, and runs <Queue url> on them.
    joined = await second.post(
        queue.get("url", ""),
        {**second.caller, "CallStatus": "in-progress", "QueueSid": QUEUE_SID,
         "QueueTime": "107", "DequeingCallSid": offered["sid"]},
        at=107,
    )  # fmt: skip
    assert said(joined) == "Un référent prend votre appel."

    # The third caller keeps waiting, now first; nobody else is offered (she is talking).
    assert "Vous êtes le prochain" in said(await third.waits(position=1, at=120))
    assert len(twilio_api.calls) == 1
    # At the longest wait, they leave the queue, and are offered to leave a message.
    assert (await third.waits(position=1, at=MAX_WAIT)).find("Leave") is not None
    message = await third.leaves("leave", waited=MAX_WAIT, at=MAX_WAIT)
    assert message.find("Record") is not None
    await third.message_left(at=MAX_WAIT + 30)
    await third.ended(at=MAX_WAIT + 31)

    # The second caller and eschmitt hang up: every report of it, in Twilio's order.
    await second.post(dial.get("action", ""), {**leg, "DialCallStatus": "completed",
                      "DialCallSid": second.sid, "DialCallDuration": "200"}, at=307)  # fmt: skip
    bridged = await second.leaves("bridged", waited=107, at=307)
    assert bridged.find("Hangup") is not None
    await second.ended(at=308)
    over = {**leg, "CallStatus": "completed", "CallDuration": "202"}
    await second.post(placing.form["StatusCallback"], over, at=308)

    requests, events = await stored(wired_settings)
    by_sid = {r.call_sid: r for r in requests}
    one, two, three = by_sid[first.sid], by_sid[second.sid], by_sid[third.sid]
    assert (one.outcome, one.taken_by, one.queue_wait_s) == ("taken", "eschmitt", None)
    assert (two.outcome, two.taken_by) == ("taken", "eschmitt")
    assert two.answered_at == start + timedelta(seconds=107)
    assert (two.queue_wait_s, two.queue_abandoned, two.callback_needed) == (107, False, False)
    assert (three.outcome, three.queue_wait_s, three.queue_abandoned) == ("voicemail", 180, False)
    assert three.callback_needed
    kinds = {(e.request_id, e.kind) for e in events}
    assert (three.id, "callback-task") in kinds
    assert (two.id, "callback-task") not in kinds
    assert (three.id, "queue-max-wait") in kinds
    assert len(twilio_api.calls) == 1  # nobody waits any more: no other offer


async def eschmitt_talks(client: TestClient) -> Call:
    """A first call to the Moselle that eschmitt, the only one on duty, has taken."""
    first = Call(phone(client, TUESDAY_AFTERNOON), to=MOSELLE, from_="+33611000001",
                 start=TUESDAY_AFTERNOON)  # fmt: skip
    await first.answer(DOCTOR)
    await first.whisper(ESCHMITT, at=10)
    await first.press(ESCHMITT, "1", at=12)
    return first


async def test_while_twilio_places_the_call_offering_a_waiting_caller_other_calls_are_stored(
    client: TestClient, wired_settings: Settings, twilio_api: FakeTwilioApi
) -> None:
    # Placing that call waits for Twilio's API (up to 15 s). A pass of offers holding a
    # database connection meanwhile would hold SQLite's only one, and a new call would wait
    # for it, then be answered from memory and journaled instead of stored.
    first = await eschmitt_talks(client)
    twilio = phone(client, TUESDAY_AFTERNOON)
    await Waiting(twilio, from_="+33611000002", start=TUESDAY_AFTERNOON, offset=0).enters()
    twilio_api.placing_waits_for = asyncio.Event()
    await first.dial_ended("completed", bridged=ESCHMITT, seconds=88, at=100)
    await first.ended(at=100)
    assert [r for r in twilio_api.requests if r.path.endswith("/Calls.json")]
    assert twilio_api.calls == []  # eschmitt's phone is being rung: Twilio has not answered

    later = TUESDAY_AFTERNOON + timedelta(seconds=110)
    newcomer = Call(twilio, to=MOSELLE, from_="+33611000004", start=later)
    await newcomer.answer(DOCTOR)
    requests, _ = await stored(wired_settings)
    assert newcomer.sid in {r.call_sid for r in requests}

    twilio_api.placing_waits_for.set()

    async def offer_recorded() -> bool:
        _, events = await stored(wired_settings)
        return any(e.kind == "queue-offered" for e in events)

    await eventually(offer_recorded)
    assert [call["to"] for call in twilio_api.calls] == [ESCHMITT]


async def test_the_phone_waits_in_the_queue_as_twilio_does_until_the_longest_wait(
    client: TestClient, wired_settings: Settings
) -> None:
    await eschmitt_talks(client)
    silent = ScriptedPerson([*DOCTOR, *[None] * 30], message="Rappelez le cabinet, merci.")

    result = await place_call(client, at=TUESDAY_AFTERNOON, to=MOSELLE, person=silent,
                              from_="+33611000002")  # fmt: skip

    heard = call_said(result)
    assert "Tous nos référents sont en ligne" in heard
    assert heard.count("Vous êtes le prochain appel à être pris.") == MAX_WAIT // 10
    assert "Laissez-nous un message" in heard.split("[sortie de la file d'attente]")[1]
    assert result.message == "Rappelez le cabinet, merci."
    requests, _ = await stored(wired_settings)
    [waited] = [r for r in requests if r.call_sid == result.call_sid]
    assert (waited.outcome, waited.queue_wait_s, waited.queue_abandoned) == (
        "voicemail",
        180,
        False,
    )


async def test_key_0_while_waiting_leaves_the_queue_for_a_message(
    client: TestClient, wired_settings: Settings
) -> None:
    await eschmitt_talks(client)
    impatient = ScriptedPerson([*DOCTOR, None, "0"], message="Je rappellerai.")

    result = await place_call(client, at=TUESDAY_AFTERNOON, to=MOSELLE, person=impatient,
                              from_="+33611000003")  # fmt: skip

    assert call_said(result).count("Vous êtes le prochain appel à être pris.") == 2
    assert result.message == "Je rappellerai."
    requests, events = await stored(wired_settings)
    [waited] = [r for r in requests if r.call_sid == result.call_sid]
    assert (waited.outcome, waited.queue_wait_s, waited.queue_abandoned) == ("voicemail", 10, False)
    assert "queue-message-key" in {e.kind for e in events if e.request_id == waited.id}


async def test_every_order_of_the_end_of_a_call_out_of_the_queue_gives_the_same_request(
    client: TestClient, wired_settings: Settings, twilio_api: FakeTwilioApi
) -> None:
    """eschmitt took the waiting caller out of the queue; then Twilio reports the end of her
    <Dial><Queue>, the caller's <Enqueue> action and status callback, and her call's status
    callback, in any order: the caller was taken by her, answered when she joined, and owes
    no callback."""
    finals = set()
    for order in itertools.permutations(("dialed", "left", "status", "offer over")):
        twilio_api.calls.clear()
        twilio_api.requests.clear()
        twilio = phone(client, TUESDAY_AFTERNOON)
        talking = await eschmitt_talks(client)
        waiter = Waiting(twilio, from_="+33611000002", start=TUESDAY_AFTERNOON, offset=0)
        await waiter.enters()
        await talking.dial_ended("completed", bridged=ESCHMITT, seconds=40, at=50)
        await talking.ended(at=50)  # eschmitt is free: the waiting caller is offered to her
        [offered] = twilio_api.calls
        [placing] = [r for r in twilio_api.requests if r.path.endswith("/Calls.json")]
        leg = {"AccountSid": twilio.account_sid, "ApiVersion": API_VERSION,
               "CallSid": offered["sid"], "From": MOSELLE, "To": ESCHMITT,
               "CallStatus": "in-progress"}  # fmt: skip
        gather = (await waiter.post(placing.form["Url"], leg, at=60)).find("Gather")
        assert gather is not None
        taking = await waiter.post(gather.get("action", ""), {**leg, "Digits": "1"}, at=62)
        queue, dial = taking.find("Dial/Queue"), taking.find("Dial")
        assert queue is not None
        assert dial is not None
        joining = {**waiter.caller, "CallStatus": "in-progress", "QueueSid": QUEUE_SID,
                   "QueueTime": "60", "DequeingCallSid": offered["sid"]}  # fmt: skip
        await waiter.post(queue.get("url", ""), joining, at=62)
        over = {**leg, "CallStatus": "completed"}
        for step in order:
            match step:
                case "dialed":  # her <Dial><Queue> is over
                    form = {**leg, "DialCallStatus": "completed", "DialCallSid": waiter.sid}
                    await waiter.post(dial.get("action", ""), form, at=200)
                case "left":  # the caller's <Enqueue> action
                    await waiter.leaves("bridged", waited=60, at=200)
                case "status":  # the caller's status callback
                    await waiter.ended(at=201)
                case "offer over":  # her call's status callback
                    await waiter.post(placing.form["StatusCallback"], over, at=201)
        final = await final_state(wired_settings, waiter.sid)
        requests, _ = await stored(wired_settings)
        [row] = [r for r in requests if r.call_sid == waiter.sid]
        finals.add((final, row.queue_wait_s, row.queue_abandoned))

    assert finals == {
        (FinalState(outcome="taken", taken_by="eschmitt",
                    answered_at=TUESDAY_AFTERNOON + timedelta(seconds=62),
                    callback_needed=False, open_task=False), 60, False),
    }  # fmt: skip


async def test_steps_ending_while_an_offer_is_made_join_the_pass_waiting_its_turn(
    client: TestClient,
) -> None:
    # Calls ending together make one more pass of offers, not one each: a step whose end
    # finds a pass waiting for its turn leaves it to that pass (it reads the store once it
    # has its turn, this step's commit included) and answers without waiting.
    await eschmitt_talks(client)
    app = client.app
    department = app[DEPARTMENTS].for_slug("dac57")
    assert department is not None
    turns = app[OFFERING].setdefault("dac57", OfferTurns())
    at = [TUESDAY_AFTERNOON + timedelta(seconds=s) for s in (100, 102, 101)]

    async with turns.lock:  # a pass under way
        waiting = asyncio.create_task(offer_waiting(app, department, at[0]))
        await asyncio.sleep(0)  # it runs until it waits for its turn
        assert turns.next_at == at[0]
        await asyncio.gather(*(offer_waiting(app, department, t) for t in at[1:]))
        assert not waiting.done()
        assert turns.next_at == at[1]  # the latest of the steps it stands for
    await waiting
    assert turns.next_at is None
