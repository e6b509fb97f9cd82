"""The database places a person in the age band core.accompanied gives her, on SQLite and
PostgreSQL alike (the triggers compute the age in SQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.core.accompanied import BAND_ORDER, age_band_on
from frontdoor.core.person_identity import Traits
from frontdoor.core.request_fields import ResponseType
from frontdoor.core.responses import ResponseChoice
from frontdoor.indicators.person_tallies import PERSON_AGE
from frontdoor.store.db import session_maker
from frontdoor.store.models import Person, Request, RequestPerson, RequestResponse
from frontdoor.store.person_files import create_person
from frontdoor.store.responses import add_response, remove_response
from frontdoor.store.tally_models import RequestTallyChange

# (day of the request, birth date, birth year, band stated on the request)
CASES = [
    (date(2026, 10, 5), date(1941, 10, 5), None, None),
    (date(2026, 10, 4), date(1941, 10, 5), None, None),
    (date(2026, 2, 28), date(2008, 2, 29), None, None),
    (date(2026, 3, 1), date(2008, 2, 29), None, None),
    (date(2026, 12, 31), date(2008, 12, 31), None, None),
    (date(2026, 1, 2), None, 1966, None),
    (date(2026, 1, 2), date(1966, 12, 31), 1966, "85+"),
    (date(2026, 1, 2), None, None, "75-84"),
    (date(2026, 1, 2), None, 2030, "60-74"),
    (date(2026, 1, 2), date(2027, 1, 1), 1950, "0-17"),
    (date(2026, 1, 2), None, None, None),
    (date(2026, 1, 2), None, None, "unknown"),
]


async def test_each_persons_band_is_the_one_core_gives(engine: AsyncEngine) -> None:
    async with session_maker(engine)() as session:
        expected = {}
        for day, birth_date, birth_year, stated in CASES:
            at = datetime.combine(day, time(23, 59, 59, 999_999), tzinfo=UTC)
            request = Request(
                department="dac46",
                channel="voice",
                referrer_type="gp",
                age_band=stated,
                received_at=at,
            )
            person = Person(department="dac46", birth_date=birth_date, birth_year=birth_year,
                            created_at=at, created_by="test")  # fmt: skip
            session.add_all([request, person])
            await session.flush()
            session.add(RequestPerson(request_id=request.id or 0, person_id=person.id or 0,
                                      linked_at=at, linked_by="test"))  # fmt: skip
            session.add(RequestResponse(request_id=request.id or 0, kind="orientation", at=at))
            expected[str(person.id)] = age_band_on(
                day, birth_date=birth_date, birth_year=birth_year, stated=stated
            )
        await session.commit()

        changes = RequestTallyChange
        rows = await session.exec(
            select(changes.value, changes.measure)
            .where(col(changes.measure).startswith(PERSON_AGE))
            .group_by(changes.value, changes.measure)
            .having(func.sum(changes.n) > 0)
        )
        counted = {
            value: BAND_ORDER[int(measure.removeprefix(PERSON_AGE))] for value, measure in rows
        }

    assert counted == expected


async def test_a_person_counts_while_any_response_of_her_request_accompanies(
    engine: AsyncEngine,
) -> None:
    """Information, then a follow-up recorded (counted), then the follow-up removed (not
    counted): the database moves the person's count with the request's response kinds."""
    at = datetime(2026, 10, 5, 9, tzinfo=UTC)

    async def persons_counted(session: AsyncSession) -> set[str]:
        changes = RequestTallyChange
        rows = await session.exec(
            select(changes.value)
            .where(col(changes.measure).startswith(PERSON_AGE))
            .group_by(changes.value)
            .having(func.sum(changes.n) > 0)
        )
        return set(rows.all())

    async with session_maker(engine)() as session:
        request = Request(department="dac46", channel="voice", referrer_type="gp", received_at=at)
        session.add(request)
        await session.flush()
        person = await create_person(
            session=session, department="dac46", account="amartin", now=at,
            traits=Traits(family_name="Martin", birth_year=1938), request=request,
        )  # fmt: skip
        information = ResponseChoice(kind=ResponseType.INFORMATION)
        await add_response(session=session, request=request, choice=information, at=at, by="a")
        await session.commit()
        informed_only = await persons_counted(session)

        follow_up = ResponseChoice(kind=ResponseType.FOLLOW_UP)
        added = await add_response(session=session, request=request, choice=follow_up, at=at,
                                   by="a")  # fmt: skip
        await session.commit()
        followed = await persons_counted(session)

        assert added is not None
        assert added.id is not None
        await remove_response(session=session, request=request, response_id=added.id)
        await session.commit()
        removed = await persons_counted(session)

    assert (informed_only, followed, removed) == (set(), {str(person.id)}, set())
