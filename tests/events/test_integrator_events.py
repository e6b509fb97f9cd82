"""An integrator's endpoint receives the signed event of a new call placed on the single
number, checks it with its own code, refuses a replayed or old one, and gets the events it
missed while it was down once it is back; two instances deliver each event once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import aiohttp
from aiohttp.test_utils import TestClient
from sqlmodel import col, select

from frontdoor.core.events import MAX_ATTEMPTS
from frontdoor.jobs.events import PARALLEL
from frontdoor.settings import Settings
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.event_models import EventSubscription
from frontdoor.store.events import claim_due, claimed
from frontdoor.store.models import AuditEvent, Request
from tests.console.conftest import LOT_COORDINATOR, sign_in
from tests.events.conftest import (
    MovableClock,
    a_voicemail,
    deliver,
    subscribe_in_console,
)
from tests.events.receiver import Receiver
from tests.events.subscriptions import delivery_log, outbox
from tests.web.calls import NURSE, TUESDAY_MORNING


async def stored_requests(settings: Settings) -> list[Request]:
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        found = (await session.exec(select(Request).order_by(col(Request.id)))).all()
    await engine.dispose()
    return list(found)


async def test_an_integrator_receives_the_signed_event_of_a_new_call_and_checks_it(
    client: TestClient, receiver: Receiver, app_settings: Settings
) -> None:
    receiver.secret = await subscribe_in_console(client, receiver.url)

    await a_voicemail(client, TUESDAY_MORNING)
    detail = await deliver(client)

    [request] = await stored_requests(app_settings)
    assert detail == "1 delivered, 0 to retry, 0 given up"
    assert receiver.refused == []
    [event] = receiver.events
    assert event["type"] == "request.created"
    assert event["department"] == "dac46"
    assert event["occurred_at"] == request.received_at.isoformat()
    assert event["request"]["id"] == request.id
    assert event["request"]["channel"] == "voice"
    # The summary scope: nothing that names or reaches the caller.
    assert NURSE not in receiver.deliveries[0].body.decode()
    assert "caller_number" not in event["request"]


async def test_a_replayed_or_old_or_changed_delivery_is_refused_by_the_integrators_check(
    client: TestClient, receiver: Receiver, clock: MovableClock
) -> None:
    receiver.secret = await subscribe_in_console(client, receiver.url)
    await a_voicemail(client, TUESDAY_MORNING)
    await deliver(client)
    [taken] = receiver.deliveries

    async def replay(body: bytes) -> int:
        async with aiohttp.ClientSession() as http:
            response = await http.post(receiver.url, data=body, headers=taken.headers)
            return response.status

    # At once: the signature holds, the event was taken already; acknowledged, not taken twice.
    assert await replay(taken.body) == 200
    assert receiver.duplicates == 1
    # Changed on the way: the signature no longer matches.
    assert await replay(taken.body.replace(b"voice", b"sms  ")) == 400
    # Six minutes later: outside the replay window.
    clock.now += timedelta(minutes=6)
    assert await replay(taken.body) == 400
    assert receiver.refused == ["bad signature", "too old"]
    assert len(receiver.events) == 1


async def test_an_endpoint_down_gets_the_event_again_later_and_takes_it(
    client: TestClient, receiver: Receiver, clock: MovableClock, app_settings: Settings
) -> None:
    receiver.secret = await subscribe_in_console(client, receiver.url)
    await a_voicemail(client, TUESDAY_MORNING)
    port = receiver.port
    await receiver.stop()  # nobody listens

    assert await deliver(client) == "0 delivered, 1 to retry, 0 given up"
    assert await deliver(client) == "0 delivered, 0 to retry, 0 given up"  # not due yet

    receiver.port = port
    await receiver.start()
    receiver.down = True  # up, but answering 503
    clock.now += timedelta(minutes=1)
    assert await deliver(client) == "0 delivered, 1 to retry, 0 given up"

    receiver.down = False
    clock.now += timedelta(minutes=10)  # long after the event: each attempt signs afresh
    assert await deliver(client) == "1 delivered, 0 to retry, 0 given up"

    engine = create_engine(app_settings.database_url)
    log, [event] = await delivery_log(engine), await outbox(engine)
    await engine.dispose()
    assert [(a.attempt, a.status_code) for a in log] == [(1, None), (2, 503), (3, 204)]
    assert log[0].error is not None
    assert "pas de connexion" in log[0].error
    assert (event.status, event.attempts) == ("delivered", 3)
    assert [e["type"] for e in receiver.events] == ["request.created"]
    assert receiver.refused == []


async def test_an_endpoint_that_never_takes_it_sees_the_event_given_up(
    client: TestClient, receiver: Receiver, clock: MovableClock, app_settings: Settings
) -> None:
    receiver.secret = await subscribe_in_console(client, receiver.url)
    await a_voicemail(client, TUESDAY_MORNING)
    receiver.down = True

    details = []
    for _ in range(MAX_ATTEMPTS):
        details.append(await deliver(client))
        clock.now += timedelta(hours=1)

    assert details[-1] == "0 delivered, 0 to retry, 1 given up"
    assert await deliver(client) == "0 delivered, 0 to retry, 0 given up"
    engine = create_engine(app_settings.database_url)
    [event] = await outbox(engine)
    await engine.dispose()
    assert (event.status, event.attempts) == ("dead", MAX_ATTEMPTS)
    assert len(receiver.deliveries) == MAX_ATTEMPTS


async def test_two_instances_deliver_each_event_once(
    client: TestClient, receiver: Receiver
) -> None:
    receiver.secret = await subscribe_in_console(client, receiver.url)
    for n in range(6):
        await a_voicemail(client, TUESDAY_MORNING + timedelta(minutes=n), f"+3361122330{n}")

    await asyncio.gather(deliver(client, instance="front-a"), deliver(client, instance="front-b"))

    ids = [event["id"] for event in receiver.events]
    assert len(receiver.deliveries) == len(ids) == len(set(ids)) == 6
    assert receiver.duplicates == 0


async def test_each_subscription_gets_what_its_scope_allows_and_personal_data_is_journaled(
    client: TestClient, receiver: Receiver, clock: MovableClock, app_settings: Settings
) -> None:
    other = await Receiver(clock=clock).start()
    try:
        receiver.secret = await subscribe_in_console(client, receiver.url)
        other.secret = await subscribe_in_console(client, other.url, scope="requests:read")
        await a_voicemail(client, TUESDAY_MORNING)
        other.down = True  # it receives the event, and answers 503

        await deliver(client)
        other.down = False
        clock.now += timedelta(minutes=1)
        await deliver(client)
    finally:
        await other.stop()

    [summary], [full] = receiver.events, other.events
    assert summary["request"]["id"] == full["request"]["id"]
    assert "caller_number" not in summary["request"]
    assert full["request"]["caller_number"] == NURSE
    assert set(summary["request"]) < set(full["request"])
    engine = create_engine(app_settings.database_url)
    async with session_maker(engine)() as session:
        journaled = (
            await session.exec(select(AuditEvent).where(AuditEvent.action == "event_delivery"))
        ).all()
    await engine.dispose()
    # Each time the personal data went out, whatever the answer; never for the summary.
    assert [(row.account, row.request_id) for row in journaled] == [
        ("events:2", full["request"]["id"])
    ] * 2


async def test_an_event_settled_thirty_days_ago_goes_with_its_log_and_a_pending_one_stays(
    client: TestClient, receiver: Receiver, clock: MovableClock, app_settings: Settings
) -> None:
    receiver.secret = await subscribe_in_console(client, receiver.url)
    await a_voicemail(client, TUESDAY_MORNING)
    await deliver(client)
    engine = create_engine(app_settings.database_url)

    clock.now += timedelta(days=29)
    assert await deliver(client) == "0 delivered, 0 to retry, 0 given up"
    await receiver.stop()
    await a_voicemail(client, TUESDAY_MORNING + timedelta(days=29), "+33611223399")
    clock.now += timedelta(days=2)
    detail = await deliver(client)

    assert detail == "0 delivered, 1 to retry, 0 given up, 1 old event(s) purged"
    assert [(e.request_id, e.status) for e in await outbox(engine)] == [(2, "pending")]
    assert [a.event_id for a in await delivery_log(engine)] == [2]
    await engine.dispose()


async def test_a_run_whose_claim_runs_out_leaves_the_rest_to_the_next_run(
    client: TestClient, clock: MovableClock
) -> None:
    partner_clock = MovableClock(clock.now)  # the partner's machine keeps its own time
    receiver = await Receiver(clock=partner_clock).start()
    receiver.secret = await subscribe_in_console(client, receiver.url)
    for n in range(PARALLEL + 2):
        await a_voicemail(client, TUESDAY_MORNING + timedelta(minutes=n), f"+3361122330{n}")
    receiver.slow, receiver.slowed = timedelta(minutes=2), clock  # each answer takes 2 minutes

    try:
        first = await deliver(client)  # the first attempts outlast the claim's ten minutes
        partner_clock.now = clock.now
        second = await deliver(client)  # the rest was given back, and is taken at once
    finally:
        await receiver.stop()

    assert (first, second) == (
        f"{PARALLEL} delivered, 0 to retry, 0 given up",
        "2 delivered, 0 to retry, 0 given up",
    )
    assert len({event["id"] for event in receiver.events}) == PARALLEL + 2


async def test_a_stopped_subscription_is_sent_nothing_more_not_even_what_was_waiting(
    client: TestClient, receiver: Receiver, clock: MovableClock, app_settings: Settings
) -> None:
    # A partner's contract ends, or its endpoint is compromised, while an event waits for it.
    receiver.secret = await subscribe_in_console(client, receiver.url, scope="requests:read")
    await a_voicemail(client, TUESDAY_MORNING)
    receiver.down = True
    assert await deliver(client) == "0 delivered, 1 to retry, 0 given up"
    coordinator = await sign_in(client, LOT_COORDINATOR)

    stopped = await coordinator.post("/console/evenements/1/desactivation")
    receiver.down = False
    clock.now += timedelta(hours=1)
    detail = await deliver(client)

    assert stopped.status == 303
    assert detail == "0 delivered, 0 to retry, 0 given up"
    assert receiver.events == []
    engine = create_engine(app_settings.database_url)
    assert [event.status for event in await outbox(engine)] == ["cancelled"]
    log = await (await coordinator.get("/console/evenements/1")).text()
    assert "0 en attente, 0 abandonné(s), 1 annulé(s)" in log
    # Cancelled, it goes with its log as a settled event does.
    clock.now += timedelta(days=31)
    assert (await deliver(client)).endswith("1 old event(s) purged")
    assert await outbox(engine) == []
    await engine.dispose()


async def test_an_event_claimed_before_its_subscription_was_stopped_is_not_sent(
    client: TestClient, receiver: Receiver, app_settings: Settings
) -> None:
    receiver.secret = await subscribe_in_console(client, receiver.url, scope="requests:read")
    await a_voicemail(client, TUESDAY_MORNING)
    engine = create_engine(app_settings.database_url)
    async with session_maker(engine)() as session:
        ids = await claim_due(session=session, instance="a", now=TUESDAY_MORNING,
                              until=TUESDAY_MORNING + timedelta(minutes=10), limit=10)  # fmt: skip
        await session.commit()
        # Stopped while this instance held the event, before it read what to send.
        subscription = await session.get(EventSubscription, 1)
        assert subscription is not None
        subscription.disabled_at = TUESDAY_MORNING
        session.add(subscription)
        await session.commit()

        held = await claimed(session=session, ids=ids, instance="a")

    await engine.dispose()
    assert len(ids) == 1
    assert held == []
