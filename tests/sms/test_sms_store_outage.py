"""SMS while the store is unreachable: each sender gets the answer they would have got, every
SMS is kept in the instance's outage journal before Twilio has its answer, and the replay
files it once the store answers again — as if it had arrived then, once per MessageSid, with
the referents told, the callback task, the opt-out and the directory's answer."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from frontdoor.core.retention import pseudonym
from frontdoor.departments import Departments
from frontdoor.keys import COUNTERS, Clock
from frontdoor.kit.twilio_webhook import JOURNAL
from frontdoor.settings import Settings
from frontdoor.standins.twilio_api import FakeTwilioApi
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.known_callers import KnownCallers
from frontdoor.store.models import CallbackTaskRow, SmsOptOut
from frontdoor.voice.replay import replay
from frontdoor.web.app import create_app
from tests.sms.texting import (
    FRIDAY_EVENING,
    load_lot_directory,
    messages,
    new_sid,
    notified,
    opt_outs,
    replied,
    send,
    sent,
)
from tests.waiting import eventually
from tests.web.calls import AMARTIN, BLEROY, LOT, NURSE, TUESDAY_MORNING, reason_codes, stored
from tests.web.metrics import scrape, value
from tests.web.outage import UNREACHABLE, journal_files, replayed, rows

Serve = Callable[..., Awaitable[TestClient]]
OTHER = "+33611220000"
ACK_OPEN = "DAC du Lot : votre SMS nous est bien parvenu. Un référent vous répond"


@pytest.fixture
def serve(aiohttp_client: Any, wired_settings: Settings, departments: Departments) -> Serve:
    """An instance of the app: on the test's store, or (`store_down=True`) on none."""

    async def start(
        *, store_down: bool, instance: str = "alpha", clock: Clock | None = None
    ) -> TestClient:
        url = UNREACHABLE if store_down else wired_settings.database_url
        update = {"database_url": url, "instance_name": instance}
        settings = wired_settings.model_copy(update=update)
        app = (
            create_app(settings, departments, clock=clock)
            if clock
            else create_app(settings, departments)
        )
        client: TestClient = await aiohttp_client(app)
        return client

    return start


async def test_an_sms_kept_in_the_journal_is_filed_as_if_the_store_had_never_gone(
    serve: Serve, wired_settings: Settings, twilio_api: FakeTwilioApi
) -> None:
    healthy = await serve(store_down=False, instance="reference")
    [reference_ack] = replied(await send(healthy, "Rappelez-moi", at=TUESDAY_MORNING))
    await notified(wired_settings)
    await healthy.close()
    down = await serve(store_down=True)

    [ack] = replied(await send(down, "Rappelez-moi", at=TUESDAY_MORNING, from_="+33612999999"))

    assert ack == reference_ack  # the usual acknowledgement, from memory
    assert down.app[JOURNAL].waiting == 1
    assert down.app[COUNTERS]["webhook_degraded"] == 1
    assert len((await stored(wired_settings))[0]) == 1  # the reference only
    assert len(await sent(twilio_api, 2)) == 2  # nobody told yet: the request has no number
    await down.close()

    back = await serve(store_down=False)  # the same instance, restarted
    await replayed(back)

    events = await notified(wired_settings, count=2)
    requests, _ = await stored(wired_settings)
    reference, journaled = requests
    ignored = {"id", "caller_number"}
    assert journaled.model_dump(exclude=ignored) == reference.model_dump(exclude=ignored)
    kinds = [e.kind for e in events if e.request_id == journaled.id]
    assert kinds == ["sms-in", "journaled", "sms-notified"]
    assert "kept-in-journal" in reason_codes([e for e in events if e.kind == "journaled"])
    notices = (await sent(twilio_api, 4))[2:]
    assert sorted(n["to"] for n in notices) == [AMARTIN, BLEROY]
    assert {n["body"] for n in notices} == {
        f"DAC du Lot : nouveau SMS, demande n° {journaled.id}. À traiter dans Frontdoor."
    }
    filed = [(m.direction, m.kind, m.body) for m in await messages(wired_settings)]
    assert filed[2:] == [("in", "message", "Rappelez-moi"), ("out", "acknowledgement", ack)]
    assert journal_files(wired_settings) == []


async def test_replaying_twice_or_a_retried_webhook_files_each_message_once(
    serve: Serve, wired_settings: Settings, twilio_api: FakeTwilioApi, tmp_path: Path
) -> None:
    down = await serve(store_down=True)
    sid = new_sid()
    first = replied(await send(down, "Bonjour, Mme X sort lundi", at=TUESDAY_MORNING, sid=sid))
    retry = replied(await send(down, "Bonjour, Mme X sort lundi", at=TUESDAY_MORNING, sid=sid))
    assert retry == first
    await down.close()
    kept = tmp_path / "kept"
    shutil.copytree(wired_settings.journal_dir, kept)

    back = await serve(store_down=False)
    await replayed(back)
    once = await messages(wired_settings)
    # As if the instance died after writing the entries and before deleting them.
    for segment in kept.glob("*.jsonl"):
        shutil.copy(segment, wired_settings.journal_dir / segment.name)
    again = await replay(back.app)

    assert again.written == 0
    assert [(m.direction, m.kind) for m in await messages(wired_settings)] == [
        ("in", "message"), ("out", "acknowledgement"),
    ]  # fmt: skip
    assert len(once) == 2
    assert len(await sent(twilio_api, 2)) == 2  # the referents told once


