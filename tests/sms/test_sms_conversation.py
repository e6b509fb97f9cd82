"""An SMS conversation through the real app: signed Twilio posts to /twilio/sms, answers by
return, referents told through a local server answering as Twilio's REST API, a referent's
answer sent through it, STOP and START respected."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest
from aiohttp.test_utils import TestClient
from sqlmodel import select

from frontdoor.core.department import Department
from frontdoor.core.retention import pseudonym
from frontdoor.keys import STORE_COPIES
from frontdoor.phone import TestClientTransport, TwilioPhone
from frontdoor.settings import Settings
from frontdoor.standins.twilio_api import FakeTwilioApi
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.models import (
    CallbackTaskRow,
    KnownContact,
)
from tests.conftest import AUTH_TOKEN, PUBLIC_URL
from tests.indicators.tally_checks import assert_counts_are_the_requests
from tests.sms.texting import (
    FRIDAY_EVENING,
    messages,
    new_sid,
    notified,
    opt_outs,
    replied,
    send,
    sent,
)
from tests.web.calls import AMARTIN, BLEROY, LOT, NURSE, PARIS, TUESDAY_MORNING, stored

LOT_KEY = {"Authorization": "Bearer key-dac46-amartin"}


async def test_an_sms_in_hours_is_acknowledged_and_the_referents_on_duty_told_without_content(
    client: TestClient, settings: Settings, twilio_api: FakeTwilioApi
) -> None:
    [ack] = replied(await send(client, "Rappelez-moi pour Mme X", at=TUESDAY_MORNING))

    assert ack.startswith("DAC du Lot : votre SMS nous est bien parvenu.")
    notices = await sent(twilio_api, 2)
    events = await notified(settings)
    [request], _ = await stored(settings)
    assert (request.channel, request.caller_number, request.callback_needed) == (
        "sms",
        NURSE,
        False,
    )
    assert sorted(n["to"] for n in notices) == [AMARTIN, BLEROY]
    for notice in notices:
        assert notice["from"] == LOT
        assert (
            notice["body"]
            == f"DAC du Lot : nouveau SMS, demande n° {request.id}. À traiter dans Frontdoor."
        )
    assert [e.kind for e in events] == ["sms-in", "sms-notified"]
    assert [r["code"] for r in events[0].reasons][-1] == "sms-notify-on-duty"
    rows = await messages(settings)
    assert [(m.direction, m.kind, m.author, m.segments) for m in rows] == [
        ("in", "message", None, 1),
        ("out", "acknowledgement", "frontdoor", 1),
    ]
    assert rows[0].body == "Rappelez-moi pour Mme X"

    # Ten minutes later: the same conversation, not acknowledged nor notified again.
    second = await send(client, "C'est urgent", at=TUESDAY_MORNING + timedelta(minutes=10))
    assert replied(second) == []
    await sent(twilio_api, 2)
    [same], events = await stored(settings)
    assert same.id == request.id
    assert [r["code"] for r in events[-1].reasons][-1] == "sms-notified-recently"
    assert len(await messages(settings)) == 3


async def test_out_of_hours_it_says_when_the_line_reopens_and_needs_a_callback(
    client: TestClient, settings: Settings, twilio_api: FakeTwilioApi
) -> None:
    [ack] = replied(await send(client, "Rappelez-moi", at=FRIDAY_EVENING))

    assert "à la réouverture, lundi 18 mai à 8 h 30." in ack
    assert "15 ou 112" in ack
    assert "116 117" in ack
    [request], events = await stored(settings)
    assert (request.callback_needed, request.out_of_hours) == (True, True)
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        [task] = (await session.exec(select(CallbackTaskRow))).all()
    await engine.dispose()
    assert task.due_at == datetime(2026, 5, 18, 12, 30, tzinfo=PARIS)
    assert [e.kind for e in events] == ["sms-in", "callback-task"]
    await asyncio.sleep(0.05)
    assert twilio_api.messages == []  # nobody woken up


async def test_stop_is_respected_until_start(
    client: TestClient, settings: Settings, twilio_api: FakeTwilioApi
) -> None:
    replied(await send(client, "Bonjour, rappelez-moi", at=TUESDAY_MORNING))
    await sent(twilio_api, 2)
    [request], _ = await stored(settings)

    assert replied(await send(client, "STOP", at=TUESDAY_MORNING + timedelta(minutes=1))) == []
    rows = await messages(settings)
    # Kept as a pseudonym: it answers "did this number say STOP?" without holding it.
    assert await opt_outs(settings) == [("dac46", pseudonym(NURSE, settings.pseudonym_secret))]
    assert rows[-1].kind == "keyword"
    answer = await client.post(
        f"/api/requests/{request.id}/sms", json={"body": "Bonjour"}, headers=LOT_KEY
    )
    assert answer.status == 409
    # Still written to after STOP: filed, but nothing goes back.
    assert replied(await send(client, "Merci", at=TUESDAY_MORNING + timedelta(hours=2))) == []

    [welcome] = replied(await send(client, "START", at=TUESDAY_MORNING + timedelta(hours=3)))
    assert "de nouveau" in welcome
    assert await opt_outs(settings) == []
    again = await client.post(
        f"/api/requests/{request.id}/sms", json={"body": "Bonjour"}, headers=LOT_KEY
    )
    assert again.status == 201


async def test_a_referents_answer_goes_through_twilio_and_is_logged_under_the_request(
    client: TestClient, settings: Settings, twilio_api: FakeTwilioApi
) -> None:
    replied(await send(client, "Rappelez-moi pour Mme X", at=TUESDAY_MORNING))
    await sent(twilio_api, 2)
    [request], _ = await stored(settings)
    body = "Bonjour, je vous rappelle à 14 h pour Mme X. Anne, référente du DAC."

    response = await client.post(
        f"/api/requests/{request.id}/sms", json={"body": body}, headers=LOT_KEY
    )

    assert response.status == 201
    answer = await response.json()
    assert (answer["segments"], answer["encoding"]) == (1, "GSM-7")
    sms = twilio_api.messages[-1]
    assert (sms["to"], sms["from"], sms["body"]) == (NURSE, LOT, body)
    assert answer["sid"] == sms["sid"]
    [request], events = await stored(settings)
    assert (request.taken_by, request.answered_at is not None) == ("amartin", True)
    assert events[-1].kind == "sms-answer"
    assert events[-1].referent_id == "amartin"
    last = (await messages(settings))[-1]
    assert (last.kind, last.author, last.provider_id, last.status) == (
        "answer",
        "amartin",
        sms["sid"],
        "queued",
    )
    listed = await client.get(f"/api/requests/{request.id}/messages", headers=LOT_KEY)
    assert [m["kind"] for m in (await listed.json())["data"]] == [
        "message",
        "acknowledgement",
        "answer",
    ]


@pytest.mark.parametrize(
    ("body", "status", "segments"),
    [
        pytest.param("ê" * 67 * 10, 201, 10, id="ucs2-ten-segments"),
        pytest.param("ê" * (67 * 10 + 1), 422, None, id="ucs2-eleven-refused"),
        pytest.param("a" * 153 * 10, 201, 10, id="gsm-ten-segments"),
        pytest.param("€" * 766, 422, None, id="gsm-extension-eleven-refused"),
        pytest.param("  ", 422, None, id="blank"),
    ],
)
async def test_long_and_non_gsm_answers_are_counted_and_capped(
    client: TestClient,
    settings: Settings,
    twilio_api: FakeTwilioApi,
    body: str,
    status: int,
    segments: int | None,
) -> None:
    replied(await send(client, "Bonjour", at=TUESDAY_MORNING))
    [request], _ = await stored(settings)
    response = await client.post(
        f"/api/requests/{request.id}/sms", json={"body": body}, headers=LOT_KEY
    )
    assert response.status == status
    if segments is not None:
        assert (await response.json())["segments"] == segments
        assert twilio_api.messages[-1]["num_segments"] == str(segments)  # as Twilio counts


async def test_another_departments_request_cannot_be_answered(
    client: TestClient, settings: Settings, twilio_api: FakeTwilioApi
) -> None:
    replied(await send(client, "Bonjour", at=TUESDAY_MORNING))
    [request], _ = await stored(settings)
    moselle = {"Authorization": "Bearer key-dac57-dweber"}
    response = await client.post(
        f"/api/requests/{request.id}/sms", json={"body": "x"}, headers=moselle
    )
    assert response.status == 404


async def test_a_duplicated_webhook_stores_one_message(
    client: TestClient, settings: Settings, twilio_api: FakeTwilioApi
) -> None:
    sid = new_sid()
    first = await send(client, "Bonjour", at=TUESDAY_MORNING, sid=sid)
    retry = await send(client, "Bonjour", at=TUESDAY_MORNING, sid=sid)
    await sent(twilio_api, 2)

    assert first.text == retry.text
    assert [m.direction for m in await messages(settings)] == ["in", "out"]
    requests, _ = await stored(settings)
    assert len(requests) == 1
    assert len(twilio_api.messages) == 2  # the referents were told once


async def test_sms_sent_together_join_one_request_acknowledged_and_told_once(
    client: TestClient, settings: Settings, twilio_api: FakeTwilioApi
) -> None:
    """A long text split by the phone, or three quick ones: their webhooks come at once, on
    separate connections, and still make one conversation, as if they came one by one."""
    texts = ["Rappelez-moi pour Mme X", "C'est urgent", "Merci"]

    answers = await asyncio.gather(*(
        send(client, text, at=TUESDAY_MORNING + timedelta(seconds=second))
        for second, text in enumerate(texts)
    ))  # fmt: skip

    assert sorted(len(replied(answer)) for answer in answers) == [0, 0, 1]
    assert len(await sent(twilio_api, 2)) == 2  # amartin and bleroy, told once
    requests, events = await stored(settings)
    assert len(requests) == 1
    assert [e.kind for e in events].count("sms-in") == 3
    assert sorted(m.body for m in await messages(settings) if m.direction == "in") == sorted(texts)


async def test_an_sms_answered_after_a_later_one_joins_its_conversation(
    client: TestClient, settings: Settings
) -> None:
    """The webhook that waited for the sender's conversation is answered after a later SMS
    opened the request: it joins it."""
    await send(client, "C'est urgent", at=TUESDAY_MORNING + timedelta(seconds=1))
    assert replied(await send(client, "Rappelez-moi", at=TUESDAY_MORNING)) == []

    [request], _ = await stored(settings)
    # The contact began with the first message, whichever was stored first.
    assert request.received_at == TUESDAY_MORNING


async def test_an_sms_stored_late_moves_its_request_to_when_it_was_sent_indicators_too(
    client: TestClient, settings: Settings, lot: Department
) -> None:
    """Written out of hours on the last evening of May, stored once a later one (in hours, in
    June) opened the request: the request is received out of hours, in May, and the
    indicators count it there."""
    evening = datetime(2026, 5, 31, 21, tzinfo=PARIS)  # a Sunday
    morning = datetime(2026, 6, 1, 10, tzinfo=PARIS)
    await send(client, "C'est urgent", at=morning)
    assert replied(await send(client, "Rappelez-moi", at=evening)) == []

    [request], _ = await stored(settings)
    assert (request.received_at, request.out_of_hours) == (evening, True)
    engine = create_engine(settings.database_url)
    try:
        await assert_counts_are_the_requests(engine, [lot], ["2026-05", "2026-06", "2026"])
    finally:
        await engine.dispose()


async def test_a_forged_or_malformed_webhook_is_refused_and_stores_nothing(
    client: TestClient, settings: Settings
) -> None:
    forged = await client.post(
        "/twilio/sms",
        data={"MessageSid": new_sid(), "From": NURSE, "To": LOT, "Body": "Bonjour"},
        headers={"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"},
    )
    phone = TwilioPhone(TestClientTransport(client), public_url=PUBLIC_URL, auth_token=AUTH_TOKEN)
    no_body = await phone.post("/twilio/sms", {"MessageSid": new_sid(), "From": NURSE, "To": LOT})
    bad_sid = await phone.post(
        "/twilio/sms", {"MessageSid": "x", "From": NURSE, "To": LOT, "Body": "a"}
    )

    assert (forged.status, no_body.status, bad_sid.status) == (403, 400, 400)
    assert await messages(settings) == []
    assert (await stored(settings))[0] == []


async def test_a_failing_notice_is_logged_and_loses_nothing(
    client: TestClient,
    settings: Settings,
    twilio_api: FakeTwilioApi,
    caplog: pytest.LogCaptureFixture,
) -> None:
    twilio_api.fail_next(status=500)
    [ack] = replied(await send(client, "Rappelez-moi pour Mme X", at=TUESDAY_MORNING))

    await sent(twilio_api, 1)
    events = await notified(settings)
    assert ack
    assert events[-1].kind == "sms-notified"
    assert "échec pour : Anne Martin" in events[-1].reasons[0]["text"]  # names, not logins
    assert NURSE not in caplog.text
    assert "Mme X" not in caplog.text
    assert "le SMS qui prévient le référent amartin n'est pas parti" in caplog.text


async def test_messages_under_a_sender_name_never_join_each_others_request(
    client: TestClient, settings: Settings
) -> None:
    # "PHARMACIE" or "anonymous" is anyone's to send under: it says nothing of who writes.
    for sender in ("PHARMACIE", "PHARMACIE", "anonymous", "anonymous"):
        assert replied(await send(client, "Mme X sort demain", at=TUESDAY_MORNING,
                                  from_=sender)) == []  # fmt: skip

    requests, _ = await stored(settings)
    assert len(requests) == 4
    assert len({m.request_id for m in await messages(settings)}) == 4


async def test_an_sms_from_a_known_contact_gets_their_referrer_type_as_a_call_would(
    client: TestClient, settings: Settings, twilio_api: FakeTwilioApi
) -> None:
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        session.add(
            KnownContact(department="dac46", number=NURSE, name="Paul Morel", referrer_type="ccas")
        )
        await session.commit()
    await engine.dispose()
    await client.app[STORE_COPIES].refresh()

    replied(await send(client, "Bonjour, pour Mme X", at=TUESDAY_MORNING))
    await notified(settings)

    [request], events = await stored(settings)
    assert (request.referrer_type, request.referrer_source) == ("ccas", "known_contact")
    assert request.caller_name == "Paul Morel"
    assert "known-caller" in [r["code"] for r in events[0].reasons]


async def test_an_sms_from_an_unknown_number_stays_unclassified(
    client: TestClient, settings: Settings, twilio_api: FakeTwilioApi
) -> None:
    replied(await send(client, "Bonjour", at=TUESDAY_MORNING))
    await notified(settings)

    [request], _ = await stored(settings)
    assert (request.referrer_type, request.referrer_source) == ("unknown", "none")
    assert request.caller_name is None


async def test_help_asked_in_a_loop_is_answered_three_times_then_no_more(
    client: TestClient, settings: Settings
) -> None:
    # Each answer is paid for and lands on a phone: a loop (or someone sending from a number
    # not theirs) gets a few, not one per message.
    answers = [
        replied(await send(client, "AIDE", at=TUESDAY_MORNING + timedelta(seconds=n)))
        for n in range(10)
    ]
    elsewhere = replied(await send(client, "AIDE", at=TUESDAY_MORNING, from_="+33611223399"))

    assert [len(answer) for answer in answers] == [1, 1, 1] + [0] * 7
    assert len(elsewhere) == 1


async def test_a_number_without_acknowledgements_still_tells_the_referents_once_an_hour(
    client: TestClient, settings: Settings, twilio_api: FakeTwilioApi
) -> None:
    # Opted out: never acknowledged, so the acknowledgement's hour of quiet never began.
    replied(await send(client, "STOP", at=TUESDAY_MORNING))
    for minute in range(6):
        await send(
            client, f"Rappelez-moi ({minute})", at=TUESDAY_MORNING + timedelta(minutes=minute)
        )
    await sent(twilio_api, 2)

    later = TUESDAY_MORNING + timedelta(hours=1, minutes=1)
    await send(client, "Toujours là", at=later)

    assert len(await sent(twilio_api, 4)) == 4  # amartin and bleroy: once, then an hour later
    requests, _ = await stored(settings)
    assert len(requests) == 1


async def test_a_twilio_refusal_echoing_the_number_is_answered_with_its_code_alone(
    client: TestClient,
    settings: Settings,
    twilio_api: FakeTwilioApi,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Twilio's error for a bad "To" echoes the number: the API answers with its code."""
    await send(client, "Rappelez-moi", at=TUESDAY_MORNING)
    await sent(twilio_api, 2)  # the referents on duty told: the next SMS is the answer
    [request], _ = await stored(settings)
    twilio_api.fail_next(
        status=400,
        code=21211,
        message=f"The 'To' number {NURSE} is not a valid phone number "
        "(Jeanne Dupont, INS 241034604200192).",
    )

    answer = await client.post(
        f"/api/requests/{request.id}/sms", json={"body": "Bonjour"}, headers=LOT_KEY
    )

    said = await answer.text()
    assert answer.status == 502
    assert said == (
        "Twilio refused the SMS: OutboundError ← TwilioRestException (HTTP 400, Twilio 21211)"
    )
    for text in (said, caplog.text):
        assert "Dupont" not in text
        assert "241034604200192" not in text
        assert NURSE not in text
        assert NURSE.removeprefix("+33") not in text
