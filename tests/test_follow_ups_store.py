"""The follow-ups the store keeps: one per orientation response, closed with what was found
or carried to a new day with the earlier one in its history, listed when due, gone with the
response they follow."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.core.follow_ups import Closing, FollowUpOutcome, FollowUpPlan
from frontdoor.core.request_fields import ResponseType
from frontdoor.core.responses import ResponseChoice
from frontdoor.store.follow_ups import close, follow_ups_due, follow_ups_of, plan
from frontdoor.store.models import FollowUp, Request, RequestResponse
from frontdoor.store.responses import add_response, remove_response

NOW = datetime(2026, 5, 12, 12, 0, tzinfo=UTC)
REFERENT = "anne.martin@dac46.fr"


async def an_orientation(
    session: AsyncSession, *, department: str = "dac46"
) -> tuple[Request, RequestResponse]:
    request = Request(department=department, channel="voice", received_at=NOW)
    session.add(request)
    await session.flush()
    choice = ResponseChoice(kind=ResponseType.ORIENTATION)
    response = await add_response(session=session, request=request, choice=choice, at=NOW, by=None)
    assert response is not None
    return request, response


async def test_a_response_has_one_follow_up_at_most(session: AsyncSession) -> None:
    request, response = await an_orientation(session)
    wanted = FollowUpPlan(due_on=date(2026, 5, 27), assigned_to="bleroy")

    first = await plan(
        session=session, request=request, response=response, wanted=wanted, at=NOW, by=REFERENT
    )
    second = await plan(
        session=session, request=request, response=response, wanted=wanted, at=NOW, by=REFERENT
    )
    await session.commit()

    assert first is not None
    assert second is None
    held = await follow_ups_of(session=session, request_id=request.id or 0)
    assert list(held) == [response.id]
    kept = held[response.id or 0]
    assert (kept.department, kept.due_on, kept.assigned_to, kept.status, kept.created_by) == (
        "dac46", date(2026, 5, 27), "bleroy", "open", REFERENT,
    )  # fmt: skip


async def test_the_database_refuses_a_second_follow_up_of_a_response(
    session: AsyncSession,
) -> None:
    request, response = await an_orientation(session)
    for _ in range(2):
        session.add(
            FollowUp(
                department="dac46", request_id=request.id or 0, response_id=response.id or 0,
                due_on=date(2026, 5, 27), created_at=NOW, created_by=REFERENT,
            )
        )  # fmt: skip
    with pytest.raises(IntegrityError):
        await session.flush()


async def test_to_chase_on_a_new_day_keeps_it_open_with_the_earlier_day_in_its_history(
    session: AsyncSession,
) -> None:
    request, response = await an_orientation(session)
    wanted = FollowUpPlan(due_on=date(2026, 5, 27))
    row = await plan(
        session=session, request=request, response=response, wanted=wanted, at=NOW, by=REFERENT
    )
    assert row is not None
    later = datetime(2026, 5, 27, 9, 0, tzinfo=UTC)
    chase = Closing(outcome=FollowUpOutcome.TO_CHASE, next_due_on=date(2026, 6, 3))

    close(row, chase, at=later, by="bleroy@dac46.fr")
    close(row, Closing(outcome=FollowUpOutcome.TAKEN_IN_CHARGE), at=later, by="bleroy@dac46.fr")
    await session.commit()

    kept = (await follow_ups_of(session=session, request_id=request.id or 0))[response.id or 0]
    assert (kept.status, kept.outcome, kept.due_on, kept.closed_by, kept.closed_at) == (
        "closed", "taken_in_charge", date(2026, 6, 3), "bleroy@dac46.fr", later,
    )  # fmt: skip
    assert kept.earlier == [
        {"due_on": "2026-05-27", "outcome": "to_chase", "at": later.isoformat(),
         "by": "bleroy@dac46.fr"},
    ]  # fmt: skip
    with pytest.raises(ValueError, match="already closed"):
        close(kept, Closing(outcome=FollowUpOutcome.NO_NEWS), at=later, by=REFERENT)


async def test_the_due_list_holds_a_departments_open_follow_ups_soonest_first(
    session: AsyncSession,
) -> None:
    planned = {}
    for department, due_on in [
        ("dac46", date(2026, 5, 20)), ("dac46", date(2026, 5, 10)), ("dac46", date(2026, 5, 30)),
        ("dac57", date(2026, 5, 10)), ("dac46", date(2026, 5, 11)),
    ]:  # fmt: skip
        request, response = await an_orientation(session, department=department)
        row = await plan(
            session=session, request=request, response=response,
            wanted=FollowUpPlan(due_on=due_on), at=NOW, by=REFERENT,
        )  # fmt: skip
        assert row is not None
        planned[due_on, department] = row
    done = planned[date(2026, 5, 11), "dac46"]
    close(done, Closing(outcome=FollowUpOutcome.NO_NEWS), at=NOW, by=REFERENT)
    await session.commit()

    until = date(2026, 5, 20)
    due = await follow_ups_due(session=session, department="dac46", until=until, limit=9)

    assert [(d.follow_up.due_on, d.resource_name) for d in due] == [
        (date(2026, 5, 10), None), (date(2026, 5, 20), None),
    ]  # fmt: skip


async def test_a_response_removed_takes_its_follow_up_with_it(session: AsyncSession) -> None:
    request, response = await an_orientation(session)
    await plan(
        session=session, request=request, response=response,
        wanted=FollowUpPlan(due_on=date(2026, 5, 27)), at=NOW, by=REFERENT,
    )  # fmt: skip
    await session.commit()

    removed = await remove_response(session=session, request=request, response_id=response.id or 0)
    await session.commit()

    assert removed is not None
    assert (await session.exec(select(FollowUp))).all() == []
