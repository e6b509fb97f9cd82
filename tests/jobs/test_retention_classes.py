"""Retention per data class, against the real store: each class goes at its own time,
counted from the person's last contact (the latest request linked to her), recordings from
the call itself."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from aiohttp.test_utils import TestClient
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.core.retention import RetentionPolicy
from frontdoor.departments import Departments
from frontdoor.jobs.base import JobContext
from frontdoor.jobs.retention import purge_expired
from frontdoor.kit.runtime import JOB_RUNTIME
from frontdoor.settings import Settings
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.models import Message, Person, Request, RequestNote, RequestPerson

NOW = datetime(2027, 6, 1, 3, 0, tzinfo=UTC)
# The Lot keeps messages a shorter time than who called.
LOT_RETENTION = RetentionPolicy(recordings=90, call_metadata=730, messages=365, person_files=730)


@pytest.fixture
def app_departments(departments: Departments) -> Departments:
    return Departments(
        replace(d, retention=LOT_RETENTION) if d.slug == "dac46" else d for d in departments
    )


async def add_request(session: AsyncSession, *, days: int, number: str, text: str) -> Request:
    """An SMS request of `days` ago with its message and a referent's note."""
    request = Request(
        department="dac46", channel="sms", caller_number=number, caller_name="Jeanne Roux",
        received_at=NOW - timedelta(days=days),
    )  # fmt: skip
    session.add(request)
    await session.flush()
    session.add(Message(request_id=request.id or 0, department="dac46", channel="sms",
                        direction="in", at=request.received_at, body=text))  # fmt: skip
    session.add(RequestNote(request_id=request.id or 0, at=request.received_at, author="amartin",
                            body=f"note : {text}"))  # fmt: skip
    return request


def add_person(session: AsyncSession, *, days: int) -> Person:
    """A person's file created `days` ago, with every identity trait."""
    person = Person(department="dac46", family_name="Témoin", given_names="Ginette",
                    name_key="temoin ginette", birth_date=date(1938, 4, 12), birth_year=1938,
                    sex="female", commune_insee="46042", commune_name="Cahors",
                    ins="238044604212345", created_at=NOW - timedelta(days=days),
                    created_by="amartin")  # fmt: skip
    session.add(person)
    return person


async def link(session: AsyncSession, person: Person, requests: list[Request]) -> None:
    await session.flush()
    for request in requests:
        session.add(RequestPerson(request_id=request.id or 0, person_id=person.id or 0,
                                  linked_at=request.received_at, linked_by="amartin"))  # fmt: skip


async def test_a_persons_recent_contact_keeps_her_older_requests_whole(
    client: TestClient, settings: Settings
) -> None:
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        hers = await add_request(session, days=800, number="+33611000001", text="sortie jeudi")
        recent = await add_request(session, days=20, number="+33611000002", text="elle chute")
        nobodys = await add_request(session, days=800, number="+33611000003", text="autre")
        person = add_person(session, days=800)
        await link(session, person, [hers, recent])
        await session.commit()
        ids = (hers.id, nobodys.id)

    await purge_expired(JobContext(runtime=client.app[JOB_RUNTIME], slot=NOW))

    async with session_maker(engine)() as session:
        kept, purged = [await session.get(Request, i) for i in ids]
        bodies = {m.request_id: m.body for m in (await session.exec(select(Message))).all()}
        [file] = (await session.exec(select(Person))).all()
    await engine.dispose()
    assert kept is not None
    assert purged is not None
    assert (kept.caller_number, kept.caller_name) == ("+33611000001", "Jeanne Roux")
    assert bodies[kept.id or 0] == "sortie jeudi"
    assert purged.caller_number is not None
    assert purged.caller_number.startswith("pseudo:")
    assert bodies[purged.id or 0] is None
    assert (file.family_name, file.pseudonymised_at) == ("Témoin", None)