async def test_stop_sent_during_the_outage_is_respected_at_once_and_stored_after(
    serve: Serve, wired_settings: Settings
) -> None:
    down = await serve(store_down=True)

    assert replied(await send(down, "STOP", at=TUESDAY_MORNING)) == []
    later = TUESDAY_MORNING + timedelta(minutes=5)
    assert replied(await send(down, "En fait rappelez-moi", at=later)) == []  # no ack: STOP
    assert replied(await send(down, "START", at=later + timedelta(minutes=1))) != []
    await down.close()
    back = await serve(store_down=False)
    await replayed(back)

    # STOP, then a message filed unacknowledged, then START: opted in again.
    assert await opt_outs(wired_settings) == []
    [request], events = await stored(wired_settings)
    assert [e.detail for e in events if e.kind == "sms-in"] == ["new-request", "opt-in"]
    assert "sms-no-ack-opted-out" in reason_codes(events)
    assert [(m.direction, m.kind) for m in await messages(wired_settings)] == [
        ("in", "message"), ("in", "keyword"), ("out", "opted-in"),
    ]  # fmt: skip
    assert request.channel == "sms"


async def test_a_stop_already_stored_is_known_in_memory(wired_settings: Settings) -> None:
    key = wired_settings.pseudonym_secret
    engine = create_engine(wired_settings.database_url)
    async with session_maker(engine)() as session:
        # One as kept now (a pseudonym), one as kept before pseudonyms (the number itself).
        stopped = pseudonym(OTHER, key)
        session.add(SmsOptOut(department="dac46", number=stopped, opted_out_at=datetime.now(UTC)))
        session.add(SmsOptOut(department="dac46", number=NURSE, opted_out_at=datetime.now(UTC)))
        await session.commit()
    copy = KnownCallers(engine, key=key)
    await copy.refresh()
    await engine.dispose()

    assert copy.opted_out("dac46", NURSE)
    assert copy.opted_out("dac46", OTHER)
    assert not copy.opted_out("dac57", NURSE)
    assert not copy.opted_out("dac46", "+33612999999")


async def test_out_of_hours_an_sms_of_the_outage_gets_its_callback_task(
    serve: Serve, wired_settings: Settings, twilio_api: FakeTwilioApi
) -> None:
    down = await serve(store_down=True)
    [ack] = replied(await send(down, "Rappelez-moi", at=FRIDAY_EVENING))
    await down.close()

    back = await serve(store_down=False)
    await replayed(back)

    assert "Nous sommes fermés" in ack
    [request], _ = await stored(wired_settings)
    assert (request.out_of_hours, request.callback_needed) == (True, True)
    assert len(await rows(wired_settings, CallbackTaskRow)) == 1
    assert twilio_api.messages == []  # nobody woken up out of hours


async def test_a_directory_question_is_told_the_answer_follows_and_gets_it_on_replay(
    serve: Serve, wired_settings: Settings, twilio_api: FakeTwilioApi
) -> None:
    down = await serve(store_down=True)
    [later] = replied(await send(down, "SSIAD 46100", at=TUESDAY_MORNING))
    await down.close()
    await load_lot_directory(wired_settings)

    back = await serve(store_down=False)
    await replayed(back)

    assert later.startswith("DAC du Lot : votre question nous est bien parvenue.")
    [answer] = await sent(twilio_api, 1)
    assert (answer["to"], answer["from"]) == (NURSE, LOT)
    assert "SSIAD du Pays de Figeac" in answer["body"]

    async def closed() -> bool:  # once the answer is sent: the request is closed
        [request], _ = await stored(wired_settings)
        return request.status == "closed"

    await eventually(closed)
    [request], events = await stored(wired_settings)
    assert (request.response_kinds, request.outcome) == (["information"], "informed")
    assert [e.kind for e in events] == ["sms-directory", "journaled", "auto-closed"]
    filed = [(m.kind, m.status) for m in await messages(wired_settings)]
    assert filed == [
        ("directory-query", "received"), ("directory-later", "replied"),
        ("directory-answer", "queued"),
    ]  # fmt: skip


async def test_the_intake_lag_of_an_sms_is_its_time_in_the_journal(
    serve: Serve, wired_settings: Settings
) -> None:
    healthy = await serve(store_down=False, instance="reference")
    await send(healthy, "Rappelez-moi", at=TUESDAY_MORNING, from_="+33612999999")
    lag = "frontdoor_sms_intake_lag_seconds"
    assert value(await scrape(healthy), f"{lag}_count") == 0  # committed before the answer
    down = await serve(store_down=True)
    await send(down, "Rappelez-moi", at=TUESDAY_MORNING)
    await down.close()

    back = await serve(store_down=False, clock=lambda: TUESDAY_MORNING + timedelta(minutes=10))
    await replayed(back)

    page = await scrape(back)
    assert (value(page, f"{lag}_count"), value(page, f"{lag}_sum")) == (1, 600)
    assert value(page, f"{lag}_bucket", le="300.0") == 0
    assert value(page, f"{lag}_bucket", le="900.0") == 1


async def test_no_sender_number_nor_text_reaches_the_logs_through_the_outage(
    serve: Serve, wired_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    down = await serve(store_down=True)
    await send(down, "Mme X sort lundi, diabète", at=TUESDAY_MORNING)
    await send(down, "SSIAD 46100", at=TUESDAY_MORNING)
    await down.close()

    back = await serve(store_down=False)
    await replayed(back)

    [segment] = journal_files(wired_settings) or [None]  # deleted once written
    assert segment is None
    # Frontdoor's own lines (a database driver's DEBUG lines echo its SQL parameters).
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("frontdoor"))
    assert "answered from memory and journaled" in ours
    assert "journal replayed: 2 written" in ours
    for personal in (NURSE, NURSE.removeprefix("+"), "Mme X", "diabète", "SSIAD 46100"):
        assert personal not in ours
