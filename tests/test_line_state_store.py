"""A step of a call that rings reads the line's state (store.waiting) from the recent events of
its kinds: what it costs follows the last hours, not the requests the department ever had,
and only the calls still on the line reach Python. The history is checked in each planner's
own terms, so a busy machine does not move the figures: SQLite's steps (its progress handler)
and both databases' plans, after a year of requests (PostgreSQL with its statistics); the
calls that are over, in the rows the read hands to Python, on both databases.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.core.department import Department
from frontdoor.core.waiting import LONGEST_CALL
from frontdoor.departments import Departments
from frontdoor.store.db import create_engine, session_maker
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


async def test_a_ring_does_not_read_the_other_departments_calls(tmp_path: Path) -> None:
    """An instance serving a region: the Moselle's calls, however many are on its line, cost
    nothing to a ring of the Lot."""
    database = tmp_path / "frontdoor.sqlite3"
    engine = create_engine(f"sqlite+aiosqlite:///{database}")
    await upgrade(engine)
    async with session_maker(engine)() as session:
        taken = ("accepted", "r1", "CLlot")
        await a_call(session, "CAlot", taken, at=A_RING - timedelta(minutes=5))
    alone = steps_of_the_line_read(database)

    async with session_maker(engine)() as session:
        for n in range(300):  # taken by the Moselle's referents, not over yet
            await a_call(session, f"CA{n}", ("accepted", f"m{n % 5}", f"CL{n}"),
                         department="dac57", at=A_RING - timedelta(minutes=30))  # fmt: skip
    await engine.dispose()
    beside_the_moselle = steps_of_the_line_read(database)

    # Before, each of the Moselle's events was read and its call looked up: 7,870 steps, not 1,270.
    assert beside_the_moselle < alone + 100, (alone, beside_the_moselle)


async def test_an_event_written_without_its_department_takes_its_requests(
    session: AsyncSession, departments: Departments
) -> None:
    """A writer that leaves the department out (an instance of the previous version, during
    a rolling upgrade): the store fills it, and the event counts for its department's line."""
    taken = await a_call(session, "CAtaken")
    session.add(RequestEvent(request_id=taken, at=NOW - timedelta(minutes=4), kind="accepted",
                             referent_id="r2", attempt=1, leg_sid="CLa"))  # fmt: skip
    await session.commit()

    connection = await session.connection()
    written = await connection.execute(
        sqlalchemy.select(RequestEvent.__table__.c.kind, RequestEvent.__table__.c.department)  # type: ignore[attr-defined]
    )
    line = await line_state(session, department=lot(departments), now=NOW)

    assert [tuple(row) for row in written] == [("accepted", "dac46")]
    assert line.busy == frozenset({"r2"})


async def plan_of_the_line_read(engine: AsyncEngine) -> list[str]:
    """How the database reads the table of requests for the Lot's line state at A_RING: each
    access to it, as its planner says."""
    async with engine.connect() as connection:
        compiled = _RECENT.compile(dialect=connection.dialect)
        values = compiled.construct_params({"department": "dac46", "since": A_RING - LONGEST_CALL})
        statement, arguments = (
            str(compiled),
            tuple(values[name] for name in compiled.positiontup or ()),
        )
        if connection.dialect.name == "sqlite":
            rows = await connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, arguments)
            return [row[3] for row in rows if " requests" in row[3]]
        await connection.exec_driver_sql("ANALYZE")  # as autovacuum keeps it in production
        rows = await connection.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, arguments)
        nodes = _nodes(rows.scalar_one()[0]["Plan"])
        return [f"{node['Node Type']} {node.get('Index Name', '')}".strip()
                for node in nodes if node.get("Relation Name") == "requests"]  # fmt: skip


def _nodes(node: dict[str, Any]) -> list[dict[str, Any]]:
    return [node, *(found for child in node.get("Plans", ()) for found in _nodes(child))]


async def test_a_ring_finds_each_events_call_by_its_key_after_a_year(database_url: str) -> None:
    engine = create_engine(database_url)
    await fill_with_random_year(engine, seed=7)
    async with session_maker(engine)() as session:  # and the morning's calls, now over
        for n in range(150):
            events = ("accepted", "r1", f"CL{n}"), ("ring-ended", None, f"CL{n}")
            department = ("dac46", "dac57")[n % 2]
            await a_call(session, f"CA{n}", *events, ended=True, department=department,
                         at=A_RING - timedelta(hours=1))  # fmt: skip

    accesses = await plan_of_the_line_read(engine)
    await engine.dispose()

    # Before, SQLite started from the department's requests, PostgreSQL from a scan of them all.
    by_key = {"SEARCH requests USING INTEGER PRIMARY KEY (rowid=?)", "Index Scan requests_pkey"}
    assert accesses, "the read no longer keeps to the department's requests"
    assert set(accesses) <= by_key, accesses


NOW = datetime(2026, 12, 8, 10, 0, tzinfo=UTC)


async def a_call(
    session: AsyncSession, sid: str, *events: tuple[str, str | None, str | None],
    ended: bool = False, ago: timedelta = timedelta(minutes=5), department: str = "dac46",
    at: datetime | None = None,
) -> int:  # fmt: skip
    """A call received `ago` (or `at`), its events (kind, referent, leg), over if `ended`."""
    at = at or NOW - ago
    request = Request(department=department, channel="voice", call_sid=sid, received_at=at,
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


async def test_a_ring_reads_none_of_the_events_of_calls_rung_and_not_taken_yet(
    session: AsyncSession, departments: Departments
) -> None:
    for n in range(40):  # a burst: forty callers whose first ring went unanswered
        await a_call(session, f"CA{n}", ("ring-ended", None, f"CL{n}"), ago=timedelta(minutes=1))
    taken = await a_call(session, "CAtaken", ("accepted", "r2", "CLb"))
    waits = await a_call(session, "CAwaits", ("ring-ended", None, "CLc"), ("enqueued", None, None))

    connection = await session.connection()
    rows = (
        await connection.execute(_RECENT, {"department": "dac46", "since": NOW - LONGEST_CALL})
    ).all()
    line = await line_state(session, department=lot(departments), now=NOW)

    assert {row.request_id for row in rows} == {taken, waits}
    assert len(rows) == 3  # the waiting caller's ring that ended too: it tells a leg is over
    assert line.busy == frozenset({"r2"})
    assert [waiter.request_id for waiter in line.waiters] == [waits]


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