async def test_messages_and_notes_go_at_their_own_time_before_who_called(
    client: TestClient, settings: Settings
) -> None:
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        request = await add_request(session, days=400, number="+33611000001", text="sortie")
        await session.commit()
        request_id = request.id

    detail = await purge_expired(JobContext(runtime=client.app[JOB_RUNTIME], slot=NOW))

    async with session_maker(engine)() as session:
        kept = await session.get(Request, request_id)
        [message] = (await session.exec(select(Message))).all()
        [note] = (await session.exec(select(RequestNote))).all()
    await engine.dispose()
    assert kept is not None
    assert (kept.caller_number, kept.pseudonymised_at) == ("+33611000001", None)
    assert kept.contents_purged_at == NOW
    assert (message.body, note.body) == (None, None)
    assert detail.startswith("0 request(s) pseudonymised, 1 emptied of messages")


async def test_a_person_file_loses_her_traits_after_her_last_contact_and_keeps_her_count(
    client: TestClient, settings: Settings
) -> None:
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        old = await add_request(session, days=800, number="+33611000001", text="a")
        recent = await add_request(session, days=100, number="+33611000002", text="b")
        forgotten = add_person(session, days=800)
        followed = add_person(session, days=800)
        await link(session, forgotten, [old])
        await link(session, followed, [old, recent])
        add_person(session, days=731)  # never linked
        await session.commit()

    detail = await purge_expired(JobContext(runtime=client.app[JOB_RUNTIME], slot=NOW))

    async with session_maker(engine)() as session:
        persons = (await session.exec(select(Person).order_by(col(Person.id)))).all()
        links = (await session.exec(select(RequestPerson))).all()
    await engine.dispose()
    first, second, third = persons
    assert (first.family_name, first.given_names, first.name_key, first.birth_date,
            first.commune_insee, first.commune_name, first.ins) == (None,) * 7  # fmt: skip
    assert (first.birth_year, first.sex, first.pseudonymised_at) == (1938, "female", NOW)
    assert second.family_name == "Témoin"
    assert third.pseudonymised_at == NOW  # created 731 days ago, no contact since
    assert len(links) == 3  # each person is still counted once, with her requests
    assert "2 person file(s) pseudonymised" in detail


async def test_what_is_written_under_a_purged_request_or_person_goes_at_the_next_pass(
    client: TestClient, settings: Settings
) -> None:
    """A mail that joins a thread already pseudonymised, a note added since, a name typed
    again on a pseudonymised request or person: none of it is kept past the next pass."""
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        request = await add_request(session, days=800, number="+33611000001", text="sortie")
        person = add_person(session, days=800)
        await link(session, person, [request])
        await session.commit()
    await purge_expired(JobContext(runtime=client.app[JOB_RUNTIME], slot=NOW))
    async with session_maker(engine)() as session:
        purged = await session.get(Request, request.id)
        assert purged is not None
        assert purged.pseudonymised_at == NOW
        session.add(Message(request_id=purged.id or 0, department="dac46", channel="mail",
                            direction="in", provider_id="<suite@cabinet-roux.mssante.fr>",
                            address="jeanne.roux@cabinet-roux.mssante.fr", at=NOW,
                            body="Ginette Témoin rentre chez elle"))  # fmt: skip
        session.add(RequestNote(request_id=purged.id or 0, at=NOW, author="amartin",
                                body="Ginette a rappelé"))  # fmt: skip
        purged.caller_name = "Jeanne Roux"
        again = await session.get(Person, person.id)
        assert again is not None
        again.family_name = "Témoin"
        session.add_all([purged, again])
        await session.commit()

    await purge_expired(JobContext(runtime=client.app[JOB_RUNTIME], slot=NOW + timedelta(days=1)))

    async with session_maker(engine)() as session:
        messages = (await session.exec(select(Message))).all()
        notes = (await session.exec(select(RequestNote))).all()
        after = await session.get(Request, request.id)
        file = await session.get(Person, person.id)
    await engine.dispose()
    assert [(m.body, m.address) for m in messages] == [(None, None), (None, None)]
    assert [m.provider_id for m in messages if m.channel == "mail"][0].startswith("pseudo:")  # type: ignore[union-attr]
    assert [n.body for n in notes] == [None, None]
    assert after is not None
    assert after.caller_name is None
    assert file is not None
    assert file.family_name is None
