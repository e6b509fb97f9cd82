"""Requests stored as they are, some about one person, for the repeats' tests in the console
and the API."""

from __future__ import annotations

from datetime import timedelta

from frontdoor.settings import Settings
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.models import Person, Request, RequestPerson
from tests.web.calls import TUESDAY_MORNING

NUMBER = "+33612345678"


def a_request(days_before: int, *, number: str = NUMBER, department: str = "dac46") -> Request:
    return Request(
        department=department,
        channel="voice",
        referrer_type="gp",
        caller_number=number,
        received_at=TUESDAY_MORNING - timedelta(days=days_before),
    )


async def stored_in_order(
    settings: Settings,
    *requests: Request,
    about: list[int] = (),  # type: ignore[assignment]
) -> list[int]:
    """The requests stored, in order; those at the positions `about` concern one person."""
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        session.add_all(requests)
        await session.flush()
        if about:
            person = Person(department="dac46", family_name="Témoin", name_key="temoin",
                            created_at=TUESDAY_MORNING, created_by="someone")  # fmt: skip
            session.add(person)
            await session.flush()
            for index in about:
                link = RequestPerson(request_id=requests[index].id or 0, person_id=person.id or 0,
                                     linked_at=TUESDAY_MORNING, linked_by="someone")  # fmt: skip
                session.add(link)
        await session.commit()
    await engine.dispose()
    return [r.id or 0 for r in requests]
