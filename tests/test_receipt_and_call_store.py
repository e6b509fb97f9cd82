"""A step of a call reads the answer already given to it (a retry) and its call's request in
one statement: whichever of the two is stored, and only the request of the department's call."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.store.models import Request
from frontdoor.store.requests import StoredAnswer, keep_receipt, receipt_and_call

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
