"""A flood of contacts from many senders: every one stored and in the console, but each referent
on duty told by SMS within their budget (core.notice_budget: six an hour), then once in a
summary; later traffic is told of as before. One budget for every kind of notice."""

from __future__ import annotations

from datetime import datetime, timedelta

from aiohttp.test_utils import TestClient

from frontdoor.core.notice_budget import NOTICES
from frontdoor.jobs.base import JobContext
from frontdoor.jobs.callbacks import escalate_overdue
from frontdoor.jobs.notice_summaries import send_notice_summaries
from frontdoor.kit.runtime import JOB_RUNTIME
from frontdoor.settings import Settings
from frontdoor.standins.smtp import SmtpRecorder
from frontdoor.standins.twilio_api import FakeTwilioApi
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.notice_budgets import spend
from tests.console.requests_made import a_voicemail
from tests.sms.texting import FRIDAY_EVENING, messages, notified, replied, send, sent
from tests.web.calls import AMARTIN, BLEROY, COORDINATION, PARIS, TUESDAY_MORNING, stored

FLOOD = 200
SUMMARY = (
    "DAC du Lot : {count} nouvelles sollicitations depuis 10 h, trop pour les annoncer une à une. "
    "À traiter dans Frontdoor."
)


def to(twilio_api: FakeTwilioApi, number: str) -> list[str]:
    return [m["body"] for m in twilio_api.messages if m["to"] == number]


async def summaries(client: TestClient, after: timedelta) -> str:
    """The `notice-summaries` job's run at this long after Tuesday 10 h."""
    runtime = client.app[JOB_RUNTIME]
    return await send_notice_summaries(JobContext(runtime=runtime, slot=TUESDAY_MORNING + after))


async def test_a_flood_from_many_numbers_is_all_stored_and_each_referent_told_within_budget(
    client: TestClient, settings: Settings, twilio_api: FakeTwilioApi
) -> None:
    # 200 SMS from 200 numbers in under seven minutes, in opening hours.
    for index in range(FLOOD):
        answer = await send(client, "Bonjour, test", at=TUESDAY_MORNING
                            + timedelta(seconds=2 * index), from_=f"+336{index:08d}")  # fmt: skip
        assert len(replied(answer)) == 1  # each sender acknowledged, as always

    events = await notified(settings, FLOOD)
    requests, _ = await stored(settings)
    assert len(requests) == FLOOD  # every contact a request of its own, in the console
    assert len({r.caller_number for r in requests}) == FLOOD
    assert sum(m.direction == "in" for m in await messages(settings)) == FLOOD
    for referent in (AMARTIN, BLEROY):
        told = to(twilio_api, referent)
        assert len(told) == NOTICES.limit
        assert all(body.startswith("DAC du Lot : nouveau SMS, demande n° ") for body in told)
    held = [
        e for e in events if e.kind == "sms-notified" and "résumé à venir" in e.reasons[0]["text"]
    ]
    assert len(held) == FLOOD - NOTICES.limit
    assert held[0].reasons[0]["text"] == (
        "prévenus par SMS : personne ; trop de notifications cette heure-ci, dans un résumé à "
        "venir pour : Anne Martin, Bruno Leroy"
    )

    # Within the hour the summary waits; once it has room, one summary each, once.
    early = await summaries(client, timedelta(minutes=30))
    due = await summaries(client, timedelta(minutes=61))
    again = await summaries(client, timedelta(minutes=62))
    assert (early, due, again) == (
        "0 notice summaries sent", "2 notice summaries sent", "0 notice summaries sent"
    )  # fmt: skip
    for referent in (AMARTIN, BLEROY):
        *_, summary = to(twilio_api, referent)
        assert summary == SUMMARY.format(count=FLOOD - NOTICES.limit)
        assert len(to(twilio_api, referent)) == NOTICES.limit + 1
    assert all("+336" not in m["body"] for m in twilio_api.messages)

    # Two hours later, a new sender: told of as before.
    await send(client, "Rappelez-moi", at=TUESDAY_MORNING + timedelta(hours=2),
               from_="+33799999999")  # fmt: skip
    await sent(twilio_api, 2 * (NOTICES.limit + 2))
    latest, _ = await stored(settings)
    for referent in (AMARTIN, BLEROY):
        assert to(twilio_api, referent)[-1] == (
            f"DAC du Lot : nouveau SMS, demande n° {latest[-1].id}. À traiter dans Frontdoor."
        )


