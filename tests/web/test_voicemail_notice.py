"""The referents on duty hear at once, by SMS, that a caller left a voice message in opening
hours, as they do for a new SMS or mail: never who called nor what was said, never twice for
one message, and nobody out of hours (the callback task waits for the reopening)."""

from __future__ import annotations

from datetime import datetime

import pytest
from aiohttp.test_utils import TestClient

from frontdoor.phone import ScriptedPerson, TestClientTransport, TwilioPhone
from frontdoor.settings import Settings
from frontdoor.standins.twilio_api import FakeTwilioApi
from tests.conftest import AUTH_TOKEN, PUBLIC_URL
from tests.console.requests_made import a_voicemail
from tests.web.calls import AMARTIN, BLEROY, LOT, NURSE, PARIS, TUESDAY_MORNING, stored

ASCENSION = datetime(2026, 5, 14, 10, 30, tzinfo=PARIS)  # the line closed all day


@pytest.fixture
def app_settings(wired_settings: Settings) -> Settings:
    return wired_settings


def voicemail_notices(twilio_api: FakeTwilioApi) -> list[dict[str, str]]:
    return [m for m in twilio_api.messages if "message vocal" in m["body"]]


async def test_a_message_left_in_opening_hours_is_announced_to_the_referents_on_duty(
    client: TestClient, wired_settings: Settings, twilio_api: FakeTwilioApi
) -> None:
    voicemail = await a_voicemail(client, wired_settings)

    notices = voicemail_notices(twilio_api)
    assert [notice["to"] for notice in notices] == [AMARTIN, BLEROY]  # on duty on Tuesday
    for notice in notices:
        assert notice["from"] == LOT
        assert notice["body"] == (
            f"DAC du Lot : nouveau message vocal, demande n° {voicemail.id}. "
            "À traiter dans Frontdoor."
        )
    _, events = await stored(wired_settings)
    [told] = [event for event in events if event.kind == "voicemail-notified"]
    assert told.reasons == [
        {"code": "voicemail-notified", "text": "prévenus par SMS : Anne Martin, Bruno Leroy"}
    ]


async def test_a_second_word_from_twilio_on_the_same_message_tells_nobody_again(
    client: TestClient, wired_settings: Settings, twilio_api: FakeTwilioApi
) -> None:
    voicemail = await a_voicemail(client, wired_settings)
    caller = TwilioPhone(
        TestClientTransport(client), public_url=PUBLIC_URL, auth_token=AUTH_TOKEN,
        simulated_at=TUESDAY_MORNING, account_sid=wired_settings.twilio_account_sid,
    )  # fmt: skip
    account = wired_settings.twilio_account_sid
    sid = "RE" + "d" * 32

    response = await caller.post(
        "/twilio/voice/recording",
        {
            "AccountSid": account,
            "CallSid": voicemail.call_sid or "",
            "RecordingSid": sid,
            "RecordingUrl": f"https://api.twilio.com/2010-04-01/Accounts/{account}/Recordings/{sid}",
            "RecordingStatus": "completed",
        },
    )

    assert response.status == 200
    assert len(voicemail_notices(twilio_api)) == 2  # one each, as before


async def test_a_message_left_while_the_line_is_closed_tells_nobody(
    client: TestClient, wired_settings: Settings, twilio_api: FakeTwilioApi
) -> None:
    caller = TwilioPhone(
        TestClientTransport(client), public_url=PUBLIC_URL, auth_token=AUTH_TOKEN,
        simulated_at=ASCENSION, account_sid=wired_settings.twilio_account_sid,
    )  # fmt: skip
    person = ScriptedPerson([], message="Bonjour, c'est le cabinet infirmier de Figeac.")

    await caller.call(from_=NURSE, to=LOT, person=person)

    [request], events = await stored(wired_settings)
    assert request.outcome == "voicemail"
    assert request.recording_key is not None  # the message itself was brought home
    assert voicemail_notices(twilio_api) == []
    assert "voicemail-notified" not in [event.kind for event in events]
