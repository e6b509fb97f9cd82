"""Overflow when the queue is full (core.overflow, `[overflow] when_waiting`), a whole call
through the app with signed webhooks.

The Moselle on a Tuesday afternoon: only eschmitt is on duty. Here its overflow line also
takes the calls that would wait behind one caller already in the queue (`when_waiting = 1`),
and a caller who waited the longest wait (`when_wait_over`).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest
from aiohttp.test_utils import TestClient

from frontdoor.departments import Departments
from frontdoor.phone import Answer, ScriptedPerson
from frontdoor.settings import Settings
from tests.web.callback_orders import Call
from tests.web.calls import (
    ESCHMITT,
    MOSELLE,
    PARIS,
    phone,
    place_call,
    reason_codes,
    rung,
    said,
    stored,
)

TUESDAY_AFTERNOON = datetime(2026, 5, 12, 14, 0, tzinfo=PARIS)
DOCTOR = ["1", "1"]
NEIGHBOUR = "+33383000054"


@pytest.fixture
def app_departments(departments: Departments) -> Departments:
    """The Moselle's overflow line, also when one caller already waits, or waited too long."""
    return Departments(
        replace(d, overflow=replace(d.overflow, when_waiting=1, when_wait_over=True))
        if d.overflow
        else d
        for d in departments
    )


async def eschmitt_talks(client: TestClient) -> None:
    """A first call to the Moselle that eschmitt, the only one on duty, has taken."""
    talking = Call(phone(client, TUESDAY_AFTERNOON), to=MOSELLE, from_="+33611000001",
                   start=TUESDAY_AFTERNOON)  # fmt: skip
    await talking.answer(DOCTOR)
    await talking.whisper(ESCHMITT, at=10)
    await talking.press(ESCHMITT, "1", at=12)


async def test_a_caller_who_waited_the_longest_wait_goes_to_the_neighbouring_dac(
    client: TestClient, settings: Settings
) -> None:
    await eschmitt_talks(client)
    patient = ScriptedPerson([*DOCTOR, *[None] * 30], referents={NEIGHBOUR: Answer(presses="1")})

    result = await place_call(client, at=TUESDAY_AFTERNOON, to=MOSELLE, person=patient,
                              from_="+33611000002")  # fmt: skip

    heard = said(result)
    assert "Tous nos référents sont en ligne" in heard
    assert (
        "nous transférons votre appel vers le DAC de Meurthe-et-Moselle"
        in heard.split("[sortie de la file d'attente]")[1]
    )
    assert result.connected_to == NEIGHBOUR
    requests, events = await stored(settings)
    [overflowed] = [r for r in requests if r.call_sid == result.call_sid]
    assert (overflowed.outcome, overflowed.queue_wait_s) == ("overflowed", 180)
    mine = [e for e in events if e.request_id == overflowed.id]
    assert "overflow-wait-over" in reason_codes(mine)
    assert [e.detail for e in mine if e.kind == "overflowed"] == [
        "Débordé vers le DAC de Meurthe-et-Moselle (03 83 00 00 54)"
    ]


async def test_a_caller_who_would_wait_behind_another_goes_to_the_neighbouring_dac(
    client: TestClient, settings: Settings
) -> None:
    await eschmitt_talks(client)
    waiting = Call(phone(client, TUESDAY_AFTERNOON), to=MOSELLE, from_="+33611000002",
                   start=TUESDAY_AFTERNOON)  # fmt: skip
    assert (await waiting.answer(DOCTOR)).find("Enqueue") is not None  # the queue is not full

    person = ScriptedPerson(DOCTOR, referents={NEIGHBOUR: Answer(presses="1")})
    result = await place_call(client, at=TUESDAY_AFTERNOON, to=MOSELLE, person=person,
                              from_="+33611000003")  # fmt: skip

    assert rung(result) == [NEIGHBOUR]  # eschmitt is on a call: not rung
    assert result.connected_to == NEIGHBOUR
    requests, events = await stored(settings)
    [overflowed] = [r for r in requests if r.call_sid == result.call_sid]
    assert overflowed.outcome == "overflowed"
    assert "overflow-queue-full" in reason_codes(
        [e for e in events if e.request_id == overflowed.id]
    )
