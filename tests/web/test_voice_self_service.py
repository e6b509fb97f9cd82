"""Voice self-service: a caller finds the nearest resources without a referent, and gets
them by SMS — through signed Twilio posts and Twilio's REST API answered locally."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from frontdoor.departments import Departments
from frontdoor.indicators.periods import Period
from frontdoor.indicators.queries import department_counts
from frontdoor.keys import DEPARTMENTS
from frontdoor.kit.patience import STORE_WORK
from frontdoor.logs import hold_back_libraries
from frontdoor.phone import Answer, ScriptedPerson
from frontdoor.settings import Settings
from frontdoor.standins.twilio_api import FakeTwilioApi
from frontdoor.store.db import create_engine, session_maker
from frontdoor.web.app import create_app
from tests.console.conftest import LOT_REFERENT, create_accounts, sign_in
from tests.sms.texting import messages
from tests.web.calls import (
    AMARTIN,
    LOT,
    NURSE,
    TUESDAY_MORNING,
    phone,
    place_call,
    reason_codes,
    said,
    stored,
)
from tests.web.conftest import SilentProvider
from tests.web.prompts import load_directory


@pytest.fixture
async def app_settings(wired_settings: Settings) -> Settings:
    """With the Lot's resource directory."""
    await load_directory(wired_settings)
    return wired_settings


async def test_a_caller_hears_the_three_nearest_ssiad_and_gets_them_by_sms(
    client: TestClient, wired_settings: Settings, twilio_api: FakeTwilioApi
) -> None:
    # 9: information; 46100: Figeac; 1: a SSIAD; 1: send them by SMS.
    person = ScriptedPerson(["9", "46100", "1", "1"])

    result = await place_call(client, at=TUESDAY_MORNING, to=LOT, person=person)

    heard = said(result)
    assert "Voici les ressources les plus proches pour un service de soins infirmiers" in heard
    assert "SSIAD du Pays de Figeac" in heard
    assert "zéro cinq, trente-six, quarante-neuf" in heard  # phone numbers read in pairs
    assert "Je vous envoie ces informations par SMS. Merci de votre appel, au revoir." in heard
    assert result.connected_to is None
    [sms] = twilio_api.messages
    assert (sms["to"], sms["from"]) == (NURSE, LOT)
    assert "SSIAD du Pays de Figeac" in sms["body"]
    assert int(sms["num_segments"]) <= 2

    [request], events = await stored(wired_settings)
    assert request.response_kinds == ["information"]
    assert request.outcome == "informed"
    assert request.callback_needed is False
    assert {"directory-asked", "directory-answered", "directory-sms-sent"} <= set(
        reason_codes(events)
    )
    [message] = await messages(wired_settings)
    assert (message.kind, message.direction, message.author) == (
        "directory-answer", "out", "frontdoor",
    )  # fmt: skip
    assert (message.status, message.provider_id) == ("queued", sms["sid"])
    assert (message.body, message.segments) == (sms["body"], int(sms["num_segments"]))


async def test_a_caller_who_does_not_want_the_sms_gets_none(
    client: TestClient, twilio_api: FakeTwilioApi
) -> None:
    result = await place_call(
        client, at=TUESDAY_MORNING, to=LOT, person=ScriptedPerson(["9", "46100", "2", None])
    )

    assert "EHPAD" in said(result)
    assert "Merci de votre appel. Au revoir." in said(result)
    assert twilio_api.messages == []


async def twilio_refuses(twilio: FakeTwilioApi) -> None:
    twilio.fail_next(status=500)


async def twilio_is_away(twilio: FakeTwilioApi) -> None:
    await twilio.close()


@pytest.mark.parametrize(
    ("breakage", "cause"),
    [
        pytest.param(twilio_refuses, "TwilioRestException (HTTP 500, Twilio 20500)", id="refuses"),
        pytest.param(
            twilio_is_away,
            "ClientConnectorError ← ConnectionRefusedError (ECONNREFUSED)",
            id="unreachable",
        ),
    ],
)
async def test_when_the_sms_does_not_leave_the_caller_hears_the_same_goodbye_and_it_is_kept_failed(
    client: TestClient,
    wired_settings: Settings,
    twilio_api: FakeTwilioApi,
    caplog: pytest.LogCaptureFixture,
    breakage: Callable[[FakeTwilioApi], Awaitable[None]],
    cause: str,
) -> None:
    await breakage(twilio_api)
    hold_back_libraries()  # as the service does: SQL parameters are not its lines
    caplog.set_level(logging.INFO)

    result = await place_call(
        client, at=TUESDAY_MORNING, to=LOT, person=ScriptedPerson(["9", "46100", "1", "1"])
    )

    # Answered without waiting for Twilio's verdict: the same words as when the SMS leaves.
    assert "Je vous envoie ces informations par SMS. Merci de votre appel, au revoir." in said(
        result
    )
    [request], events = await stored(wired_settings)
    assert request.response_kinds == ["information"]
    assert "directory-sms-sent" in reason_codes(events)
    # Nothing lost: the SMS was written before it was sent, and is marked as not sent.
    [message] = await messages(wired_settings)
    assert (message.kind, message.status, message.provider_id) == (
        "directory-answer", "failed", None,
    )  # fmt: skip
    assert "SSIAD du Pays de Figeac" in (message.body or "")
    failures = [r for r in caplog.records if r.name == "frontdoor.sms.sending"]
    assert [(f.levelno, f.getMessage()) for f in failures] == [
        (logging.ERROR, f"dac46 : le SMS des ressources de l'annuaire n'est pas parti ({cause})")
    ]
    for record in caplog.records:
        assert NURSE.removeprefix("+") not in record.getMessage(), record


