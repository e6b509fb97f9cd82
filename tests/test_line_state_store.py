"""A step of a call that rings reads the line's state (store.waiting) from the recent events of
its kinds: what it costs follows what is live on the line, not the requests the department
ever had nor the calls of the last hours that are over. The history is counted in SQLite's
own steps (its progress handler), so a busy machine does not move the figure, on SQLite,
whose planner without statistics chose the department's history; the calls that are over,
in the rows the read hands to Python, on both databases.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.core.department import Department
from frontdoor.core.waiting import LONGEST_CALL
from frontdoor.departments import Departments
from frontdoor.store.db import create_engine
from frontdoor.store.migrate import upgrade
from frontdoor.store.models import Request, RequestEvent
from frontdoor.store.waiting import _RECENT, line_state
from tests.indicators.random_year import fill_with_random_year

# After random_year's 2026: none of its requests is in the line's window.
A_RING = datetime(2027, 3, 2, 10, 0, tzinfo=UTC)


def steps_of_the_line_read(database: Path) -> int:
    """SQLite's virtual machine steps for the Lot's line state at A_RING, the statement sent as
    the service sends it (its parameters bound by the store's types)."""
    engine = sqlalchemy.create_engine(f"sqlite:///{database}")
    steps = 0

    def counted() -> int:
        nonlocal steps
        steps += 1
        return 0  # go on

    with engine.connect() as connection:
        raw = connection.connection.driver_connection
        assert raw is not None
        raw.set_progress_handler(counted, 1)
        connection.execute(_RECENT, {"department": "dac46", "since": A_RING - LONGEST_CALL}).all()
        raw.set_progress_handler(None, 1)
    engine.dispose()
    return steps


async def test_a_ring_does_not_read_through_the_departments_history(tmp_path: Path) -> None:
    database = tmp_path / "frontdoor.sqlite3"
    engine = create_engine(f"sqlite+aiosqlite:///{database}")
    await upgrade(engine)
    on_a_new_line = steps_of_the_line_read(database)

    await fill_with_random_year(engine, seed=7)  # 1,500 requests, about half the Lot's
    await engine.dispose()
    after_a_year = steps_of_the_line_read(database)

    # Before, the Lot's ~750 requests of the year were read: 4,057 steps against 1,065.
    assert after_a_year < on_a_new_line + 100, (on_a_new_line, after_a_year)


NOW = datetime(2026, 12, 8, 10, 0, tzinfo=UTC)


async def a_call(
    session: AsyncSession, sid: str, *events: tuple[str, str | None, str | None],
    ended: bool = False, ago: timedelta = timedelta(minutes=5),
) -> int:  # fmt: skip
    """A call of the Lot received `ago`, its events (kind, referent, leg), over if `ended`."""
    at = NOW - ago
    request = Request(department="dac46", channel="voice", call_sid=sid, received_at=at,
                      ended_at=at + timedelta(seconds=10) if ended else None)  # fmt: skip
    session.add(request)
    await session.flush()
    assert request.id is not None
    for kind, referent, leg in events:
        session.add(RequestEvent(request_id=request.id, at=at, kind=kind, referent_id=referent,
                                 attempt=1, leg_sid=leg))  # fmt: skip
    if ended:
        session.add(
            RequestEvent(request_id=request.id, at=at + timedelta(seconds=10), kind="ended")
        )
    await session.commit()
    return request.id


def lot(departments: Departments) -> Department:
    department = departments.for_slug("dac46")
    assert department is not None
    return department


async def test_a_ring_reads_none_of_the_events_of_calls_that_are_over(
    session: AsyncSession, departments: Departments
) -> None:
    for n in range(40):  # an afternoon's calls, each taken by a referent, then over
        leg = f"CL{n}"
        await a_call(
            session, f"CA{n}", ("accepted", "r1", leg), ("ring-ended", None, leg), ended=True
        )
    live = await a_call(session, "CAlive", ("accepted", "r2", "CLlive"), ago=timedelta(minutes=1))

    connection = await session.connection()
    rows = (
        await connection.execute(_RECENT, {"department": "dac46", "since": NOW - LONGEST_CALL})
    ).all()
    line = await line_state(session, department=lot(departments), now=NOW)

    assert {row.request_id for row in rows} == {live}
    assert line.busy == frozenset({"r2"})


async def test_a_referent_rung_for_a_caller_who_hung_up_is_busy_until_her_offer_ends(
    session: AsyncSession, departments: Departments
) -> None:
    """Of a call that is over, its offers still count: her phone rings until Twilio says the
    offer call ended, or its window passed."""
    offered = ("queue-offered", "r3", "CLoffer")
    waiter = await a_call(session, "CAwaits", ("enqueued", None, None), offered, ended=True,
                          ago=timedelta(seconds=30))  # fmt: skip

    rung = await line_state(session, department=lot(departments), now=NOW)
    session.add(RequestEvent(request_id=waiter, at=NOW, kind="queue-offer-ended", referent_id="r3",
                             leg_sid="CLoffer"))  # fmt: skip
    await session.commit()
    free = await line_state(session, department=lot(departments), now=NOW)

    assert rung.busy == frozenset({"r3"})
    assert rung.waiters == ()  # the caller hung up: nobody waits
    assert free.busy == frozenset()
