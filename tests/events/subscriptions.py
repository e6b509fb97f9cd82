"""Subscriptions made as the console makes them, for tests."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select

from frontdoor.core.events import EventType, checked_subscription
from frontdoor.store.db import session_maker
from frontdoor.store.event_models import EventDelivery, OutgoingEvent
from frontdoor.store.events import add_subscription

EVERY_TYPE = [t.value for t in EventType]
MADE_AT = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


async def subscribe(
    engine: AsyncEngine, url: str = "https://partenaire.example.fr/events", *,
    department: str = "dac46", scope: str = "requests:summary",
    event_types: list[str] | None = None,
) -> tuple[int, str]:  # fmt: skip
    """A subscription's id and secret."""
    checked = checked_subscription(
        url=url, scope=scope, event_types=EVERY_TYPE if event_types is None else event_types,
        development=True,
    )  # fmt: skip
    async with session_maker(engine)() as session:
        secret, row = await add_subscription(
            session=session, department=department, subscription=checked, by="coordination",
            now=MADE_AT,
        )  # fmt: skip
        await session.commit()
        assert row.id is not None
        return row.id, secret


async def outbox(engine: AsyncEngine) -> list[OutgoingEvent]:
    async with session_maker(engine)() as session:
        return list(
            (await session.exec(select(OutgoingEvent).order_by(col(OutgoingEvent.id)))).all()
        )


async def delivery_log(engine: AsyncEngine) -> list[EventDelivery]:
    async with session_maker(engine)() as session:
        return list(
            (await session.exec(select(EventDelivery).order_by(col(EventDelivery.id)))).all()
        )
