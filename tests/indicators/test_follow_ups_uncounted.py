"""A follow-up of an orientation is the team's own work, not a callback owed to a caller:
planning, chasing and closing one leaves every indicator as it was, callbacks included."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from frontdoor.core.follow_ups import Closing, FollowUpOutcome, FollowUpPlan
from frontdoor.departments import Departments
from frontdoor.store.db import session_maker
from frontdoor.store.follow_ups import close, plan
from frontdoor.store.models import Request, RequestResponse
from tests.indicators.conftest import utc
from tests.indicators.random_year import lot, table_of


async def test_follow_ups_count_in_no_indicator(
    october: AsyncEngine, departments: Departments
) -> None:
    before = await table_of(october, [lot(departments)])
    async with session_maker(october)() as session:
        orientation = (
            await session.exec(select(RequestResponse).where(RequestResponse.kind == "orientation"))
        ).one()
        request = await session.get(Request, orientation.request_id)
        assert request is not None
        at = utc(2026, 10, 5, 9)
        row = await plan(
            session=session, request=request, response=orientation,
            wanted=FollowUpPlan(due_on=date(2026, 10, 20)), at=at, by="anne.martin@dac46.fr",
        )  # fmt: skip
        assert row is not None
        chase = Closing(outcome=FollowUpOutcome.TO_CHASE, next_due_on=date(2026, 10, 27))
        close(row, chase, at=utc(2026, 10, 20, 9), by="anne.martin@dac46.fr")
        close(row, Closing(outcome=FollowUpOutcome.NO_NEWS), at=utc(2026, 10, 27, 9), by="x")
        await session.commit()

    after = await table_of(october, [lot(departments)])
    assert replace(after, generated_at=before.generated_at) == before
