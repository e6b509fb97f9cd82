"""The duty board, live: who is on a call and how many callers wait (since when the longest)
reach an open board as calls come and go, through the same streams as the inbox's (counted
with them, ended at sign-out)."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient

from frontdoor.console.live_streams import PER_SESSION
from frontdoor.keys import Clock
from frontdoor.settings import Settings
from tests.console.conftest import (
    LOT_REFERENT,
    MOSELLE_REFERENT,
    Browser,
    create_accounts,
    sign_in,
)
from tests.console.live_events import open_stream, read_events, until_it_ends
from tests.web.callback_orders import Call
from tests.web.calls import AMARTIN, LOT, NURSE, TUESDAY_MORNING, phone

BOARD_STREAM = "/console/astreinte/direct?departement=dac46"
# The waiting caller's calls ring in vain within the minute TUESDAY_MORNING starts.
ONE_WAITS = "1 appel en attente depuis 10:00"


@pytest.fixture
def app_clock() -> Clock:
    return lambda: TUESDAY_MORNING


@pytest.fixture
async def app_settings(wired_settings: Settings) -> Settings:
    # Quick looks at the store: each change reaches the board at once.
    live = wired_settings.model_copy(update={"console_live_every_s": 0.05})
    await create_accounts(live)
    return live


async def open_board(browser: Browser) -> ClientResponse:
    stream = await browser.get(BOARD_STREAM, headers={"Accept": "text/event-stream"})
    assert stream.status == 200, await stream.text()
    assert stream.headers["Content-Type"] == "text/event-stream"
    return stream


async def amartin_takes_a_call(client: TestClient) -> None:
    talking = Call(phone(client, TUESDAY_MORNING), to=LOT, from_=NURSE, start=TUESDAY_MORNING)
    await talking.answer(["1", "1"])
    await talking.whisper(AMARTIN, at=10)
    await talking.press(AMARTIN, "1", at=12)


async def a_caller_waits(client: TestClient) -> None:
    """The next caller rings bleroy, then the backup list, in vain: she waits."""
    waiting = Call(phone(client, TUESDAY_MORNING), to=LOT, from_="+33611000002",
                   start=TUESDAY_MORNING)  # fmt: skip
    await waiting.answer(["1", "1"])
    await waiting.dial_ended("no-answer", bridged=None, seconds=0, at=30)
    await waiting.dial_ended("no-answer", bridged=None, seconds=0, at=50)


def says(text: str) -> Any:
    return lambda events: any(text in event.values() for event in events)


async def test_a_board_opened_while_a_caller_waits_says_so_and_who_is_on_a_call(
    client: TestClient,
) -> None:
    await amartin_takes_a_call(client)
    await a_caller_waits(client)
    referent = await sign_in(client, LOT_REFERENT)

    stream = await open_board(referent)
    [line] = await read_events(stream, lambda events: len(events) == 1)
    stream.close()

    assert line["on_a_call"] == "En ligne : Anne Martin"
    assert line["waiting"] == ONE_WAITS
    assert line["callers_waiting"] == 1


async def test_an_open_board_is_told_each_change_of_the_line_once(client: TestClient) -> None:
    referent = await sign_in(client, LOT_REFERENT)
    stream = await open_board(referent)
    [quiet] = await read_events(stream, lambda events: len(events) == 1)
    assert quiet["on_a_call"] == "En ligne : personne"
    assert quiet["waiting"] == "Aucun appel en attente"

    await amartin_takes_a_call(client)
    talking = await read_events(stream, says("En ligne : Anne Martin"))
    await a_caller_waits(client)
    waiting = await read_events(stream, says(ONE_WAITS))
    stream.close()

    lines = [quiet, *talking, *waiting]
    # Each event says something new: looks that find the line as it was send nothing.
    assert all(before != after for before, after in zip(lines, lines[1:], strict=False))
    assert lines[-1]["on_a_call"] == "En ligne : Anne Martin"


async def test_the_page_holds_the_live_part_and_where_to_listen(client: TestClient) -> None:
    referent = await sign_in(client, LOT_REFERENT)

    page = await (await referent.get("/console/astreinte")).text()

    line = page.split('id="ligne"', 1)[1].split("</div>", 1)[0]
    assert 'aria-live="polite"' in line
    assert f'data-live="{BOARD_STREAM}"' in line
    assert 'id="live-status"' in page


async def test_board_and_inbox_streams_count_together_the_oldest_making_way(
    client: TestClient,
) -> None:
    referent = await sign_in(client, LOT_REFERENT)
    boards = [await open_board(referent) for _ in range(PER_SESSION)]

    await open_stream(referent)  # the inbox, in one tab too many

    farewell = await until_it_ends(boards[0])
    assert "event: fin" in farewell
    assert "la permanence est ouverte dans un autre onglet" in farewell
    assert not any(board.content.at_eof() for board in boards[1:])


async def test_signing_out_ends_the_board_stream(client: TestClient) -> None:
    referent = await sign_in(client, LOT_REFERENT)
    stream = await open_board(referent)

    await referent.post("/console/deconnexion")

    assert "votre session est terminée" in await until_it_ends(stream)


async def test_another_departments_board_stream_is_not_reachable(client: TestClient) -> None:
    moselle = await sign_in(client, MOSELLE_REFERENT)

    response = await moselle.get(BOARD_STREAM, headers={"Accept": "text/event-stream"})

    assert response.status == 404