async def test_a_referent_sees_on_the_request_that_its_directory_sms_did_not_leave(
    client: TestClient, wired_settings: Settings, twilio_api: FakeTwilioApi
) -> None:
    twilio_api.fail_next(status=500)
    await place_call(
        client, at=TUESDAY_MORNING, to=LOT, person=ScriptedPerson(["9", "46100", "1", "1"])
    )
    [request], _ = await stored(wired_settings)
    await create_accounts(wired_settings, (LOT_REFERENT,))
    browser = await sign_in(client, LOT_REFERENT)

    page = await (await browser.get(f"/console/demandes/{request.id}")).text()

    assert "SMS non envoyé (échec)" in page


async def test_a_retried_sms_step_is_answered_again_and_sends_nothing_more(
    client: TestClient, wired_settings: Settings, twilio_api: FakeTwilioApi
) -> None:
    result = await place_call(
        client, at=TUESDAY_MORNING, to=LOT, person=ScriptedPerson(["9", "46100", "1", "1"])
    )
    [sms_step] = [x for x in result.exchanges if "stage=sms" in x.request.path_qs]

    retry = await phone(client, TUESDAY_MORNING).repost(sms_step.request)

    assert (retry.status, retry.text) == (200, sms_step.text)
    assert len(twilio_api.messages) == 1
    [message] = await messages(wired_settings)
    assert message.status == "queued"


async def test_the_sms_is_written_before_twilio_is_asked_and_a_hanging_twilio_holds_no_answer(
    aiohttp_client: Any, wired_settings: Settings, departments: Departments, silent: SilentProvider
) -> None:
    app = create_app(wired_settings.model_copy(update={"twilio_api_url": silent.url}), departments)
    client = await aiohttp_client(app)

    result = await place_call(
        client, at=TUESDAY_MORNING, to=LOT, person=ScriptedPerson(["9", "46100", "1", "1"])
    )

    # Every step answered (the phone gives up after 15 s) while Twilio still has the SMS.
    assert "Je vous envoie ces informations par SMS." in said(result)
    assert silent.connected.is_set()
    [message] = await messages(wired_settings)
    assert (message.status, message.provider_id) == ("sending", None)
    # Twilio drops it: the SMS is marked as not sent.
    await silent.close()
    await app[STORE_WORK].drain()
    [message] = await messages(wired_settings)
    assert message.status == "failed"


async def test_a_call_the_directory_alone_answered_is_closed_when_it_ends_and_still_counted(
    client: TestClient, wired_settings: Settings
) -> None:
    await place_call(
        client, at=TUESDAY_MORNING, to=LOT, person=ScriptedPerson(["9", "46100", "1", None])
    )

    [request], events = await stored(wired_settings)
    assert (request.status, request.closed_by) == ("closed", "frontdoor")
    assert request.closed_at == request.ended_at  # at the call's final status callback
    assert [e.kind for e in events][-2:] == ["ended", "auto-closed"]
    assert events[-1].reasons[0]["text"].startswith("renseignée par l'annuaire")
    # The indicators count it as any other call answered by the directory.
    engine = create_engine(wired_settings.database_url)
    async with session_maker(engine)() as session:
        [counts] = await department_counts(
            session,
            departments=[client.app[DEPARTMENTS].for_slug("dac46")],  # type: ignore[list-item]
            period=Period.parse("2026-05"),
        )
    await engine.dispose()
    assert counts.channels == {"voice": 1}
    assert counts.voice_outcomes == {"informed": 1}
    assert counts.responses == {"information": 1}


async def test_a_call_put_through_to_a_referent_stays_open_for_her(
    client: TestClient, wired_settings: Settings
) -> None:
    person = ScriptedPerson(["1", "1"], referents={AMARTIN: Answer(presses="1")})

    await place_call(client, at=TUESDAY_MORNING, to=LOT, person=person)

    [request], events = await stored(wired_settings)
    assert (request.outcome, request.status, request.closed_by) == ("taken", "open", None)
    assert "auto-closed" not in [e.kind for e in events]
