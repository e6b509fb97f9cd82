"""What every Twilio webhook promises: signatures checked, retries harmless, a caller never
left with Twilio's English "application error"."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp.test_utils import TestClient
from twilio.request_validator import RequestValidator

from frontdoor.departments import Departments
from frontdoor.keys import COUNTERS
from frontdoor.kit.twilio_webhook import MAX_WEBHOOK_BODY
from frontdoor.phone import TestClientTransport, TwilioPhone
from frontdoor.settings import Settings
from frontdoor.web.app import create_app
from tests.conftest import AUTH_TOKEN, PUBLIC_URL
from tests.web.calls import LOT, NURSE, TUESDAY_MORNING, dump, phone, stored

INCOMING = {
    "AccountSid": "AC" + "0" * 32,
    "CallSid": "CA" + "1" * 32,
    "From": NURSE,
    "To": LOT,
    "CallStatus": "ringing",
    "Direction": "inbound",
    "SimulatedAt": TUESDAY_MORNING.isoformat(),
}


async def test_a_forged_signature_is_refused_with_403_and_nothing_is_stored(
    client: TestClient, settings: Settings
) -> None:
    forged = RequestValidator("not-the-token").compute_signature(
        PUBLIC_URL + "/twilio/voice", INCOMING
    )

    response = await client.post(
        "/twilio/voice", data=INCOMING, headers={"X-Twilio-Signature": forged}
    )
    unsigned = await client.post("/twilio/voice", data=INCOMING)

    assert response.status == 403
    assert unsigned.status == 403
    assert client.app[COUNTERS]["webhook_signature_refused"] == 2
    assert await stored(settings) == ([], [])


async def test_a_signature_for_another_url_is_refused(
    client: TestClient, settings: Settings
) -> None:
    # Signed for the status callback, replayed on the incoming-call URL.
    signature = RequestValidator(AUTH_TOKEN).compute_signature(
        PUBLIC_URL + "/twilio/voice/status", INCOMING
    )

    response = await client.post(
        "/twilio/voice", data=INCOMING, headers={"X-Twilio-Signature": signature}
    )

    assert response.status == 403
    assert await stored(settings) == ([], [])


async def test_a_retried_webhook_gets_the_same_answer_and_is_stored_once(
    client: TestClient, settings: Settings
) -> None:
    twilio = phone(client, None)

    first = await twilio.post("/twilio/voice", INCOMING)
    retry = await twilio.repost(first.request)

    assert first.status == retry.status == 200
    assert retry.text == first.text
    requests, events = await stored(settings)
    assert len(requests) == 1
    assert [e.kind for e in events] == ["incoming"]


async def test_a_call_to_a_number_no_department_answers_hears_so_in_french(
    client: TestClient, settings: Settings
) -> None:
    response = await phone(client, None).post("/twilio/voice", {**INCOMING, "To": "+33199000001"})

    assert response.status == 200
    assert "Ce numéro n'est pas attribué." in response.text
    assert await stored(settings) == ([], [])


async def test_with_the_store_unreachable_the_caller_still_hears_the_greeting_and_menu(
    aiohttp_client: object, settings: Settings, departments: Departments
) -> None:
    # A database server that refuses connections (nothing listens on port 1).
    unreachable = settings.model_copy(
        update={"database_url": "postgresql+asyncpg://frontdoor@127.0.0.1:1/frontdoor"}
    )
    app = create_app(unreachable, departments)
    client = await aiohttp_client(app)  # type: ignore[operator]
    twilio = TwilioPhone(TestClientTransport(client), public_url=PUBLIC_URL, auth_token=AUTH_TOKEN)

    response = await twilio.post("/twilio/voice", INCOMING)
    menu = await twilio.post("/twilio/voice/menu?level=who&try=1", {**INCOMING, "Digits": "1"})

    assert response.status == 200
    assert "Bonjour, vous êtes bien au DAC du Lot" in response.text
    assert "<Gather" in response.text
    assert menu.status == 200
    assert "Vous êtes médecin, tapez 1." in menu.text
    assert app[COUNTERS]["webhook_degraded"] == 2


async def test_a_signed_but_malformed_webhook_gets_a_clear_400_and_stores_nothing(
    client: TestClient, settings: Settings
) -> None:
    twilio = phone(client, None)
    without_sid = {key: value for key, value in INCOMING.items() if key != "CallSid"}

    incoming = await twilio.post("/twilio/voice", without_sid)
    menu = await twilio.post("/twilio/voice/menu?level=who&try=x", INCOMING)
    dialed = await twilio.post("/twilio/voice/dialed?attempt=0", without_sid)

    assert (incoming.status, menu.status, dialed.status) == (400, 400, 400)
    assert "CallSid missing" in incoming.text
    assert await stored(settings) == ([], [])


async def test_calls_arriving_together_are_each_stored_once_and_retries_get_the_first_answer(
    client: TestClient, settings: Settings
) -> None:
    twilio = phone(client, None)
    calls = [{**INCOMING, "CallSid": f"CA{n:032d}", "From": f"+3361100{n:04d}"} for n in range(40)]

    # Forty calls at once, each of the first ten with a retry in the same moment: batches of
    # the group commit overlap, and a call's retry may land in another batch than the call.
    answers = await asyncio.gather(
        *(twilio.post("/twilio/voice", call) for call in calls),
        *(twilio.post("/twilio/voice", call) for call in calls[:10]),
    )

    assert all(answer.status == 200 for answer in answers)
    for first, retry in zip(answers[:10], answers[40:], strict=True):
        assert retry.text == first.text
    requests, events = await stored(settings)
    assert sorted(r.call_sid for r in requests) == sorted(c["CallSid"] for c in calls)
    assert [e.kind for e in events] == ["incoming"] * 40


MENU_WHO = "/twilio/voice/menu?department=dac46&level=who&try=1"
MENU_PROFESSION = "/twilio/voice/menu?department=dac46&level=profession&try=1"


async def test_a_later_step_retried_after_the_call_moved_on_gets_its_answer_and_changes_nothing(
    client: TestClient, settings: Settings
) -> None:
    twilio = phone(client, None)
    await twilio.post("/twilio/voice", INCOMING)
    professional = await twilio.post(MENU_WHO, {**INCOMING, "Digits": "1"})
    nurse = await twilio.post(MENU_PROFESSION, {**INCOMING, "Digits": "2"})
    before = await dump(settings)

    # Both menu steps again, once the call has gone past them (the request is a nurse's now).
    retries = [await twilio.repost(professional.request), await twilio.repost(nurse.request)]

    assert [(r.status, r.text) for r in retries] == [
        (200, professional.text),
        (200, nurse.text),
    ]
    assert await dump(settings) == before
    [request], events = await stored(settings)
    assert request.referrer_type == "nurse_to_confirm"
    assert [e.kind for e in events] == ["incoming", "menu", "menu"]


async def test_later_steps_and_their_retries_at_the_same_moment_are_answered_alike_once(
    client: TestClient, settings: Settings
) -> None:
    twilio = phone(client, None)
    calls = [{**INCOMING, "CallSid": f"CA{n:032d}", "From": f"+3361100{n:04d}"} for n in range(20)]
    for call in calls:
        await twilio.post("/twilio/voice", call)

    # Each call's first menu step twice at once: one is served, the other gets its answer.
    answers = await asyncio.gather(
        *(twilio.post(MENU_WHO, {**call, "Digits": "1"}) for call in calls),
        *(twilio.post(MENU_WHO, {**call, "Digits": "1"}) for call in calls),
    )

    assert all(answer.status == 200 for answer in answers)
    for first, retry in zip(answers[:20], answers[20:], strict=True):
        assert retry.text == first.text
    _, events = await stored(settings)
    assert sorted(e.kind for e in events) == ["incoming"] * 20 + ["menu"] * 20


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"Content-Length": "2000"}, 403),  # no signature
        ({"Content-Length": str(MAX_WEBHOOK_BODY + 1), "X-Twilio-Signature": "x"}, 413),
        ({"Transfer-Encoding": "chunked", "X-Twilio-Signature": "x"}, 411),
    ],
    ids=["unsigned", "larger-than-any-twilio-sends", "size-unsaid"],
)
async def test_a_webhook_is_refused_before_its_body_is_read_when_it_cannot_be_twilios(
    client: TestClient, settings: Settings, headers: dict[str, str], status: int
) -> None:
    # The body is never sent: an answer proves the service did not wait to read it.
    reader, writer = await asyncio.open_connection(client.server.host, client.server.port)
    head = {
        "Host": "localhost",
        "Content-Type": "application/x-www-form-urlencoded",
        "Connection": "close",
        **headers,
    }
    lines = "".join(f"{name}: {value}\r\n" for name, value in head.items())
    writer.write(f"POST /twilio/voice HTTP/1.1\r\n{lines}\r\n".encode())
    await writer.drain()
    async with asyncio.timeout(30):
        status_line = await reader.readline()
    writer.close()

    assert status_line.split()[1] == str(status).encode()
    assert await stored(settings) == ([], [])
