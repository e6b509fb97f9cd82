"""The monthly tallies count exactly what the requests say, however they were written.

The reference is the plainest count there is: every request read back and counted in Python
with its department's zone. The store's counts (tallies written by triggers, then folded by
the indicator-tallies job) must equal it before a fold, after it, after corrections made
on top of folded months, and with several writers and folds at once.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from alembic import command
from sqlalchemy import String, cast, delete, func, insert, literal, text, update
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.core.accompanied import age_band_on, band_over_period, is_accompanied
from frontdoor.core.department import Department
from frontdoor.core.indicators import NOT_A_REQUEST, DepartmentCounts
from frontdoor.core.request_fields import AgeBand
from frontdoor.indicators.periods import Period
from frontdoor.indicators.queries import department_counts
from frontdoor.indicators.tallies import fold_changes
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.migrate import alembic_config, upgrade
from frontdoor.store.models import (
    CallbackTaskRow,
    KnownContact,
    Person,
    Request,
    RequestPerson,
    RequestResponse,
)
from frontdoor.store.tally_models import (
    PersonPeriodCount,
    PersonTally,
    RequestTally,
    RequestTallyChange,
)
from tests.indicators.test_queries import fill_with_random_year, random_year

PERIODS = ["2026", "2026-03", "2026-10", "2026-Q4", "2025-12"]


@dataclass(kw_only=True, frozen=True)
class Stored:
    """Everything the indicators read, as stored."""

    requests: list[Request]
    tasks: list[CallbackTaskRow]
    links: list[RequestPerson]
    persons: dict[int, Person]
    contacts: list[KnownContact]
    responses: list[RequestResponse]


def persons_reference(
    accompanied: list[Request], stored: Stored
) -> tuple[Counter[str], int, Counter[str], int]:
    """Persons by band, how many not identified, persons by problem, persons without any:
    a person once, in her highest band, with every problem of her requests; a request with
    no person as one person of its own."""
    linked: dict[int, list[Person]] = {}
    for link in stored.links:
        linked.setdefault(link.request_id, []).append(stored.persons[link.person_id])
    bands: dict[int, list[AgeBand]] = {}
    named: dict[int, set[str]] = {}
    by_band: Counter[str] = Counter()
    by_problem: Counter[str] = Counter()
    unidentified = without = 0
    for r in accompanied:
        day = r.received_at.astimezone(UTC).date()
        for person in linked.get(r.id or 0, []):
            who = person.merged_into or person.id or 0
            bands.setdefault(who, []).append(
                age_band_on(day, birth_date=person.birth_date, birth_year=person.birth_year,
                            stated=r.age_band)
            )  # fmt: skip
            named.setdefault(who, set()).update(r.problems or ())
        if not linked.get(r.id or 0):
            unidentified += 1
            by_band[age_band_on(day, birth_date=None, birth_year=None, stated=r.age_band)] += 1
            by_problem.update(set(r.problems or ()))
            without += not r.problems
    for who, seen in bands.items():
        by_band[band_over_period(seen)] += 1
        by_problem.update(named[who])
        without += not named[who]
    return by_band, unidentified, by_problem, without


def gps_reference(gp_values: set[tuple[str, str]], stored: Stored) -> Counter[str]:
    """Distinct GPs by how they are known: one per RPPS, else per contact, else per value."""
    known = {(c.department, c.number): c for c in stored.contacts if c.number}
    known |= {(c.department, c.address): c for c in stored.contacts if c.address}
    doctors = set()
    for key in gp_values:
        contact = known.get(key)
        if contact is not None and contact.rpps:
            doctors.add(("rpps", contact.rpps))
        elif contact is not None:
            doctors.add(("contact", str(contact.id)))
        else:
            doctors.add(("unidentified", key[1]))
    return Counter(how for how, _ in doctors)


def reference(stored: Stored, department: Department, period: Period) -> DepartmentCounts:
    """The counts of the department's requests received in the period, and of its callbacks
    due in it, one by one; a request counts once in each kind of response it got; a repeat
    counts in the load (channels, calls, hours) but not as a sollicitation."""
    rows, tasks = stored.requests, stored.tasks
    zone = department.calendar.timezone
    starts, ends = period.utc_bounds(zone)
    due = [t for t in tasks if t.department == department.slug and starts <= t.due_at < ends]
    mine = [r for r in rows if r.department == department.slug and starts <= r.received_at < ends]
    requests = [r for r in mine if r.referrer_type not in NOT_A_REQUEST]
    sollicitations = [r for r in requests if r.repeat_of is None]
    voice = [r for r in requests if r.channel == "voice"]
    local = [r.received_at.astimezone(zone) for r in requests]
    kinds: dict[int | None, set[str]] = {}
    for response in stored.responses:
        kinds.setdefault(response.request_id, set()).add(response.kind)
    answered: Counter[str | None] = Counter()
    for r in sollicitations:
        answered.update(kinds.get(r.id) or {None})
    accompanied = [
        r for r in requests
        if is_accompanied(referrer_type=r.referrer_type, response_kinds=kinds.get(r.id, ()))
    ]  # fmt: skip
    by_band, unidentified, by_problem, without = persons_reference(accompanied, stored)
    gps = {
        (r.department, r.caller_number or r.contact_address or "")
        for r in mine
        if r.referrer_type == "gp" and (r.caller_number or r.contact_address)
    }
    return DepartmentCounts(
        department=department.slug,
        name=department.name,
        referrers=dict(
            Counter(
                r.referrer_type
                for r in mine
                if r.repeat_of is None or r.referrer_type in NOT_A_REQUEST
            )
        ),
        repeats=len(requests) - len(sollicitations),
        responses=dict(answered),
        persons=dict(by_band),
        persons_unidentified=unidentified,
        person_problems=dict(by_problem),
        persons_without_problem=without,
        gps=dict(gps_reference(gps, stored)),
        channels=dict(Counter(r.channel for r in requests)),
        voice_outcomes=dict(Counter(r.outcome for r in voice)),
        out_of_hours=sum(1 for r in requests if r.out_of_hours),
        waits=dict(
            Counter(
                max(int(r.answered_at.timestamp()) - int(r.received_at.timestamp()), 0)
                for r in voice
                if r.answered_at is not None
            )
        ),
        by_hour=dict(Counter(at.hour for at in local)),
        by_weekday=dict(Counter(at.weekday() for at in local)),
        callbacks_due=len(due),
        callbacks_in_time=sum(
            1 for t in due if t.status == "done" and t.closed_at and t.closed_at <= t.due_at
        ),
    )


async def assert_counts_are_the_requests(
    engine: AsyncEngine, departments: list[Department], periods: list[str] = PERIODS
) -> None:
    async with session_maker(engine)() as session:
        stored = Stored(
            requests=list((await session.exec(select(Request))).all()),
            tasks=list((await session.exec(select(CallbackTaskRow))).all()),
            links=list((await session.exec(select(RequestPerson))).all()),
            persons={p.id or 0: p for p in (await session.exec(select(Person))).all()},
            contacts=list((await session.exec(select(KnownContact))).all()),
            responses=list((await session.exec(select(RequestResponse))).all()),
        )
        for code in periods:
            period = Period.parse(code)
            counted = await department_counts(session, departments=departments, period=period)
            for department, found in zip(departments, counted, strict=True):
                # The figures entered by the coordinator are not counted: read as they are.
                assert replace(found, figures=None) == reference(stored, department, period), (
                    department.slug,
                    code,
                )


async def fold_with_persons_tables_of_0021(
    engine: AsyncEngine, departments: list[Department]
) -> None:
    """Today's fold on a schema older than 0021, as the fold of then: the persons' tables
    made for it, their monthly tallies left in `request_tallies` as before 0021."""
    tables = [PersonTally.__table__, PersonPeriodCount.__table__]  # type: ignore[attr-defined]
    async with engine.begin() as connection:
        for table in tables:
            await connection.run_sync(table.create)
    await fold(engine, departments)
    async with engine.begin() as connection:
        await connection.execute(
            insert(RequestTally).from_select(
                ["department", "month", "measure", "value", "n"], select(*tables[0].c)
            )
        )
        for table in tables:
            await connection.run_sync(table.drop)


async def fold(engine: AsyncEngine, departments: list[Department]) -> int:
    folded = 0
    for department in departments:
        async with engine.begin() as connection:
            folded += await fold_changes(connection, department)
    return folded


async def count_rows(engine: AsyncEngine, table: type) -> int:
    async with session_maker(engine)() as session:
        return (await session.exec(select(func.count()).select_from(table))).one()


async def correct_at_random(engine: AsyncEngine, seed: int, how_many: int) -> None:
    """What referents, the retention purge and late status callbacks do to stored requests:
    one by one through the ORM, and in bulk statements."""
    rng = random.Random(seed)
    async with session_maker(engine)() as session:
        rows = list((await session.exec(select(Request))).all())
        for request in rng.sample(rows, how_many):
            change = rng.randrange(8)
            if change == 0:
                request.referrer_type = rng.choice(["gp", "nurse", "test", "carer"])
            elif change == 1:  # a response added, or the first one removed
                given = (
                    await session.exec(
                        select(RequestResponse).where(RequestResponse.request_id == request.id)
                    )
                ).first()
                if given is not None and rng.random() < 0.5:
                    await session.delete(given)
                else:
                    kind = rng.choice(["orientation", "information", "planning"])
                    at = request.received_at
                    session.add(RequestResponse(request_id=request.id or 0, kind=kind, at=at))
                request.age_band = rng.choice([None, "75-84"])
            elif change == 2:
                request.problems = rng.sample(["medical", "social", "housing"], rng.randrange(3))
            elif change == 3:
                request.outcome = "taken"
                request.answered_at = request.received_at + timedelta(seconds=rng.randrange(90))
            elif change == 4:
                request.caller_number = "pseudo:" + str(rng.randrange(10**6))
            elif change == 5:  # marked a repeat of another request of its department, or not
                earlier = [
                    r
                    for r in rows
                    if r.department == request.department and r.received_at < request.received_at
                ]
                if request.repeat_of is None and earlier:
                    request.repeat_of = rng.choice(earlier).id
                else:
                    request.repeat_of = None
            elif change == 6:
                request.closed_at = datetime(2026, 12, 1, tzinfo=UTC)  # counted nowhere
            else:  # followed up from now on: accompanied
                at = request.received_at
                session.add(RequestResponse(request_id=request.id or 0, kind="follow_up", at=at))
        await correct_persons_at_random(session, rng, how_many // 3)
        for task in rng.sample(list((await session.exec(select(CallbackTaskRow))).all()), 40):
            if rng.random() < 0.5:  # called back, in time or late
                task.status, task.closed_at = (
                    "done",
                    task.due_at + timedelta(hours=rng.choice([-1, 2])),
                )
            else:  # reopened, its deadline moved
                task.status, task.closed_at = "open", None
                task.due_at += timedelta(days=rng.randrange(40))
        await session.commit()
        # In bulk: every hospital call of March becomes a care home's, in one statement.
        await session.exec(
            update(Request)
            .where(
                col(Request.referrer_type) == "hospital",
                col(Request.received_at) >= datetime(2026, 3, 1, tzinfo=UTC),
                col(Request.received_at) < datetime(2026, 4, 1, tzinfo=UTC),
            )
            .values(referrer_type="care_home")
        )
        await session.commit()


async def correct_persons_at_random(
    session: AsyncSession, rng: random.Random, how_many: int
) -> None:
    """What referents do to persons and links: link a request to a person or unlink it,
    correct a birth date, merge two persons (her links moved or not), give a known GP his
    RPPS number; one by one, then persons and links in bulk statements."""
    requests = list((await session.exec(select(Request))).all())
    persons = list((await session.exec(select(Person))).all())
    for _ in range(how_many):
        change = rng.randrange(5)
        links = list((await session.exec(select(RequestPerson))).all())
        if change == 0:
            request = rng.choice(requests)
            person = rng.choice([p for p in persons if p.department == request.department])
            if not any(link.request_id == request.id and link.person_id == person.id
                       for link in links):  # fmt: skip
                link = RequestPerson(request_id=request.id or 0, person_id=person.id or 0,
                                     linked_at=request.received_at, linked_by="test")  # fmt: skip
                session.add(link)
        elif change == 1:
            await session.delete(rng.choice(links))
        elif change == 2:
            person = rng.choice(persons)
            person.birth_date = rng.choice([None, date(1941, 10, 15), date(2010, 2, 28)])
            person.birth_year = rng.choice([None, 1950, 2030])
        elif change == 3:
            merged, survivor = rng.sample(persons, 2)
            if survivor.merged_into is None and merged.department == survivor.department:
                merged.merged_into = survivor.id
                if rng.random() < 0.5:  # her links moved to the survivor
                    await session.exec(
                        update(RequestPerson)
                        .where(col(RequestPerson.person_id) == merged.id,
                               col(RequestPerson.request_id).not_in(
                                   select(RequestPerson.request_id).where(
                                       col(RequestPerson.person_id) == survivor.id)))
                        .values(person_id=survivor.id)
                    )  # fmt: skip
        else:
            contact = rng.choice(list((await session.exec(select(KnownContact))).all()))
            contact.rpps = rng.choice([None, "10000000001", "10000000099"])
        await session.commit()
    # In bulk: every person born in the 1930s gets only her birth year, and the links of
    # one person are all removed, in one statement each.
    await session.exec(
        update(Person)
        .where(col(Person.birth_date) < date(1940, 1, 1))
        .values(birth_date=None, birth_year=1935)
    )
    await session.exec(delete(RequestPerson).where(col(RequestPerson.person_id) == persons[0].id))
    await session.commit()


async def test_unfolded_changes_count_every_request(
    engine: AsyncEngine, chosen: list[Department]
) -> None:
    await fill_with_random_year(engine, seed=7)

    assert await count_rows(engine, RequestTally) == 0
    await assert_counts_are_the_requests(engine, chosen)


async def test_the_fold_moves_every_change_into_tallies_and_changes_nothing_counted(
    engine: AsyncEngine, chosen: list[Department]
) -> None:
    await fill_with_random_year(engine, seed=8)
    changes = await count_rows(engine, RequestTallyChange)

    assert await fold(engine, chosen) == changes
    assert await count_rows(engine, RequestTallyChange) == 0
    assert await fold(engine, chosen) == 0
    await assert_counts_are_the_requests(engine, chosen)


async def test_corrections_after_a_fold_count_on_top_of_it_then_fold_in(
    engine: AsyncEngine, chosen: list[Department]
) -> None:
    await fill_with_random_year(engine, seed=9)
    await fold(engine, chosen)

    await correct_at_random(engine, seed=9, how_many=300)
    await assert_counts_are_the_requests(engine, chosen)  # folded + changes since

    await fold(engine, chosen)
    await assert_counts_are_the_requests(engine, chosen)
    async with session_maker(engine)() as session:
        for table in (RequestTally, PersonTally):
            zeros = await session.exec(select(table).where(col(table.n) <= 0))
            assert zeros.all() == []


async def test_a_deleted_request_is_uncounted(
    engine: AsyncEngine, chosen: list[Department]
) -> None:
    await fill_with_random_year(engine, seed=10)
    await fold(engine, chosen)
    async with session_maker(engine)() as session:
        has_task = select(CallbackTaskRow.request_id)
        erased = select(Request.id).where(
            col(Request.channel) == "sms", col(Request.id).not_in(has_task)
        )
        # Their responses, links to persons and repeats go first (they refer to them), as an
        # erasure removes them: each removal is counted (their repeats become sollicitations),
        # then the request.
        for linked in (RequestResponse, RequestPerson):
            await session.exec(delete(linked).where(col(linked.request_id).in_(erased)))
        await session.exec(
            update(Request).where(col(Request.repeat_of).in_(erased)).values(repeat_of=None)
        )
        await session.exec(delete(Request).where(col(Request.id).in_(erased)))
        await session.commit()

    await assert_counts_are_the_requests(engine, chosen)
    await fold(engine, chosen)
    await assert_counts_are_the_requests(engine, chosen)


async def test_a_pseudonymised_gp_number_leaves_no_trace_once_folded(
    engine: AsyncEngine, chosen: list[Department]
) -> None:
    await fill_with_random_year(engine, seed=11)
    await fold(engine, chosen)
    async with session_maker(engine)() as session:
        numbers = set(
            (
                await session.exec(
                    select(Request.caller_number).where(col(Request.caller_number).is_not(None))
                )
            ).all()
        )
        await session.exec(
            update(Request)
            .where(col(Request.caller_number).is_not(None))
            .values(caller_number=literal("pseudo:").concat(cast(col(Request.id), String)))
        )
        await session.commit()
    await fold(engine, chosen)

    async with session_maker(engine)() as session:
        kept = set((await session.exec(select(RequestTally.value))).all())
        kept |= set((await session.exec(select(RequestTallyChange.value))).all())
    assert numbers
    assert kept.isdisjoint(numbers)
    await assert_counts_are_the_requests(engine, chosen)


async def test_writers_and_two_folds_at_once_lose_and_double_nothing(
    engine: AsyncEngine, chosen: list[Department]
) -> None:
    await fill_with_random_year(engine, seed=12)

    async def write(seed: int) -> None:
        rng = random.Random(seed)
        for _ in range(15):
            async with session_maker(engine)() as session:
                session.add(
                    Request(
                        department=rng.choice(["dac46", "dac57"]),
                        channel="voice",
                        referrer_type=rng.choice(["gp", "nurse", "silent"]),
                        caller_number=f"+3365555{rng.randrange(100):04d}",
                        received_at=datetime(2026, 10, 1, tzinfo=UTC)
                        + timedelta(minutes=rng.randrange(40_000)),
                    )
                )
                await session.commit()
            await asyncio.sleep(0)

    async def folds() -> None:
        for _ in range(5):
            await fold(engine, chosen)
            await asyncio.sleep(0)

    await asyncio.gather(write(1), write(2), folds(), folds())

    await assert_counts_are_the_requests(engine, chosen)
    await fold(engine, chosen)
    await assert_counts_are_the_requests(engine, chosen)


async def test_an_upgrade_counts_the_requests_already_stored(
    tmp_path: Path, postgres_database: str | None, chosen: list[Department]
) -> None:
    url = postgres_database or f"sqlite+aiosqlite:///{tmp_path / 'before.sqlite3'}"
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            if postgres_database:
                await connection.execute(text("DROP SCHEMA public CASCADE"))
                await connection.execute(text("CREATE SCHEMA public"))
            await connection.run_sync(lambda sync: command.upgrade(alembic_config(sync), "0008"))
        # A year of requests and callbacks stored before the tallies existed.
        requests, tasks, _responses = random_year(seed=13)  # none stored before 0017
        async with engine.begin() as connection:
            for request in requests:
                # Columns added after 0008 (empty here) are not in that schema.
                values = request.model_dump(
                    exclude={"id", "response_kinds", "repeat_of"}, exclude_none=True
                )
                row = await connection.execute(insert(Request).values(**values))
                request.id = row.inserted_primary_key[0]
            for index, task in tasks:
                values = task.model_dump(exclude={"id"}) | {"request_id": requests[index].id}
                await connection.execute(insert(CallbackTaskRow).values(**values))

        await upgrade(engine)

        await assert_counts_are_the_requests(engine, chosen)
        await fold(engine, chosen)
        await assert_counts_are_the_requests(engine, chosen)
    finally:
        await engine.dispose()


async def test_an_upgrade_to_person_tallies_counts_the_persons_already_linked(
    tmp_path: Path, postgres_database: str | None, chosen: list[Department]
) -> None:
    """0019: requests, their responses, persons and links stored under 0018 (with the
    per-request age bands and problems of then, folded and not) are counted in persons once
    upgraded."""
    url = postgres_database or f"sqlite+aiosqlite:///{tmp_path / 'before.sqlite3'}"
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            if postgres_database:
                await connection.execute(text("DROP SCHEMA public CASCADE"))
                await connection.execute(text("CREATE SCHEMA public"))
            await connection.run_sync(lambda sync: command.upgrade(alembic_config(sync), "0018"))
        await fill_with_random_year(engine, seed=14)
        # Today's fold writes the persons' tables of 0021 too: nothing in them under 0018
        # (no person tallies yet), so they are made for this fold and go before the upgrade.
        await fold_with_persons_tables_of_0021(engine, chosen)
        await fill_with_random_year(engine, seed=15, gps=False)  # not folded at the upgrade

        await upgrade(engine)

        async with session_maker(engine)() as session:
            measures = set((await session.exec(select(RequestTally.measure))).all())
            measures |= set((await session.exec(select(RequestTallyChange.measure))).all())
        assert measures.isdisjoint({"age_band", "problem", "without_problem"})
        await assert_counts_are_the_requests(engine, chosen)
        await fold(engine, chosen)
        await assert_counts_are_the_requests(engine, chosen)
    finally:
        await engine.dispose()
