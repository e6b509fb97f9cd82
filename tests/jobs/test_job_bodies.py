"""What each scheduled job does when its slot comes, against the real store, a local SMTP
server and a local server answering as Twilio's REST API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from aiohttp.test_utils import TestClient
from sqlmodel import select

from frontdoor.jobs.base import JobContext
from frontdoor.jobs.digest import send_digests
from frontdoor.jobs.notifications import announce_shifts
from frontdoor.jobs.retention import purge_expired
from frontdoor.kit.runtime import JOB_RUNTIME
from frontdoor.kit.twilio_webhook import JOURNAL
from frontdoor.settings import Settings
from frontdoor.standins.smtp import SmtpRecorder
from frontdoor.standins.twilio_api import FakeTwilioApi
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.journal import Entry
from frontdoor.store.models import Request, RequestEvent, WebhookReceipt
from frontdoor.store.recordings import RecordingStore
from tests.provider_meanwhile import (
    request_changed,
    twilio_recording,
    while_twilio_deletes,
    written,
)
from tests.web.calls import AMARTIN, BLEROY, LOT, PARIS

TUESDAY_0830 = datetime(2026, 5, 12, 8, 30, tzinfo=PARIS)


async def test_referents_hear_by_sms_that_their_duty_begins_once(
    client: TestClient, twilio_api: FakeTwilioApi
) -> None:
    detail = await announce_shifts(JobContext(runtime=client.app[JOB_RUNTIME], slot=TUESDAY_0830))
    again = await announce_shifts(
        JobContext(runtime=client.app[JOB_RUNTIME], slot=TUESDAY_0830 + timedelta(minutes=1))
    )

    sent = {(m["to"], m["from"], m["body"]) for m in twilio_api.messages}
    assert sent == {
        (AMARTIN, LOT, "DAC du Lot : vous êtes de permanence de 8 h 30 à 13 h 30. "
                       "Aucun rappel en attente."),
        (BLEROY, LOT, "DAC du Lot : vous êtes de permanence de 8 h 30 à 18 h 30. "
                      "Aucun rappel en attente."),
    }  # fmt: skip
    assert detail == "2 shift-start SMS sent"
    assert again == "0 shift-start SMS sent"


async def test_the_coordinator_gets_the_digest_at_seven_local_time_only(
    client: TestClient, smtp_server: SmtpRecorder
) -> None:
    six = await send_digests(
        JobContext(runtime=client.app[JOB_RUNTIME], slot=datetime(2026, 5, 12, 6, 0, tzinfo=PARIS))
    )
    seven = await send_digests(
        JobContext(runtime=client.app[JOB_RUNTIME], slot=datetime(2026, 5, 12, 7, 0, tzinfo=PARIS))
    )

    assert six == "0 digest(s) sent"
    assert seven == "2 digest(s) sent"  # to each department's escalation address
    [lot, mail] = smtp_server.mails
    assert lot.rcpt_tos == ["coordination@dac46.mssante.fr"]
    assert mail.rcpt_tos == ["coordination@dac57.mssante.fr"]
    body = mail.message.get_content()
    assert "DAC de Moselle — synthèse du lundi 11/05/2026" in body
    assert "mercredi 13/05 13:30 – 17:00" in body  # the uncovered Wednesday afternoon


async def test_past_retention_recordings_go_and_callers_are_pseudonymised(
    client: TestClient, settings: Settings, twilio_api: FakeTwilioApi
) -> None:
    now = datetime(2027, 6, 1, 3, 0, tzinfo=UTC)
    recording = twilio_recording(settings, "RE" + "a" * 32)
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        old = Request(
            department="dac57", channel="voice", call_sid="CA" + "1" * 32,
            caller_number="+33611223344", caller_name="Docteur Jeanne Roux",
            recording_url=recording, received_at=now - timedelta(days=800), outcome="voicemail",
        )  # fmt: skip
        recent = Request(
            department="dac57", channel="voice", call_sid="CA" + "2" * 32,
            caller_number="+33611223355", received_at=now - timedelta(days=10),
        )  # fmt: skip
        session.add_all([old, recent])
        await session.flush()
        session.add(
            RequestEvent(
                request_id=old.id or 0,
                at=old.received_at,
                kind="incoming",
                reasons=[{"code": "known-caller", "text": "appelant connu : Docteur Jeanne Roux"}],
            )  # fmt: skip
        )
        session.add(
            WebhookReceipt(
                key="k" * 64,
                received_at=now - timedelta(days=3),
                status=200,
                content_type="text/xml",
                body="<Response/>",
            )  # fmt: skip
        )
        await session.commit()

    detail = await purge_expired(JobContext(runtime=client.app[JOB_RUNTIME], slot=now))

    async with session_maker(engine)() as session:
        requests = {r.call_sid: r for r in (await session.exec(select(Request))).all()}
        [event] = (await session.exec(select(RequestEvent))).all()
        receipts = (await session.exec(select(WebhookReceipt))).all()
    await engine.dispose()
    purged, kept = requests["CA" + "1" * 32], requests["CA" + "2" * 32]
    assert purged.caller_number is not None
    assert purged.caller_number.startswith("pseudo:")
    assert (purged.caller_name, purged.recording_url, purged.outcome) == (None, None, "voicemail")
    assert twilio_api.deleted_recordings == ["RE" + "a" * 32]
    assert event.reasons == [{"code": "known-caller", "text": "appelant connu (nom effacé)"}]
    assert kept.caller_number == "+33611223355"
    assert receipts == []
    assert detail.startswith("1 request(s) pseudonymised, 1 emptied of messages, 1 recording")


async def test_a_recording_the_provider_could_not_delete_is_deleted_at_the_next_run(
    client: TestClient, settings: Settings, twilio_api: FakeTwilioApi
) -> None:
    now = datetime(2027, 6, 1, 3, 0, tzinfo=UTC)
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        session.add(
            Request(
                department="dac46",
                channel="voice",
                call_sid="CA" + "3" * 32,
                caller_number="+33611223344",
                received_at=now - timedelta(days=100),
                recording_url=twilio_recording(settings, "RE" + "b" * 32),
            )  # fmt: skip
        )
        await session.commit()
    twilio_api.fail_next(status=500)

    first = await purge_expired(JobContext(runtime=client.app[JOB_RUNTIME], slot=now))
    async with session_maker(engine)() as session:
        [kept] = (await session.exec(select(Request))).all()
    second = await purge_expired(
        JobContext(runtime=client.app[JOB_RUNTIME], slot=now + timedelta(days=1))
    )
    async with session_maker(engine)() as session:
        [gone] = (await session.exec(select(Request))).all()
    await engine.dispose()

    assert kept.recording_url is not None
    assert "1 kept until the provider deletes them" in first
    assert gone.recording_url is None
    assert twilio_api.deleted_recordings == ["RE" + "b" * 32]
    assert "1 recording(s) deleted" in second
    assert gone.caller_number == "+33611223344"  # its call metadata's time has not come


def lot_voicemail(settings: Settings, sid: str, *, received_at: datetime) -> Request:
    """A voicemail of the Lot still at Twilio (its fetch failed, say)."""
    return Request(
        department="dac46", channel="voice", caller_number="+33611223344", outcome="voicemail",
        received_at=received_at, recording_url=twilio_recording(settings, sid),
    )  # fmt: skip


async def requests_now(settings: Settings, ids: list[int]) -> list[Request]:
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        found = [await session.get(Request, request_id) for request_id in ids]
    await engine.dispose()
    return [request for request in found if request is not None]


async def voicemails_at_twilio_and_here(
    settings: Settings, sids: list[str], *, received_at: datetime
) -> list[tuple[int, str]]:
    """Voicemails of the Lot brought home whose deletion at Twilio has not happened yet:
    (request id, key of the DAC's copy)."""
    copies = RecordingStore(settings.recordings_dir)
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        requests = [lot_voicemail(settings, sid, received_at=received_at) for sid in sids]
        session.add_all(requests)
        await session.flush()
        for request in requests:
            request.recording_key = copies.save(department="dac46", request_id=request.id or 0,
                                                data=b"ID3")  # fmt: skip
        await session.commit()
        made = [(request.id or 0, request.recording_key or "") for request in requests]
    await engine.dispose()
    return made


async def test_a_recording_twilio_refuses_to_delete_stays_whole_and_the_others_go(
    client: TestClient, settings: Settings, twilio_api: FakeTwilioApi,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    now = datetime(2027, 6, 1, 3, 0, tzinfo=UTC)
    sids = ["RE" + letter * 32 for letter in "cde"]
    made = await voicemails_at_twilio_and_here(settings, sids,
                                               received_at=now - timedelta(days=100))  # fmt: skip
    ids, keys = [request_id for request_id, _ in made], [key for _, key in made]
    refused = twilio_recording(settings, sids[1])

    async def twilio_refuses_the_second(url: str) -> None:
        if url == refused:
            twilio_api.fail_next(status=500)

    while_twilio_deletes(monkeypatch, twilio_refuses_the_second)

    detail = await purge_expired(JobContext(runtime=client.app[JOB_RUNTIME], slot=now))

    first, kept, last = await requests_now(settings, ids)
    assert (kept.recording_url, kept.recording_key) == (refused, keys[1])
    assert (settings.recordings_dir / keys[1]).exists()  # for the next run, whole
    for gone, key in ((first, keys[0]), (last, keys[2])):
        assert (gone.recording_url, gone.recording_key) == (None, None)
        assert not (settings.recordings_dir / key).exists()
    assert twilio_api.deleted_recordings == [sids[0], sids[2]]
    assert "2 recording(s) deleted, 1 kept until the provider deletes them" in detail


async def test_a_recording_arrived_while_twilio_deleted_the_previous_one_stays_for_the_next_run(
    client: TestClient, settings: Settings, twilio_api: FakeTwilioApi,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    now = datetime(2027, 6, 1, 3, 0, tzinfo=UTC)
    old, new = "RE" + "f" * 32, "RE" + "9" * 32
    [request_id] = await written(
        settings, lot_voicemail(settings, old, received_at=now - timedelta(days=100))
    )

    async def another_arrives(url: str) -> None:
        if url == twilio_recording(settings, old):
            await request_changed(
                settings, request_id, recording_url=twilio_recording(settings, new)
            )

    while_twilio_deletes(monkeypatch, another_arrives)

    await purge_expired(JobContext(runtime=client.app[JOB_RUNTIME], slot=now))
    [after_first] = await requests_now(settings, [request_id])
    await purge_expired(JobContext(runtime=client.app[JOB_RUNTIME], slot=now + timedelta(days=1)))
    [after_second] = await requests_now(settings, [request_id])

    # Not cleared with the one Twilio deleted: its URL would be lost, the recording left there.
    assert after_first.recording_url == twilio_recording(settings, new)
    assert after_second.recording_url is None
    assert twilio_api.deleted_recordings == [old, new]


async def test_refused_journal_entries_go_once_their_departments_retention_has_passed(
    client: TestClient, settings: Settings
) -> None:
    now = datetime(2027, 6, 1, 3, 0, tzinfo=UTC)
    journal = client.app[JOURNAL]
    for key, days in (("old", 800), ("recent", 10)):
        journal.set_aside(
            Entry(path="/twilio/sms", query={}, at=now - timedelta(days=days), key=key,
                  form={"From": "+33611223344", "To": LOT, "Body": key}, answer="<Response/>")
        )  # fmt: skip

    detail = await purge_expired(JobContext(runtime=client.app[JOB_RUNTIME], slot=now))

    refused = (settings.journal_dir / f"{settings.instance_name}.refused").read_text()
    assert [Entry.parse(line).key for line in refused.splitlines()] == ["recent"]
    assert detail.endswith("1 refused journal entr(y/ies) deleted")
