"""The development mode's stand-ins for Twilio's REST API and an SMTP server: started with
the app in the development mode only, in place of the providers the settings leave unset;
everything sent through them is kept for the console's page of what was sent."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from frontdoor.departments import Departments
from frontdoor.keys import MAILER, STAND_INS, TWILIO_API
from frontdoor.settings import Settings
from frontdoor.standins.sent import SentMail, SentSms
from frontdoor.standins.twilio_api import FakeTwilioApi
from frontdoor.unsafe_settings import UnsafeSettings
from frontdoor.web.app import create_app
from tests.conftest import production
from tests.web.calls import AMARTIN, LOT


async def started(aiohttp_client: Any, settings: Settings, departments: Departments) -> TestClient:
    client: TestClient = await aiohttp_client(create_app(settings, departments))
    return client


async def test_the_development_mode_sends_through_its_stand_ins(
    aiohttp_client: Any, settings: Settings, departments: Departments
) -> None:
    client = await started(aiohttp_client, settings.model_copy(update={"stand_ins": None}),
                           departments)  # fmt: skip
    app = client.app

    await app[TWILIO_API].send_sms(to=AMARTIN, from_=LOT, body="Bonjour")
    await app[MAILER].send(to="coordination@dac46.example.org", subject="Essai", body="Corps")

    [sms, mail] = app[STAND_INS].sent()
    assert isinstance(sms, SentSms)
    assert (sms.to, sms.sender, sms.body) == (AMARTIN, LOT, "Bonjour")
    assert isinstance(mail, SentMail)
    assert (mail.to, mail.subject, mail.body.strip()) == (
        ("coordination@dac46.example.org",),
        "Essai",
        "Corps",
    )


async def test_a_provider_the_settings_name_is_kept(
    aiohttp_client: Any, settings: Settings, departments: Departments, twilio_api: FakeTwilioApi
) -> None:
    twilio_api.account_sid, twilio_api.auth_token = (
        "AC" + "0" * 32,
        "test-auth-token-0123456789abcdef",
    )
    named = settings.model_copy(update={"stand_ins": None, "twilio_api_url": twilio_api.base_url})
    client = await started(aiohttp_client, named, departments)

    await client.app[TWILIO_API].send_sms(to=AMARTIN, from_=LOT, body="Bonjour")

    stand_ins = client.app[STAND_INS]
    assert stand_ins.twilio is None
    assert stand_ins.smtp is not None
    assert [message["body"] for message in twilio_api.messages] == ["Bonjour"]


async def test_production_never_starts_them(
    aiohttp_client: Any, settings: Settings, departments: Departments
) -> None:
    unset = production(settings.model_copy(update={"stand_ins": None}))
    client = await started(aiohttp_client, unset, departments)

    assert STAND_INS not in client.app
    with pytest.raises(UnsafeSettings, match="FRONTDOOR_STAND_INS is on"):
        create_app(production(settings.model_copy(update={"stand_ins": True})), departments)


async def test_the_development_mode_may_turn_them_off(
    aiohttp_client: Any, settings: Settings, departments: Departments
) -> None:
    client = await started(aiohttp_client, settings.model_copy(update={"stand_ins": False}),
                           departments)  # fmt: skip

    assert STAND_INS not in client.app
