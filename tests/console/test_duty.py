"""The on-duty board: who now, the week ahead, the gaps, and a change in two clicks that the
phone line applies at once."""

from __future__ import annotations

import re

import pytest
from aiohttp.test_utils import TestClient

from frontdoor.keys import Clock
from frontdoor.phone import ScriptedPerson
from tests.console.conftest import LOT_COORDINATOR, LOT_REFERENT, sign_in
from tests.web.callback_orders import Call
from tests.web.calls import (
    AMARTIN,
    BLEROY,
    COORDINATION,
    LOT,
    NURSE,
    TUESDAY_MORNING,
    phone,
    place_call,
)


@pytest.fixture
def app_clock() -> Clock:
    return lambda: TUESDAY_MORNING


async def test_the_board_says_who_is_on_duty_now_and_why(client: TestClient) -> None:
    referent = await sign_in(client, LOT_REFERENT)

    page = await (await referent.get("/console/astreinte")).text()

    now = page.split('id="maintenant"', 1)[1].split("</section>", 1)[0]
    assert "Anne Martin, Bruno Leroy" in now
    assert "Indisponible" not in page  # a referent sees, the coordinator changes


async def test_the_board_shows_who_is_on_a_call_and_how_many_wait(client: TestClient) -> None:
    referent = await sign_in(client, LOT_REFERENT)
    line = await (await referent.get("/console/astreinte")).text()
    assert "En ligne : personne" in line
    assert "Aucun appel en attente" in line

    # amartin takes a call; the next caller rings bleroy, then the backup list, in vain.
    talking = Call(phone(client, TUESDAY_MORNING), to=LOT, from_=NURSE, start=TUESDAY_MORNING)
    await talking.answer(["1", "1"])
    await talking.whisper(AMARTIN, at=10)
    await talking.press(AMARTIN, "1", at=12)
    waiting = Call(phone(client, TUESDAY_MORNING), to=LOT, from_="+33611000002",
                   start=TUESDAY_MORNING)  # fmt: skip
    await waiting.answer(["1", "1"])
    await waiting.dial_ended("no-answer", bridged=None, seconds=0, at=30)
    await waiting.dial_ended("no-answer", bridged=None, seconds=0, at=50)

    line = await (await referent.get("/console/astreinte")).text()
    assert "En ligne : Anne Martin" in line
    assert "1 appel en attente" in line


async def test_the_coordinator_marks_a_referent_unavailable_and_calls_skip_her(
    client: TestClient,
) -> None:
    coordinator = await sign_in(client, LOT_COORDINATOR)
    board = await (await coordinator.get("/console/astreinte")).text()
    button = re.search(
        r'<input type="hidden" name="referent_id" value="amartin">\s*'
        r'<input type="hidden" name="starts_iso" value="([^"]+)">\s*'
        r'<input type="hidden" name="ends_iso" value="([^"]+)">',
        board,
    )
    assert button is not None

    response = await coordinator.post(
        "/console/astreinte/changements?departement=dac46",
        {
            "kind": "remove",
            "referent_id": "amartin",
            "starts_iso": button.group(1),
            "ends_iso": button.group(2),
            "reason": "indisponible",
        },
    )

    assert response.status == 303
    page = await (await coordinator.get("/console/astreinte")).text()
    changes = page.split('id="changements"')[1]
    assert "Anne Martin indisponible : indisponible" in changes  # her name, not her id
    assert "(saisi par coordination)" in changes  # the account's name, not "console:<login>"
    result = await place_call(
        client, at=TUESDAY_MORNING, to=LOT, person=ScriptedPerson(["1", "1"], message="")
    )
    rung = [line.leg for line in result.transcript if line.kind == "ring"]
    assert AMARTIN not in rung
    assert rung[:2] == [BLEROY, COORDINATION]


async def test_a_console_change_can_be_cancelled(client: TestClient) -> None:
    coordinator = await sign_in(client, LOT_COORDINATOR)
    await coordinator.post(
        "/console/astreinte/changements?departement=dac46",
        {
            "kind": "add",
            "referent_id": "cdurand",
            "starts_date": "2026-05-12",
            "starts_time": "08:00",
            "ends_date": "2026-05-12",
            "ends_time": "12:00",
        },
    )
    page = await (await coordinator.get("/console/astreinte")).text()
    override_id = re.search(r"/console/astreinte/changements/(\d+)/suppression", page)
    assert override_id is not None
    assert "Anne Martin, Bruno Leroy, Claire Durand" in page

    await coordinator.post(
        f"/console/astreinte/changements/{override_id.group(1)}/suppression?departement=dac46"
    )

    assert (
        "Claire Durand"
        not in (await (await coordinator.get("/console/astreinte")).text()).split('id="trous"')[0]
    )


async def test_a_change_that_ends_before_it_starts_is_refused(client: TestClient) -> None:
    coordinator = await sign_in(client, LOT_COORDINATOR)

    response = await coordinator.post(
        "/console/astreinte/changements?departement=dac46",
        {
            "kind": "add",
            "referent_id": "cdurand",
            "starts_date": "2026-05-12",
            "starts_time": "12:00",
            "ends_date": "2026-05-12",
            "ends_time": "08:00",
        },
    )

    assert response.status == 400
