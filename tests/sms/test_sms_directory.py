"""An SMS asking the directory ("SSIAD 46100", "clic figeac") is answered by return."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

from frontdoor.core.sms import segments
from frontdoor.settings import Settings
from tests.fakes.twilio_api import FakeTwilioApi
from tests.sms.texting import load_lot_directory, messages, replied, send
from tests.web.calls import TUESDAY_MORNING, stored


@pytest.fixture(autouse=True)
async def lot_directory(wired_settings: Settings) -> None:
    await load_lot_directory(wired_settings)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        pytest.param("SSIAD 46100", "SSIAD du Pays de Figeac", id="category-and-postal-code"),
        pytest.param("clic figeac", "CLIC", id="category-and-commune"),
        pytest.param("maison de retraite Cahors", "EHPAD", id="synonym-and-commune"),
    ],
)
async def test_a_directory_question_gets_the_nearest_resources_in_at_most_two_segments(
    client: TestClient,
    wired_settings: Settings,
    twilio_api: FakeTwilioApi,
    question: str,
    expected: str,
) -> None:
    [answer] = replied(await send(client, question, at=TUESDAY_MORNING))

    assert expected in answer
    assert segments(answer).count <= 2
    [request], events = await stored(wired_settings)
    assert (request.channel, request.response_kinds, request.outcome) == (
        "sms", ["information"], "informed",
    )  # fmt: skip
    assert request.callback_needed is False
    assert [e.kind for e in events] == ["sms-directory"]
    assert [m.kind for m in await messages(wired_settings)] == [
        "directory-query", "directory-answer",
    ]  # fmt: skip
    assert twilio_api.messages == []  # no referent disturbed


async def test_a_message_for_a_referent_is_not_mistaken_for_a_directory_question(
    client: TestClient, wired_settings: Settings
) -> None:
    await send(
        client, "Rappelez-moi pour Mme X, son SSIAD de Figeac ne passe plus", at=TUESDAY_MORNING
    )

    [request], _ = await stored(wired_settings)
    assert request.response_kinds == []
    assert [m.kind for m in await messages(wired_settings)][0] == "message"
