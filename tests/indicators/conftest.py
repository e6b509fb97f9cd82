"""A month of requests whose indicators are known by hand, stored in the test's database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from frontdoor.core.department import Department
from frontdoor.departments import Departments
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.models import CallbackTaskRow, DepartmentFigures, Request, RequestResponse
from tests.indicators.random_year import lot, moselle


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def contact(at: datetime, **fields: Any) -> Request:
    values: dict[str, Any] = {"department": "dac46", "channel": "voice", "outcome": "taken"}
    return Request(received_at=at, **(values | fields))


def october_requests() -> list[Request]:
    """October 2026 in Paris is 2026-09-30 22:00 UTC to 2026-10-31 23:00 UTC (DST ends on
    the 25th)."""
    return [
        # Monday 5 October, 09:00 local: a GP, taken after 12 s.
        contact(
            utc(2026, 10, 5, 7, 0, 0), referrer_type="gp", caller_number="+33611111111",
            answered_at=utc(2026, 10, 5, 7, 0, 12), age_band="85+",
            problems=["medical", "carers"],
        ),
        # Tuesday 10:00 local, the same GP again, taken after 30.5 s (31 s on the seconds' clock).
        contact(
            utc(2026, 10, 6, 8, 0, 0, 700_000), referrer_type="gp", caller_number="+33611111111",
            answered_at=utc(2026, 10, 6, 8, 0, 31, 200_000),
        ),
        # Wednesday 14:00 local, another GP by secure mail, answered the next day.
        contact(
            utc(2026, 10, 7, 12, 0), channel="mail", referrer_type="gp",
            contact_address="dr.b@cabinet.mssante.fr", answered_at=utc(2026, 10, 8, 9, 0),
        ),
        # Saturday 20:15 local, a nurse hangs up on a closed line.
        contact(
            utc(2026, 10, 10, 18, 15), referrer_type="nurse", outcome="abandoned",
            out_of_hours=True, problems=["social"],
        ),
        # Sunday 25 October, 02:30 local twice: before (CEST) and after (CET) the clocks go back.
        contact(utc(2026, 10, 25, 0, 30), channel="sms", referrer_type="hospital"),
        contact(utc(2026, 10, 25, 1, 30), channel="mail", referrer_type="social_worker"),
        # Thursday 1 October, 00:30 local (still 30 September in UTC): a message from a carer.
        contact(
            utc(2026, 9, 30, 22, 30), referrer_type="carer", outcome="voicemail", out_of_hours=True,
            callback_needed=True,
        ),
        # Not requests.
        contact(utc(2026, 10, 8, 9, 0), referrer_type="wrong_number", outcome="taken"),
        contact(utc(2026, 10, 9, 9, 0), referrer_type="test", outcome="abandoned"),
        # Outside October in Paris: 23:59 on 30 September, 00:30 on 1 November (local).
        contact(utc(2026, 9, 30, 21, 59), referrer_type="gp", caller_number="+33622222222"),
        contact(utc(2026, 10, 31, 23, 30), referrer_type="gp", caller_number="+33633333333"),
        # Moselle, Thursday 15 October 11:00 local: a patient taken after 50 s.
        contact(
            utc(2026, 10, 15, 9, 0), department="dac57", referrer_type="patient",
            answered_at=utc(2026, 10, 15, 9, 0, 50),
        ),
    ]  # fmt: skip


def tasks(ids: list[int]) -> list[CallbackTaskRow]:
    """Four callbacks of the Lot: three due in October (one done in time, one done late, one
    still open), one due in November."""

    def task(
        request_id: int, due: datetime, status: str, closed: datetime | None
    ) -> CallbackTaskRow:
        return CallbackTaskRow(
            request_id=request_id, department="dac46", created_at=due - timedelta(hours=4),
            due_at=due, status=status, closed_at=closed, outcome="reached" if closed else None,
        )  # fmt: skip

    return [
        task(ids[0], utc(2026, 10, 5, 12), "done", utc(2026, 10, 5, 11)),
        task(ids[1], utc(2026, 10, 6, 12), "done", utc(2026, 10, 6, 15)),
        task(ids[2], utc(2026, 10, 7, 12), "open", None),
        task(ids[3], utc(2026, 11, 2, 12), "done", utc(2026, 11, 2, 9)),
    ]


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def october(engine: AsyncEngine) -> AsyncEngine:
    """The database with October's requests, callbacks and the Lot's figures for 2026."""
    async with session_maker(engine)() as session:
        rows = october_requests()
        session.add_all(rows)
        await session.flush()
        ids = [r.id for r in rows if r.id is not None]
        session.add_all(tasks(ids))
        # The first GP call got information and an orientation; the nurse's, nothing said yet.
        session.add_all(
            RequestResponse(request_id=ids[0], kind=kind, at=utc(2026, 10, 5, 8))
            for kind in ("information", "orientation", "information")
        )
        session.add(
            DepartmentFigures(
                department="dac46",
                year=2026,
                staff_fte=4.5,
                funding_ars_fir=300_000,
                funding_conseil_departemental=50_000,
                territory_gps=40,
            )
        )
        await session.commit()
    return engine


@pytest.fixture
def chosen(departments: Departments) -> list[Department]:
    """The Lot and Moselle, as a regional table counts them."""
    return [lot(departments), moselle(departments)]
