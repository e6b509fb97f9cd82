"""TwilioApi against a local server that answers as Twilio's REST API does."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator

import pytest

from frontdoor.outbound.twilio_api import OutboundError, TwilioApi, redirect_url
from frontdoor.standins.twilio_api import FakeTwilioApi, num_segments

REFERENT = "+33612345678"
LINE = "+33565367387"
PUBLIC_URL = "https://frontdoor.example.org"
SID = re.compile(r"[A-Z]{2}[0-9a-f]{32}")


@pytest.fixture
async def api(twilio_api: FakeTwilioApi) -> AsyncIterator[TwilioApi]:
    client = TwilioApi(
        account_sid=twilio_api.account_sid,
        auth_token=twilio_api.auth_token,
        api_base_url=twilio_api.base_url,
    )
    yield client
    await client.close()


def recording_url(account_sid: str, sid: str) -> str:
    return f"https://api.twilio.com/2010-04-01/Accounts/{account_sid}/Recordings/{sid}"


async def test_an_sms_is_sent_with_the_account_credentials_and_its_sid_returned(
    api: TwilioApi, twilio_api: FakeTwilioApi, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    sid = await api.send_sms(to=REFERENT, from_=LINE, body="Appel non décroché à 9 h 12")

    assert sid.startswith("SM")
    assert SID.fullmatch(sid)
    [request] = twilio_api.requests
    assert request.method == "POST"
    assert request.path == f"/2010-04-01/Accounts/{twilio_api.account_sid}/Messages.json"
    assert request.form == {"To": REFERENT, "From": LINE, "Body": "Appel non décroché à 9 h 12"}
    assert request.username == twilio_api.account_sid
    assert request.authorized
    assert twilio_api.messages[0]["sid"] == sid
    assert f"SMS sent: {sid}" in caplog.text
    assert REFERENT not in caplog.text


async def test_a_call_is_placed_with_its_twiml_url_status_callback_and_timeout(
    api: TwilioApi, twilio_api: FakeTwilioApi
) -> None:
    sid = await api.place_call(
        to=REFERENT,
        from_=LINE,
        url=f"{PUBLIC_URL}/twilio/click-to-call?request=42",
        status_callback=f"{PUBLIC_URL}/twilio/voice/status",
        timeout_s=20,
    )

    assert sid.startswith("CA")
    assert SID.fullmatch(sid)
    [request] = twilio_api.requests
    assert request.path == f"/2010-04-01/Accounts/{twilio_api.account_sid}/Calls.json"
    assert request.form == {
        "To": REFERENT,
        "From": LINE,
        "Url": f"{PUBLIC_URL}/twilio/click-to-call?request=42",
        "StatusCallback": f"{PUBLIC_URL}/twilio/voice/status",
        "Timeout": "20",
    }


async def test_a_call_without_status_callback_sends_none(
    api: TwilioApi, twilio_api: FakeTwilioApi
) -> None:
    await api.place_call(to=REFERENT, from_=LINE, url=f"{PUBLIC_URL}/twilio/click-to-call")

    assert "StatusCallback" not in twilio_api.requests[0].form
    assert twilio_api.requests[0].form["Timeout"] == "25"


async def test_a_recording_is_deleted_by_its_recording_url(
    api: TwilioApi, twilio_api: FakeTwilioApi
) -> None:
    sid = "RE" + "a1" * 16
    await api.delete_recording(recording_url(twilio_api.account_sid, sid))

    [request] = twilio_api.requests
    assert (request.method, request.path) == (
        "DELETE",
        f"/2010-04-01/Accounts/{twilio_api.account_sid}/Recordings/{sid}.json",
    )
    assert twilio_api.deleted_recordings == [sid]


@pytest.mark.parametrize("suffix", ["", ".mp3", ".json"], ids=["bare", "mp3", "json"])
async def test_a_recording_url_with_a_media_suffix_names_the_same_recording(
    api: TwilioApi, twilio_api: FakeTwilioApi, suffix: str
) -> None:
    sid = "RE" + "b2" * 16
    await api.delete_recording(recording_url(twilio_api.account_sid, sid) + suffix)

    assert twilio_api.deleted_recordings == [sid]


async def test_a_recording_is_deleted_by_its_sid(api: TwilioApi, twilio_api: FakeTwilioApi) -> None:
    sid = "RE" + "c3" * 16
    await api.delete_recording(sid)

    assert twilio_api.deleted_recordings == [sid]


async def test_a_recording_already_gone_counts_as_deleted(
    api: TwilioApi, twilio_api: FakeTwilioApi
) -> None:
    sid = "RE" + "d4" * 16
    twilio_api.forget_recording(sid)

    await api.delete_recording(sid)
    await api.delete_recording(sid)

    assert [request.method for request in twilio_api.requests] == ["DELETE", "DELETE"]
    assert twilio_api.deleted_recordings == []


async def test_something_that_is_not_a_recording_is_refused_without_a_request(
    api: TwilioApi, twilio_api: FakeTwilioApi
) -> None:
    with pytest.raises(OutboundError, match="not a recording URL"):
        await api.delete_recording("https://api.twilio.com/2010-04-01/Accounts/AC1/Calls/CA1")

    assert twilio_api.requests == []


# ----- Call and Message records: deleted at Twilio after an erasure or a purge -----


async def test_a_call_record_is_deleted_with_the_accounts_credentials(
    api: TwilioApi, twilio_api: FakeTwilioApi
) -> None:
    sid = "CA" + "e5" * 16

    assert await api.delete_call(sid) is True

    [request] = twilio_api.requests
    assert (request.method, request.path, request.authorized) == (
        "DELETE", f"/2010-04-01/Accounts/{twilio_api.account_sid}/Calls/{sid}.json", True,
    )  # fmt: skip
    assert twilio_api.deleted_calls == [sid]


@pytest.mark.parametrize("sid", ["SM" + "f6" * 16, "MM" + "f6" * 16], ids=["sms", "mms"])
async def test_a_message_record_is_deleted_its_media_with_it(
    api: TwilioApi, twilio_api: FakeTwilioApi, sid: str
) -> None:
    assert await api.delete_message(sid) is True

    [request] = twilio_api.requests
    assert (request.method, request.path) == (
        "DELETE", f"/2010-04-01/Accounts/{twilio_api.account_sid}/Messages/{sid}.json",
    )  # fmt: skip
    assert twilio_api.deleted_messages == [sid]


async def test_a_record_twilio_no_longer_has_counts_as_gone_not_as_a_failure(
    api: TwilioApi, twilio_api: FakeTwilioApi
) -> None:
    call, message = "CA" + "17" * 16, "SM" + "28" * 16
    twilio_api.forget_record(call)

    assert await api.delete_call(call) is False
    assert await api.delete_message(message) is True
    assert await api.delete_message(message) is False  # deleted already


async def test_a_call_in_progress_cannot_be_deleted_yet_and_says_so_without_twilios_words(
    api: TwilioApi, twilio_api: FakeTwilioApi
) -> None:
    sid = "CA" + "39" * 16
    twilio_api.still_in_progress.add(sid)

    with pytest.raises(OutboundError) as refused:
        await api.delete_call(sid)

    assert str(refused.value) == (
        "call record deletion failed: Twilio answered HTTP 409, error 20009 (not yet "
        "complete: a call in progress, a message not yet final; try again later)"
    )
    assert twilio_api.deleted_calls == []


async def test_a_sid_of_another_kind_is_never_sent_to_twilio(
    api: TwilioApi, twilio_api: FakeTwilioApi
) -> None:
    with pytest.raises(OutboundError):
        await api.delete_call("SM" + "4a" * 16)
    with pytest.raises(OutboundError):
        await api.delete_message("../Calls/CA" + "4a" * 16)

    assert twilio_api.requests == []


async def test_wrong_credentials_fail_with_a_hint_and_no_phone_number(
    twilio_api: FakeTwilioApi,
) -> None:
    client = TwilioApi(
        account_sid=twilio_api.account_sid,
        auth_token="not-the-token",
        api_base_url=twilio_api.base_url,
    )
    try:
        with pytest.raises(OutboundError) as raised:
            await client.send_sms(to=REFERENT, from_=LINE, body="Bonjour")
    finally:
        await client.close()

    message = str(raised.value)
    assert message.startswith("SMS sending failed: Twilio answered HTTP 401, error 20003")
    assert "TWILIO_AUTH_TOKEN" in message
    assert REFERENT not in message
    assert not twilio_api.requests[0].authorized


async def test_a_missing_number_fails_with_twilio_s_code_and_no_body(
    api: TwilioApi, twilio_api: FakeTwilioApi
) -> None:
    with pytest.raises(OutboundError) as raised:
        await api.send_sms(to="", from_=LINE, body="Rappel : Mme Dupont attend")

    message = str(raised.value)
    assert "HTTP 400, error 21604" in message
    assert "https://www.twilio.com/docs/errors/21604" in message
    assert LINE not in message
    assert "Dupont" not in message


async def test_twilio_s_message_is_not_repeated_since_it_may_quote_the_number(
    api: TwilioApi, twilio_api: FakeTwilioApi
) -> None:
    twilio_api.fail_next(
        status=400, code=21211, message=f"The 'To' number {REFERENT} is not a valid phone number."
    )
    with pytest.raises(OutboundError) as raised:
        await api.place_call(to=REFERENT, from_=LINE, url=f"{PUBLIC_URL}/twilio/click-to-call")

    assert str(raised.value) == (
        "call placing failed: Twilio answered HTTP 400, error 21211 (invalid destination number)"
    )


@pytest.mark.parametrize("status", [500, 503])
async def test_a_server_error_becomes_an_outbound_error(
    api: TwilioApi, twilio_api: FakeTwilioApi, status: int
) -> None:
    twilio_api.fail_next(status=status)
    with pytest.raises(OutboundError, match=f"SMS sending failed: Twilio answered HTTP {status}"):
        await api.send_sms(to=REFERENT, from_=LINE, body="Bonjour")

    # The next attempt goes through: the failure was for one request only.
    assert (await api.send_sms(to=REFERENT, from_=LINE, body="Bonjour")).startswith("SM")


async def test_a_server_error_on_deletion_is_not_taken_for_a_deletion(
    api: TwilioApi, twilio_api: FakeTwilioApi
) -> None:
    twilio_api.fail_next(status=500)
    with pytest.raises(OutboundError, match="recording deletion failed: .* HTTP 500"):
        await api.delete_recording("RE" + "e5" * 16)


async def test_an_unreachable_api_becomes_an_outbound_error(twilio_api: FakeTwilioApi) -> None:
    base_url = twilio_api.base_url
    await twilio_api.close()
    client = TwilioApi(account_sid=twilio_api.account_sid, auth_token="t", api_base_url=base_url)
    try:
        with pytest.raises(OutboundError, match="cannot reach the Twilio API") as raised:
            await client.send_sms(to=REFERENT, from_=LINE, body="Bonjour")
    finally:
        await client.close()

    assert REFERENT not in str(raised.value)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json",
            "http://127.0.0.1:8765/2010-04-01/Accounts/AC1/Messages.json",
        ),
        (
            "https://api.dublin.ie1.twilio.com/2010-04-01/Accounts/AC1/Calls.json?PageSize=1",
            "http://127.0.0.1:8765/2010-04-01/Accounts/AC1/Calls.json?PageSize=1",
        ),
        ("https://messaging.twilio.com/v1/Services", "http://127.0.0.1:8765/v1/Services"),
        ("https://TWILIO.COM./x", "http://127.0.0.1:8765/x"),
        ("https://api.example.org/twilio.com", "https://api.example.org/twilio.com"),
        ("https://nottwilio.com/x", "https://nottwilio.com/x"),
    ],
    ids=["api", "edge-and-region", "other-product", "apex-uppercase", "other-host", "lookalike"],
)
def test_the_base_url_replaces_every_twilio_host_and_keeps_path_and_query(
    url: str, expected: str
) -> None:
    assert redirect_url(url, "http://127.0.0.1:8765/") == expected


def test_a_base_url_path_goes_in_front_and_no_base_url_changes_nothing() -> None:
    url = "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json"
    assert redirect_url(url, "https://relay.example.org/twilio") == (
        "https://relay.example.org/twilio/2010-04-01/Accounts/AC1/Messages.json"
    )
    assert redirect_url(url, None) == url


async def test_an_edge_and_region_from_the_environment_still_reach_the_fake(
    api: TwilioApi, twilio_api: FakeTwilioApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    # twilio-python reads TWILIO_EDGE/TWILIO_REGION itself and rewrites the host to
    # api.dublin.ie1.twilio.com: the redirection must still catch it.
    monkeypatch.setenv("TWILIO_EDGE", "dublin")
    monkeypatch.setenv("TWILIO_REGION", "ie1")
    client = TwilioApi(
        account_sid=twilio_api.account_sid,
        auth_token=twilio_api.auth_token,
        api_base_url=twilio_api.base_url,
    )
    try:
        await client.send_sms(to=REFERENT, from_=LINE, body="Bonjour")
    finally:
        await client.close()

    assert len(twilio_api.requests) == 1


def test_a_base_url_that_is_not_http_is_refused() -> None:
    with pytest.raises(ValueError, match="http"):
        TwilioApi(account_sid="AC1", auth_token="t", api_base_url="127.0.0.1:8765")


@pytest.mark.parametrize(
    ("body", "segments"),
    [
        ("é" * 160, 1),
        ("é" * 161, 2),
        ("ê" * 70, 1),
        ("ê" * 71, 2),
        ("€" * 80, 1),
    ],
    ids=["gsm-160", "gsm-161", "ucs2-70", "ucs2-71", "gsm-extension"],
)
def test_the_fake_counts_segments_as_twilio_bills_them(body: str, segments: int) -> None:
    assert num_segments(body) == segments
