"""Requests the service cannot read are the client's mistake: 4xx, never a server error, and
nothing stored. Each case here was a 500 (or, on PostgreSQL, a store "outage") found by
tests/fuzz/."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from aiohttp.test_utils import TestClient

from frontdoor.settings import Settings
from tests.conftest import PUBLIC_URL
from tests.fuzz.invariants import half_written
from tests.fuzz.traffic import sign
from tests.web.calls import LOT, NURSE, TUESDAY_MORNING, stored

LOT_KEY = {"Authorization": "Bearer key-dac46-amartin"}
GOOD_BODIES = {"PATCH": {"referrer_type": "gp"}}
FORM = "application/x-www-form-urlencoded"
CALL = {
    "AccountSid": "AC" + "0" * 32,
    "CallSid": "CA" + "1" * 32,
    "From": NURSE,
    "To": LOT,
    "SimulatedAt": TUESDAY_MORNING.isoformat(),
}
SMS = {
    "MessageSid": "SM" + "2" * 32,
    "From": NURSE,
    "To": LOT,
    "Body": "Bonjour",
    "SimulatedAt": TUESDAY_MORNING.isoformat(),
}


async def post_signed(
    client: TestClient, path: str, body: bytes, signed: dict[str, str], content_type: str = FORM
) -> int:
    """Post `body` signed as Twilio signs `signed` (what it says it sent)."""
    signature = sign(PUBLIC_URL + path, {name: [value] for name, value in signed.items()})
    response = await client.post(
        path, data=body, headers={"X-Twilio-Signature": signature, "Content-Type": content_type}
    )
    return response.status


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        pytest.param(b"CallSid=CA1&From=caf\xe9", FORM, id="latin-1 bytes, no charset"),
        pytest.param(b"CallSid=CA1", FORM + "; charset=klingon", id="a charset nobody knows"),
        pytest.param(
            b'--b\r\nContent-Disposition: form-data; name="\xff\x0b"\r\n\r\nx\r\n--b--\r\n',
            "multipart/form-data; boundary=b",
            id="multipart with a broken part header",
        ),
        pytest.param(
            b'--b\r\nContent-Disposition: form-data; name="Body"\r\n'
            b"Content-Transfer-Encoding: klingon\r\n\r\nx\r\n--b--\r\n",
            "multipart/form-data; boundary=b",
            id="multipart with an unknown transfer encoding",
        ),
    ],
)
async def test_a_webhook_body_that_cannot_be_decoded_is_refused_with_400(
    client: TestClient, settings: Settings, body: bytes, content_type: str
) -> None:
    status = await post_signed(client, "/twilio/voice", body, {}, content_type)

    assert status == 400
    assert (await stored(settings))[0] == []


@pytest.mark.parametrize(
    "instant",
    ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00", "1999-12-31T23:59:59+01:00"],
)
async def test_a_simulated_instant_no_calendar_reaches_is_refused_with_400(
    client: TestClient, settings: Settings, instant: str
) -> None:
    form = {**CALL, "SimulatedAt": instant}

    assert await post_signed(client, "/twilio/voice", urlencode(form).encode(), form) == 400
    assert (await stored(settings))[0] == []


async def test_a_call_sid_longer_than_twilio_ever_sends_is_refused_with_400(
    client: TestClient, settings: Settings
) -> None:
    form = {**CALL, "CallSid": "CA" + "f" * 200}

    assert await post_signed(client, "/twilio/voice", urlencode(form).encode(), form) == 400
    assert (await stored(settings))[0] == []


async def test_a_caller_address_too_long_for_a_number_is_answered_and_stored_without_it(
    client: TestClient, settings: Settings
) -> None:
    form = {**CALL, "From": "sip:" + "a" * 60 + "@trunk.example.org"}

    assert await post_signed(client, "/twilio/voice", urlencode(form).encode(), form) == 200

    requests, events = await stored(settings)
    assert [(r.call_sid, r.caller_number) for r in requests] == [(CALL["CallSid"], None)]
    assert [event.kind for event in events] == ["incoming"]


async def test_an_sms_from_a_sender_longer_than_a_number_is_refused_with_400(
    client: TestClient, settings: Settings
) -> None:
    form = {**SMS, "From": "sip:" + "a" * 60 + "@trunk.example.org"}

    assert await post_signed(client, "/twilio/sms", urlencode(form).encode(), form) == 400
    assert (await stored(settings))[0] == []


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/requests/99999999999999999999"),
        ("GET", "/api/requests/2147483648"),
        ("PATCH", "/api/requests/99999999999999999999"),
        ("GET", "/api/requests/99999999999999999999/messages"),
        ("POST", "/api/tasks/99999999999999999999/close"),
        ("POST", "/api/tasks/99999999999999999999/call"),
        ("GET", "/api/requests/%D9%A3"),  # "٣": a digit to int(), not an id
    ],
)
async def test_an_id_the_store_cannot_hold_is_not_found(
    client: TestClient, method: str, path: str
) -> None:
    response = await client.request(
        method, path, json=GOOD_BODIES.get(method, {"outcome": "reached"}), headers=LOT_KEY
    )

    assert response.status == 404


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b'{"body": "caf\xe9"}', id="not UTF-8"),
        pytest.param(b"[" * 50_000 + b"]" * 50_000, id="nested beyond recursion"),
        pytest.param(b"{body: nope", id="not JSON"),
    ],
)
@pytest.mark.parametrize(
    "path", ["/api/requests/1", "/api/requests/1/sms", "/api/requests/1/mail", "/api/tasks/1/close"]
)
async def test_a_json_body_that_cannot_be_read_is_refused_as_malformed(
    client: TestClient, settings: Settings, path: str, body: bytes
) -> None:
    await post_signed(client, "/twilio/voice", urlencode(CALL).encode(), CALL)  # request 1
    method = "PATCH" if path == "/api/requests/1" else "POST"

    response = await client.request(
        method, path, data=body, headers={**LOT_KEY, "Content-Type": "application/json"}
    )

    assert response.status in (400, 422)  # as any malformed body there
    assert await half_written(settings) == []


@pytest.mark.parametrize("task", ["99999999999999999999", "2147483648", "0", "-3"])
@pytest.mark.parametrize("path", ["/twilio/voice/callback", "/twilio/voice/callback/connect"])
async def test_a_click_to_call_webhook_for_a_task_the_store_cannot_hold_is_not_found(
    client: TestClient, path: str, task: str
) -> None:
    form = {"CallSid": "CA" + "3" * 32, "SimulatedAt": TUESDAY_MORNING.isoformat()}

    assert await post_signed(client, f"{path}?task={task}", urlencode(form).encode(), form) == 404


async def test_a_call_met_first_mid_menu_from_a_long_address_is_stored_without_number(
    client: TestClient, settings: Settings
) -> None:
    # Its first webhook never stored (an outage elsewhere): the menu step opens its request.
    form = {**CALL, "From": "client:" + "x" * 50, "Digits": "1"}
    path = "/twilio/voice/menu?level=who"

    assert await post_signed(client, path, urlencode(form).encode(), form) == 200

    requests, _ = await stored(settings)
    assert [(r.call_sid, r.caller_number) for r in requests] == [(CALL["CallSid"], None)]
    assert await half_written(settings) == []


async def test_a_call_step_with_a_call_sid_longer_than_twilio_ever_sends_is_refused_with_400(
    client: TestClient, settings: Settings
) -> None:
    form = {**CALL, "CallSid": "CA" + "f" * 200, "Digits": "1"}
    path = "/twilio/voice/menu?level=who"

    assert await post_signed(client, path, urlencode(form).encode(), form) == 400
    assert (await stored(settings))[0] == []


@pytest.mark.parametrize(
    ("path", "form"),
    [
        pytest.param("/twilio/sms", {**SMS, "Body": "Bonjour\x00"}, id="in an SMS"),
        pytest.param("/twilio/voice", {**CALL, "CallSid": "CA\x00"}, id="in a CallSid"),
        pytest.param("/twilio/voice/menu?level=who%00", {**CALL, "Digits": "1"}, id="in a query"),
    ],
)
async def test_a_nul_character_no_text_column_holds_is_refused_with_400(
    client: TestClient, settings: Settings, path: str, form: dict[str, str]
) -> None:
    assert await post_signed(client, path, urlencode(form).encode(), form) == 400
    assert (await stored(settings))[0] == []


async def test_a_json_document_holding_a_nul_character_is_refused_with_400(
    client: TestClient, settings: Settings
) -> None:
    await post_signed(client, "/twilio/sms", urlencode(SMS).encode(), SMS)  # request 1

    response = await client.post(
        "/api/requests/1/sms", json={"body": "Bonjour\x00"}, headers=LOT_KEY
    )

    assert response.status == 400
    assert await half_written(settings) == []


async def test_a_directory_search_with_a_nul_character_is_refused_with_400(
    client: TestClient,
) -> None:
    response = await client.get("/api/directory/search?q=ssiad%00", headers=LOT_KEY)

    assert response.status == 400


@pytest.mark.parametrize(
    ("path", "field", "kind"),
    [
        ("/twilio/voice/menu?level=who", "Digits", "menu"),
        ("/twilio/voice/status", "CallStatus", "ended"),
    ],
)
async def test_a_provider_field_longer_than_its_trace_column_is_clipped_not_lost(
    client: TestClient, settings: Settings, path: str, field: str, kind: str
) -> None:
    await post_signed(client, "/twilio/voice", urlencode(CALL).encode(), CALL)
    form = {**CALL, field: "9" * 300}

    assert await post_signed(client, path, urlencode(form).encode(), form) == 200

    _, events = await stored(settings)
    traced = [event for event in events if event.kind == kind]
    assert len(traced) == 1
    assert len(traced[0].detail or "") <= 200


async def test_a_call_duration_no_column_holds_is_refused_with_400(
    client: TestClient, settings: Settings
) -> None:
    await post_signed(client, "/twilio/voice", urlencode(CALL).encode(), CALL)
    form = {**CALL, "CallStatus": "completed", "CallDuration": "9" * 30}

    assert await post_signed(client, "/twilio/voice/status", urlencode(form).encode(), form) == 400

    requests, _ = await stored(settings)
    assert [request.duration_s for request in requests] == [None]
