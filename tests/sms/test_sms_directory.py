"""An SMS asking the directory ("SSIAD 46100", "clic figeac") is answered by return, and its
request closed; a further SMS of the sender opens it again for the referents."""

from __future__ import annotations

from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient

from frontdoor.core.sms import segments
from frontdoor.settings import Settings
from frontdoor.standins.twilio_api import FakeTwilioApi
from tests.sms.texting import load_lot_directory, messages, notified, replied, send, sent
from tests.web.calls import AMARTIN, BLEROY, TUESDAY_MORNING, stored


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
    assert (request.status, request.closed_by) == ("closed", "frontdoor")
    assert [e.kind for e in events] == ["sms-directory", "auto-closed"]
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


async def test_a_further_sms_after_the_directory_answer_reopens_the_request_for_the_referents(
    client: TestClient, wired_settings: Settings, twilio_api: FakeTwilioApi
) -> None:
    replied(await send(client, "SSIAD 46100", at=TUESDAY_MORNING))

    later = TUESDAY_MORNING + timedelta(minutes=20)
    [ack] = replied(await send(client, "Merci. Il est complet : pouvez-vous m'aider ?", at=later))

    assert ack.startswith("DAC du Lot : votre SMS nous est bien parvenu.")
    notices = await sent(twilio_api, 2)
    assert sorted(n["to"] for n in notices) == [AMARTIN, BLEROY]
    events = await notified(wired_settings)
    [request], _ = await stored(wired_settings)
    assert (request.status, request.closed_at, request.closed_by) == ("open", None, None)
    assert [e.kind for e in events] == [
        "sms-directory", "auto-closed", "sms-in", "reopened", "sms-notified",
    ]  # fmt: skip
    assert request.response_kinds == ["information"]  # the directory's answer still counts


async def test_a_directory_question_sent_in_a_loop_is_answered_three_times_then_kept_for_a_referent(
    client: TestClient, wired_settings: Settings, twilio_api: FakeTwilioApi
) -> None:
    answers = [
        replied(await send(client, "SSIAD 46100", at=TUESDAY_MORNING + timedelta(seconds=n)))
        for n in range(8)
    ]

    assert [len(answer) for answer in answers] == [1, 1, 1] + [0] * 5
    requests, events = await stored(wired_settings)
    # Three answered; the rest, as any further SMS, reopen the last one for a referent, told
    # once (the same conversation: no new request per message either).
    assert [r.status for r in requests] == ["closed", "closed", "open"]
    assert sum(m.direction == "in" for m in await messages(wired_settings)) == 8
    assert any(
        reason["code"] == "sms-no-answer-flood" for e in events for reason in (e.reasons or [])
    )
    assert len(await sent(twilio_api, 2)) == 2
