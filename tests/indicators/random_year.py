"""A random year of requests of two departments, and the indicator table read back as values,
for the indicator tests."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Column, MetaData, Table, insert, inspect, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlmodel import SQLModel

from frontdoor.core.department import Department
from frontdoor.core.indicators import IndicatorTable
from frontdoor.core.referrers import ReferrerType
from frontdoor.core.request_fields import ResponseType
from frontdoor.departments import Departments
from frontdoor.indicators.periods import Period
from frontdoor.indicators.queries import indicator_table
from frontdoor.store.db import session_maker
from frontdoor.store.models import (
    CallbackTaskRow,
    KnownContact,
    Person,
    Request,
    RequestPerson,
    RequestResponse,
)


async def table_of(
    engine: AsyncEngine, departments: list[Department], period: str = "2026-10"
) -> IndicatorTable:
    async with session_maker(engine)() as session:
        return await indicator_table(session, departments=departments, period=Period.parse(period))


def values(table: IndicatorTable, section: str) -> dict[str, float | None]:
    return {line.key: line.value for line in table.section(section).lines if line.value}


def lot(departments: Departments) -> Department:
    found = departments.for_slug("dac46")
    assert found is not None
    return found


def moselle(departments: Departments) -> Department:
    found = departments.for_slug("dac57")
    assert found is not None
    return found


def random_year(
    seed: int,
) -> tuple[list[Request], list[tuple[int, CallbackTaskRow]], list[tuple[int, str]]]:
    """A year of varied requests (microseconds, DST nights, every code, some unknown ones),
    callback tasks and responses (none, one, or several, a kind twice), by index of their
    request."""
    rng = random.Random(seed)
    # The queue's columns from a generator of their own: the rest is what it was before them.
    queueing = random.Random(-seed - 1)
    start = datetime(2025, 12, 31, 20, tzinfo=UTC)
    requests, tasks, responses = [], [], []
    for index in range(1500):
        at = start + timedelta(
            seconds=rng.randrange(366 * 86400), microseconds=rng.randrange(10**6)
        )
        channel = rng.choice(["voice", "voice", "sms", "mail"])
        referrer = rng.choice([*(r.value for r in ReferrerType), "dentist"])
        taken = rng.random() < 0.6
        waited = channel == "voice" and queueing.random() < 0.3
        requests.append(
            Request(
                department=rng.choice(["dac46", "dac57"]),
                channel=channel,
                referrer_type=referrer,
                outcome="taken" if taken else rng.choice(["abandoned", "voicemail", "closed"]),
                out_of_hours=rng.random() < 0.2,
                received_at=at,
                answered_at=at + timedelta(seconds=rng.uniform(0, 120)) if taken else None,
                age_band=rng.choice([None, "85+", "60-74", "unknown"]),
                problems=rng.sample(["medical", "social", "carers", "housing"], rng.randrange(3)),
                caller_number=f"+3361234{rng.randrange(60):04d}" if channel != "mail" else None,
                contact_address=f"dr{rng.randrange(30)}@mssante.fr" if channel == "mail" else None,
                queue_wait_s=queueing.randrange(300) if waited else None,
                queue_abandoned=(not taken and queueing.random() < 0.5) if waited else None,
            )
        )
        kinds = [*(kind.value for kind in ResponseType), "other"]
        responses += [(index, rng.choice(kinds)) for _ in range(rng.choice([0, 0, 1, 1, 2, 3]))]
        if not taken and rng.random() < 0.7:
            due = at + timedelta(hours=4)
            closed = at + timedelta(minutes=rng.randrange(10, 600)) if rng.random() < 0.8 else None
            tasks.append(
                (
                    index,
                    CallbackTaskRow(
                        request_id=0, department=requests[-1].department, created_at=at,
                        due_at=due, status="done" if closed else "open", closed_at=closed,
                    ),
                )
            )  # fmt: skip
    return requests, tasks, responses


async def fill_with_random_year(engine: AsyncEngine, seed: int, *, gps: bool = True) -> None:
    """random_year's requests and tasks, one request in ten marked a repeat of an earlier one
    of its department (some of them repeats of repeats), persons of both departments linked
    to most requests (some merged into another), and (unless `gps` is false) the Lot's known
    GPs."""
    requests, tasks, responses = random_year(seed)
    rng = random.Random(seed)
    async with session_maker(engine)() as session:
        connection = await session.connection()  # the session's transaction: one commit
        request_ids = await insert_as_stored(connection, Request, requests)
        for request, request_id in zip(requests, request_ids, strict=True):
            request.id = request_id
        await insert_as_stored(connection, KnownContact, known_gps() if gps else [])
        table = Request.__table__  # type: ignore[attr-defined]
        persons = {slug: random_persons(rng, slug) for slug in ("dac46", "dac57")}
        for each in persons.values():
            for person, person_id in zip(
                each, await insert_as_stored(connection, Person, each), strict=True
            ):
                person.id = person_id
        # A request has earlier ones of its department when it came after the first. The
        # earlier ones are listed only for the repeats: a list for each of the 1,500 requests
        # took seconds, and the draws are the same.
        first: dict[str, datetime] = {}
        for request in requests:
            first[request.department] = min(
                first.get(request.department, request.received_at), request.received_at
            )
        for request in requests:
            if first[request.department] < request.received_at and rng.random() < 0.1:
                earlier = [
                    r
                    for r in requests
                    if r.department == request.department and r.received_at < request.received_at
                ]
                request.repeat_of = rng.choice(earlier).id
                await connection.execute(
                    update(table)
                    .where(table.c.id == request.id)
                    .values(repeat_of=request.repeat_of)
                )
        for index, task in tasks:
            task.request_id = requests[index].id or 0
            session.add(task)
        for index, kind in responses:
            request = requests[index]
            session.add(
                RequestResponse(request_id=request.id or 0, kind=kind, at=request.received_at)
            )
        people = Person.__table__  # type: ignore[attr-defined]
        for each in persons.values():
            for merged in rng.sample(each[10:], 4):
                merged.merged_into = rng.choice(each[:10]).id
                await connection.execute(
                    update(people)
                    .where(people.c.id == merged.id)
                    .values(merged_into=merged.merged_into)
                )
        for request in requests:
            linked = rng.choices([0, 1, 2], [35, 55, 10])[0]
            for person in rng.sample(persons[request.department], linked):
                session.add(
                    RequestPerson(
                        request_id=request.id or 0,
                        person_id=person.id or 0,
                        linked_at=request.received_at,
                        linked_by="test",
                    )
                )
        await session.commit()


def random_persons(rng: random.Random, department: str) -> list[Person]:
    """Persons of a department: a birth date, a birth year only, or neither."""
    persons = []
    for _ in range(40):
        born = date(1920, 1, 1) + timedelta(days=rng.randrange(100 * 365))
        known = rng.choice(["date", "date", "year", "none"])
        persons.append(
            Person(
                department=department,
                birth_date=born if known == "date" else None,
                birth_year=born.year if known != "none" else None,
                created_at=datetime(2025, 12, 1, tzinfo=UTC),
                created_by="test",
            )
        )
    return persons


async def insert_as_stored(
    connection: AsyncConnection, model: type[SQLModel], rows: Sequence[SQLModel]
) -> list[int]:
    """Insert the rows with the columns their table has, as a service of the database's
    revision would have (the upgrade tests store them under earlier revisions too); their
    ids, in order."""
    if not rows:
        return []
    today = model.__table__  # type: ignore[attr-defined]
    stored = await connection.run_sync(
        lambda sync: {column["name"] for column in inspect(sync).get_columns(today.name)}
    )
    # The table as stored: its columns with their types, without today's defaults (a default
    # would add its column to the INSERT).
    columns = [c for c in today.columns if c.name in stored]
    table = Table(today.name, MetaData(), *(Column(c.name, c.type, primary_key=c.primary_key)
                                            for c in columns))  # fmt: skip
    inserted = await connection.execute(
        insert(table).returning(table.c.id, sort_by_parameter_order=True),
        [{c.name: getattr(row, c.key) for c in columns if c.name != "id"} for row in rows],
    )
    return list(inserted.scalars().all())


def known_gps() -> list[KnownContact]:
    """GPs the Lot knows: numbers 0–11 of random_year's, addresses dr0–dr5; the RPPS of
    number 2k is also number 2k+1's and address drk's (one doctor, three rows); numbers 8–11
    and address dr5 have none."""

    def rpps(index: int) -> str | None:
        return f"1000000000{index}" if index < 4 else None

    return [
        KnownContact(department="dac46", number=f"+3361234{n:04d}", name=f"Dr {n}",
                     referrer_type="gp", rpps=rpps(n // 2))
        for n in range(12)
    ] + [
        KnownContact(department="dac46", address=f"dr{k}@mssante.fr", name=f"Dr {k}",
                     referrer_type="gp", rpps=rpps(k))
        for k in range(6)
    ]  # fmt: skip
