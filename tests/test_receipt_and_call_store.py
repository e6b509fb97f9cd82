"""A step of a call reads the answer already given to it (a retry) and its call's request in
one statement: whichever of the two is stored, and only the request of the department's call.
It holds that request until it commits: the steps of one call are written one after another."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.models import Request
from frontdoor.store.requests import (
    StoredAnswer,
    keep_receipt,
    receipt_and_call,
    request_by_call_sid,
)

NOW = datetime(2026, 5, 12, 8, 0, tzinfo=UTC)


async def a_call(session: AsyncSession, *, department: str = "dac46") -> None:
    session.add(Request(department=department, channel="voice", call_sid="CA1", received_at=NOW))
    await session.commit()


async def an_answer(session: AsyncSession, key: str) -> None:
    await keep_receipt(session=session, key=key, received_at=NOW, provider_sid="CA1",
                       content_type="text/xml", body="<Response/>")  # fmt: skip
    await session.commit()


async def test_a_first_step_finds_its_call_and_no_answer_in_one_statement(
    session: AsyncSession, statements: list[str]
) -> None:
    await a_call(session)
    statements.clear()

    stored, request = await receipt_and_call(
        session=session, key="k1", department="dac46", call_sid="CA1"
    )

    assert stored is None
    assert request is not None
    assert (request.department, request.call_sid) == ("dac46", "CA1")
    assert len(statements) == 1


async def test_a_retry_finds_the_answer_it_was_given_and_its_call(session: AsyncSession) -> None:
    await a_call(session)
    await an_answer(session, "k1")

    stored, request = await receipt_and_call(
        session=session, key="k1", department="dac46", call_sid="CA1"
    )

    assert stored == StoredAnswer(body="<Response/>", status=200)
    assert request is not None


async def test_an_answer_is_found_without_its_call(session: AsyncSession) -> None:
    await an_answer(session, "k1")

    stored, request = await receipt_and_call(
        session=session, key="k1", department="dac46", call_sid="CA1"
    )

    assert stored is not None
    assert request is None


async def test_the_same_call_sid_of_another_department_is_not_this_call(
    session: AsyncSession,
) -> None:
    await a_call(session, department="dac31")

    found = await receipt_and_call(session=session, key="k1", department="dac46", call_sid="CA1")

    assert found == (None, None)


@pytest.mark.parametrize("second_finds_it_by", ["receipt_and_call", "request_by_call_sid"])
async def test_a_second_step_of_the_call_waits_for_the_first_to_commit(
    session: AsyncSession, database_url: str, second_finds_it_by: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("two transactions at once: SQLite's one connection runs them in turn")
    await a_call(session)
    engine = create_engine(database_url)
    try:
        async with session_maker(engine)() as first, session_maker(engine)() as second:
            _, held = await receipt_and_call(session=first, key="k1", department="dac46",
                                             call_sid="CA1")  # fmt: skip
            assert held is not None
            if second_finds_it_by == "receipt_and_call":
                found = receipt_and_call(session=second, key="k2", department="dac46",
                                         call_sid="CA1")  # fmt: skip
            else:
                found = request_by_call_sid(session=second, department="dac46", call_sid="CA1")
            waiting = asyncio.create_task(found)
            await asyncio.sleep(0.3)
            assert not waiting.done()

            held.outcome = "taken"
            first.add(held)
            await first.commit()
            read = await asyncio.wait_for(waiting, timeout=10)
    finally:
        await engine.dispose()

    request = read[1] if isinstance(read, tuple) else read
    assert request is not None
    assert request.outcome == "taken"  # what the first step committed
