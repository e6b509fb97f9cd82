"""A time stored in any zone is read back as the same instant, aware, in UTC, on both
databases, by the ORM and by a plain statement alike (frontdoor.store.types.UTCDateTime:
on PostgreSQL asyncpg gives it so, without a Python call per value)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.store.models import Request

PARIS_MORNING = datetime(2026, 5, 12, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))


async def test_a_time_is_read_back_as_the_same_instant_in_utc(session: AsyncSession) -> None:
    session.add(Request(department="dac46", channel="voice", received_at=PARIS_MORNING))
    await session.commit()
    session.expunge_all()

    by_the_orm = (await session.exec(select(Request))).one().received_at
    by_a_statement = (await session.exec(select(Request.received_at))).one()

    for read in (by_the_orm, by_a_statement):
        assert read == PARIS_MORNING
        assert read.tzinfo is UTC
        assert read.hour == 8
