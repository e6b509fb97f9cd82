"""What each scheduled job does when its slot comes, against the real store, a local SMTP
server and a local server answering as Twilio's REST API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

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
from tests.web.calls import AMARTIN, BLEROY, LOT, PARIS

TUESDAY_0830 = datetime(2026, 5, 12, 8, 30, tzinfo=PARIS)


def recording_url(settings: Settings, sid: str) -> str:
    account = settings.twilio_account_sid
    return f"https://api.twilio.com/2010-04-01/Accounts/{account}/Recordings/{sid}"


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
    recording = recording_url(settings, "RE" + "a" * 32)
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
                recording_url=recording_url(settings, "RE" + "b" * 32),
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