async def test_the_next_contact_once_there_is_room_brings_the_summary_with_it(
    client: TestClient, settings: Settings, twilio_api: FakeTwilioApi
) -> None:
    for index in range(NOTICES.limit + 3):
        await send(client, "Bonjour", at=TUESDAY_MORNING + timedelta(seconds=index),
                   from_=f"+336{index:08d}")  # fmt: skip
    await notified(settings, NOTICES.limit + 3)

    await send(client, "Bonjour", at=TUESDAY_MORNING + timedelta(minutes=65), from_="+33799999999")
    await sent(twilio_api, 2 * (NOTICES.limit + 1))

    for referent in (AMARTIN, BLEROY):
        *_, last = to(twilio_api, referent)
        assert last == SUMMARY.format(count=4)  # the three held, and this one
    due = await summaries(client, timedelta(minutes=66))
    assert due == "0 notice summaries sent"


async def test_a_voicemail_past_the_budget_waits_for_the_summary_as_an_sms_would(
    client: TestClient, settings: Settings, twilio_api: FakeTwilioApi
) -> None:
    # The referents' hour spent already (by SMS, mails or voicemails: one budget).
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        for referent in ("amartin", "bleroy"):
            for minute in range(NOTICES.limit):
                await spend(session=session, department="dac46", recipient=referent,
                            at=TUESDAY_MORNING - timedelta(minutes=10 - minute))  # fmt: skip
        await session.commit()
    await engine.dispose()

    await a_voicemail(client, settings)

    assert [m for m in twilio_api.messages if "message vocal" in m["body"]] == []
    _, events = await stored(settings)
    [told] = [event for event in events if event.kind == "voicemail-notified"]
    assert "résumé à venir pour : Anne Martin, Bruno Leroy" in told.reasons[0]["text"]
    due = await summaries(client, timedelta(minutes=51))
    assert due == "2 notice summaries sent"
    assert {m["body"] for m in twilio_api.messages} == {
        "DAC du Lot : 1 nouvelle sollicitation depuis 10 h, trop pour les annoncer une à une. "
        "À traiter dans Frontdoor."
    }


async def test_the_late_callbacks_of_a_flood_out_of_hours_are_alerted_within_a_budget_too(
    client: TestClient, settings: Settings, twilio_api: FakeTwilioApi, smtp_server: SmtpRecorder
) -> None:
    # Ten SMS on a Friday evening: ten callbacks, all due at Monday's same deadline.
    flood = 10
    for index in range(flood):
        await send(client, "Rappelez-moi", at=FRIDAY_EVENING + timedelta(seconds=index),
                   from_=f"+336{index:08d}")  # fmt: skip
    monday = datetime(2026, 5, 18, 13, 0, tzinfo=PARIS)  # past their 12 h 30 deadline
    runtime = client.app[JOB_RUNTIME]

    detail = await escalate_overdue(JobContext(runtime=runtime, slot=monday))

    assert detail == f"{flood} escalated, 0 not delivered"  # each one marked, as before
    alerts = to(twilio_api, COORDINATION)
    assert len(alerts) == NOTICES.limit
    assert all("rappel" in alert for alert in alerts)
    assert len(smtp_server.mails) == flood  # the coordination's mailbox: one mail each
    early = await send_notice_summaries(
        JobContext(runtime=runtime, slot=monday + timedelta(minutes=30))
    )
    due = await send_notice_summaries(JobContext(runtime=runtime, slot=monday + NOTICES.window))
    assert (early, due) == ("0 notice summaries sent", "1 notice summaries sent")
    assert to(twilio_api, COORDINATION)[-1] == (
        f"DAC du Lot : {flood - NOTICES.limit} rappels en retard depuis 13 h, trop pour les "
        "annoncer un à un. À traiter dans Frontdoor."
    )
