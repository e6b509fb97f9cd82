"""The outbox is written by the database in the transaction of the change: a new request, a
change an integrator follows, a closing, a callback escalated as overdue; one event per
active subscription of the department that asked for that type, nothing otherwise."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from frontdoor.store.db import session_maker
from frontdoor.store.event_models import EventSubscription
from frontdoor.store.models import CallbackTaskRow, Request
from tests.events.subscriptions import outbox, subscribe

AT = datetime(2026, 5, 12, 8, 0, tzinfo=UTC)


async def new_request(engine: AsyncEngine, department: str = "dac46") -> int:
    async with session_maker(engine)() as session:
        request = Request(department=department, channel="voice", received_at=AT)
        session.add(request)
        await session.commit()
        assert request.id is not None
        return request.id


async def change(engine: AsyncEngine, request_id: int, **columns: object) -> None:
    async with session_maker(engine)() as session:
        request = await session.get(Request, request_id)
        assert request is not None
        for name, value in columns.items():
            setattr(request, name, value)
        session.add(request)
        await session.commit()


async def test_a_new_request_is_an_event_for_each_subscription_of_its_department(
    engine: AsyncEngine,
) -> None:
    first, _ = await subscribe(engine)
    second, _ = await subscribe(engine, "https://autre.example.fr/hooks")
    await subscribe(engine, department="dac57")

    request_id = await new_request(engine)

    events = await outbox(engine)
    assert [(e.subscription_id, e.event_type, e.request_id) for e in events] == [
        (first, "request.created", request_id),
        (second, "request.created", request_id),
    ]
    assert all(e.status == "pending" and e.attempts == 0 for e in events)
    assert {e.occurred_at for e in events} == {AT}


async def test_a_change_rolled_back_leaves_no_event(engine: AsyncEngine) -> None:
    await subscribe(engine)
    async with session_maker(engine)() as session:
        session.add(Request(department="dac46", channel="voice", received_at=AT))
        await session.flush()
        await session.rollback()

    assert await outbox(engine) == []


async def test_no_subscription_no_event(engine: AsyncEngine) -> None:
    await subscribe(engine, department="dac57")

    await new_request(engine)

    assert await outbox(engine) == []


async def test_only_the_types_subscribed_to_are_written(engine: AsyncEngine) -> None:
    await subscribe(engine, event_types=["request.closed"])
    request_id = await new_request(engine)
    await change(engine, request_id, referrer_type="gp")
    closed_at = AT + timedelta(hours=2)

    await change(engine, request_id, status="closed", closed_at=closed_at, closed_by="amartin")

    events = await outbox(engine)
    assert [(e.event_type, e.occurred_at) for e in events] == [("request.closed", closed_at)]


async def test_a_change_an_integrator_follows_is_an_update_and_others_are_not(
    engine: AsyncEngine,
) -> None:
    await subscribe(engine, event_types=["request.updated"])
    request_id = await new_request(engine)

    await change(engine, request_id, attempts=2, duration_s=40)  # call bookkeeping
    await change(engine, request_id, referrer_type="nurse", problems=["housing"])
    await change(engine, request_id, referrer_type="nurse")  # the same value again
    await change(engine, request_id, assigned_to="amartin")

    assert [e.event_type for e in await outbox(engine)] == ["request.updated"] * 2


async def test_a_request_reopened_is_updated_not_closed_again(engine: AsyncEngine) -> None:
    await subscribe(engine)
    request_id = await new_request(engine)
    await change(engine, request_id, status="closed", closed_at=AT)

    await change(engine, request_id, status="open", closed_at=None)

    assert [e.event_type for e in await outbox(engine)] == [
        "request.created",
        "request.closed",
        "request.updated",
    ]


async def test_a_disabled_subscription_gets_nothing_more(engine: AsyncEngine) -> None:
    subscription_id, _ = await subscribe(engine)
    await new_request(engine)
    async with session_maker(engine)() as session:
        row = await session.get(EventSubscription, subscription_id)
        assert row is not None
        row.disabled_at = AT
        session.add(row)
        await session.commit()

    await new_request(engine)

    assert len(await outbox(engine)) == 1


async def test_a_callback_escalated_as_overdue_is_a_task_event_once(engine: AsyncEngine) -> None:
    await subscribe(engine, event_types=["task.overdue"])
    request_id = await new_request(engine)
    escalated = AT + timedelta(hours=4)
    async with session_maker(engine)() as session:
        task = CallbackTaskRow(request_id=request_id, department="dac46", created_at=AT,
                               due_at=AT + timedelta(hours=3))  # fmt: skip
        session.add(task)
        await session.commit()
        task.escalated_at = escalated
        session.add(task)
        await session.commit()
        task.calls_placed = 1
        session.add(task)
        await session.commit()
        task_id = task.id

    events = await outbox(engine)
    assert [(e.event_type, e.request_id, e.task_id, e.occurred_at) for e in events] == [
        ("task.overdue", request_id, task_id, escalated)
    ]
