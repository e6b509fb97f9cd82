"""Voicemails kept at home: fetched into the DAC's own store as soon as Twilio says they are
complete, then deleted at Twilio; a fetch that fails loses nothing (the recording stays at
Twilio until the recordings job fetches it); retention deletes the DAC's copy."""

from __future__ import annotations

import stat
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp.test_utils import TestClient

from frontdoor.jobs.base import JobContext
from frontdoor.jobs.recordings import fetch_recordings
from frontdoor.jobs.retention import purge_expired
from frontdoor.kit.runtime import JOB_RUNTIME
from frontdoor.settings import Settings
from frontdoor.standins.twilio_api import FakeTwilioApi, recording_audio
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.models import Request
from tests.console.requests_made import a_voicemail, the_request

NOW = datetime(2027, 6, 1, 3, 0, tzinfo=UTC)


@pytest.fixture
def app_settings(wired_settings: Settings) -> Settings:
    return wired_settings


async def a_request_with_a_recording_at_twilio(settings: Settings, sid: str, *, days: int) -> int:
    account = settings.twilio_account_sid
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        request = Request(
            department="dac46", channel="voice", call_sid="CA" + "4" * 32,
            caller_number="+33611223344", outcome="voicemail",
            received_at=NOW - timedelta(days=days),
            recording_url=f"https://api.twilio.com/2010-04-01/Accounts/{account}/Recordings/{sid}",
        )  # fmt: skip
        session.add(request)
        await session.commit()
        request_id = request.id or 0
    await engine.dispose()
    return request_id


async def test_a_complete_voicemail_is_kept_at_home_and_deleted_at_twilio(
    client: TestClient, wired_settings: Settings, twilio_api: FakeTwilioApi
) -> None:
    voicemail = await a_voicemail(client, wired_settings)

    [sid] = twilio_api.deleted_recordings
    assert voicemail.recording_url is None
    assert voicemail.recording_key is not None
    assert voicemail.recording_fetched_at is not None
    kept = wired_settings.recordings_dir / voicemail.recording_key
    assert kept.read_bytes() == recording_audio(sid)
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert stat.S_IMODE(kept.parent.stat().st_mode) == 0o700
    assert sid not in kept.name  # named by department and request only


async def test_a_voicemail_twilio_could_not_give_stays_there_until_the_job_fetches_it(
    client: TestClient, wired_settings: Settings, twilio_api: FakeTwilioApi
) -> None:
    sid = "RE" + "c" * 32
    request_id = await a_request_with_a_recording_at_twilio(wired_settings, sid, days=1)
    twilio_api.fail_next(status=503)

    first = await fetch_recordings(JobContext(runtime=client.app[JOB_RUNTIME], slot=NOW))
    waiting = await the_request(wired_settings, request_id)
    second = await fetch_recordings(
        JobContext(runtime=client.app[JOB_RUNTIME], slot=NOW + timedelta(minutes=5))
    )
    home = await the_request(wired_settings, request_id)

    assert first == "0 recording(s) fetched and deleted at the provider, 1 left for later"
    assert (waiting.recording_url is not None, waiting.recording_key) == (True, None)
    assert second.startswith("1 recording(s) fetched")
    assert home.recording_url is None
    assert home.recording_key is not None
    assert (wired_settings.recordings_dir / home.recording_key).read_bytes() == recording_audio(sid)
    assert twilio_api.deleted_recordings == [sid]


async def test_the_dacs_copy_goes_at_the_recordings_retention(
    client: TestClient, wired_settings: Settings, twilio_api: FakeTwilioApi
) -> None:
    request_id = await a_request_with_a_recording_at_twilio(wired_settings, "RE" + "d" * 32,
                                                            days=91)  # fmt: skip
    await fetch_recordings(JobContext(runtime=client.app[JOB_RUNTIME], slot=NOW))
    key = (await the_request(wired_settings, request_id)).recording_key
    assert key is not None

    await purge_expired(JobContext(runtime=client.app[JOB_RUNTIME], slot=NOW))

    purged = await the_request(wired_settings, request_id)
    assert (purged.recording_url, purged.recording_key) == (None, None)
    assert not (wired_settings.recordings_dir / key).exists()
    assert purged.caller_number == "+33611223344"  # who called stays its own class's time


async def test_a_voicemail_erased_while_twilio_sent_it_is_not_kept(
    client: TestClient,
    wired_settings: Settings,
    twilio_api: FakeTwilioApi,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The fetch holds no transaction open while Twilio answers: what happened meanwhile (here
    the person's erasure, which deleted the recording at Twilio itself) is read again before
    the audio is kept."""
    sid = "RE" + "e" * 32
    request_id = await a_request_with_a_recording_at_twilio(wired_settings, sid, days=1)
    runtime = client.app[JOB_RUNTIME]
    twilio = runtime.twilio_api_for("dac46")
    fetch = twilio.recording_audio

    async def erased_meanwhile(recording: str) -> bytes:
        audio = await fetch(recording)
        async with runtime.sessions() as session:
            request = await session.get(Request, request_id)
            assert request is not None
            request.recording_url = None
            session.add(request)
            await session.commit()
        return audio

    monkeypatch.setattr(twilio, "recording_audio", erased_meanwhile)

    detail = await fetch_recordings(JobContext(runtime=runtime, slot=NOW))

    after = await the_request(wired_settings, request_id)
    assert detail.startswith("1 recording(s) fetched")  # nothing left to try again
    assert (after.recording_url, after.recording_key) == (None, None)
    assert not (wired_settings.recordings_dir / "dac46").exists()
    assert twilio_api.deleted_recordings == []  # the erasure's to delete, not the fetch's
