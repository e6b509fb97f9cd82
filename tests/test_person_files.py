"""Persons' files in the store, on SQLite and PostgreSQL: created from a request, found again
by name or by who called, merged, carrying their non-oppositions; every change an event
(never the values) and an audit row."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.core.consents import InformedHow, stances_of
from frontdoor.core.person_identity import MergeRefused, Probe, Traits
from frontdoor.core.request_fields import NonOpposition, Stance
from frontdoor.store.models import AuditEvent, NonOppositionRecord, Person, PersonEvent, Request
from frontdoor.store.person_consents import (
    record_informed,
    record_stance,
    stances_before_persons,
    stances_of_person,
)
from frontdoor.store.person_files import (
    create_person,
    events_of_person,
    link,
    merge_persons,
    person_in,
    persons_of_request,
    requests_of_person,
    search_persons,
    suggestions_for,
    unlink,
    update_traits,
)

NOW = datetime(2026, 5, 12, 9, 0, tzinfo=UTC)
REFERENT = "anne.martin@dac46.fr"
NURSE = "+33612000002"
MARIE = Traits(
    family_name="Dupont", given_names="Marie", birth_date=date(1942, 3, 1), birth_year=1942
)
SHARING = NonOpposition.SUPPORT_AND_SHARING


async def a_request(
    session: AsyncSession, *, number: str | None = NURSE, department: str = "dac46", days: int = 0
) -> Request:
    request = Request(
        department=department,
        channel="voice",
        caller_number=number,
        received_at=NOW + timedelta(days=days),
    )
    session.add(request)
    await session.flush()
    return request


async def test_a_person_created_from_a_request_is_linked_to_it_with_events_and_audit(
    session: AsyncSession,
) -> None:
    request = await a_request(session)

    person = await create_person(
        session=session,
        department="dac46",
        traits=MARIE,
        account=REFERENT,
        now=NOW,
        request=request,
    )
    await session.commit()

    assert person.name_key == "dupont marie"
    assert [p.id for p in await persons_of_request(session=session, request_id=request.id or 0)]
    events = await events_of_person(session=session, person_id=person.id or 0)
    assert [(e.kind, e.request_id, e.detail) for e in events] == [
        ("created", request.id, None),
        ("linked", request.id, f"demande n° {request.id}"),
    ]
    audit = (await session.exec(select(AuditEvent))).all()
    assert [(a.action, a.request_id) for a in audit] == [
        ("person_created", request.id),
        ("person_linked", request.id),
    ]


async def test_changed_traits_are_named_in_the_event_never_their_values(
    session: AsyncSession,
) -> None:
    person = await create_person(
        session=session, department="dac46", traits=MARIE, account=REFERENT, now=NOW
    )

    changed = update_traits(
        session=session,
        person=person,
        account=REFERENT,
        now=NOW,
        traits=Traits(
            family_name="Dupond",
            given_names="Marie",
            birth_date=date(1942, 3, 1),
            birth_year=1942,
            commune_name="Cahors",
        ),
    )
    unchanged = update_traits(
        session=session, person=person, traits=person_traits(person), account=REFERENT, now=NOW
    )
    await session.commit()

    assert changed == ["family_name", "commune_name"]
    assert unchanged == []
    assert person.name_key == "dupond marie"
    [_, event] = await events_of_person(session=session, person_id=person.id or 0)
    assert (event.kind, event.detail) == ("changed", "family_name, commune_name")


def person_traits(person: Person) -> Traits:
    return Traits(
        family_name=person.family_name,
        given_names=person.given_names,
        birth_date=person.birth_date,
        birth_year=person.birth_year,
        commune_name=person.commune_name,
    )


async def test_linking_twice_is_once_and_another_department_is_refused(
    session: AsyncSession,
) -> None:
    request = await a_request(session)
    elsewhere = await a_request(session, department="dac57")
    person = await create_person(
        session=session,
        department="dac46",
        traits=MARIE,
        account=REFERENT,
        now=NOW,
        request=request,
    )

    again = await link(session=session, request=request, person=person, account=REFERENT, now=NOW)

    assert again is False
    with pytest.raises(LookupError):
        await link(session=session, request=elsewhere, person=person, account=REFERENT, now=NOW)
    assert await person_in(session=session, person_id=person.id or 0, departments=["dac57"]) is None
    assert await unlink(session=session, request=request, person=person, account=REFERENT, now=NOW)
    assert await persons_of_request(session=session, request_id=request.id or 0) == []


async def test_a_search_finds_her_by_the_beginning_of_her_names_however_typed(
    session: AsyncSession,
) -> None:
    hers = await create_person(
        session=session,
        department="dac46",
        account=REFERENT,
        now=NOW,
        traits=Traits(family_name="de La Fontaine-Dupré", given_names="Hélène"),
    )
    await create_person(
        session=session, department="dac46", traits=MARIE, account=REFERENT, now=NOW
    )
    await create_person(
        session=session,
        department="dac57",
        account=REFERENT,
        now=NOW,
        traits=Traits(family_name="Fontaine", given_names="Helene"),
    )
    await session.commit()

    for typed in ("fontaine", "Helene Dupre", "LA FONTAINE", "dupré hél"):
        found = await search_persons(session=session, department="dac46", query=typed)
        assert [p.id for p in found] == [hers.id], typed
    assert await search_persons(session=session, department="dac46", query="  ") == []


async def test_suggestions_are_her_callers_persons_and_persons_of_the_same_name_and_birth(
    session: AsyncSession,
) -> None:
    earlier = await a_request(session, days=-30)
    mother = await create_person(
        session=session,
        department="dac46",
        account=REFERENT,
        now=NOW,
        request=earlier,
        traits=Traits(family_name="Roux", given_names="Rose"),
    )
    marie = await create_person(
        session=session, department="dac46", traits=MARIE, account=REFERENT, now=NOW
    )
    withheld = await a_request(session, number="anonymous", days=-20)
    await create_person(
        session=session,
        department="dac46",
        account=REFERENT,
        now=NOW,
        request=withheld,
        traits=Traits(family_name="Autre"),
    )
    now_calling = await a_request(session)
    from_nobody = await a_request(session, number="anonymous")
    await session.commit()

    suggested = await suggestions_for(
        session=session, request=now_calling, probe=Probe(name_key="dupont marie", birth_year=1942)
    )
    from_a_withheld_number = await suggestions_for(
        session=session, request=from_nobody, probe=Probe()
    )

    assert [(p.id, [r.code for r in s.reasons]) for p, s in suggested] == [
        (marie.id, ["same-identity"]),
        (mother.id, ["same-caller"]),
    ]
    assert from_a_withheld_number == []  # a withheld number is nobody in particular
    await link(session=session, request=now_calling, person=mother, account=REFERENT, now=NOW)
    suggested = await suggestions_for(session=session, request=now_calling, probe=Probe())
    assert suggested == []  # already linked: not suggested again


async def test_stances_are_carried_by_the_person_across_her_requests(
    session: AsyncSession,
) -> None:
    first = await a_request(session, days=-7)
    person = await create_person(
        session=session, department="dac46", traits=MARIE, account=REFERENT, now=NOW, request=first
    )
    for kind in NonOpposition:
        record_stance(
            session=session,
            person=person,
            request_id=first.id,
            kind=kind,
            stance=Stance.NOT_OPPOSED,
            informed_how=InformedHow.ORAL,
            account=REFERENT,
            now=NOW,
        )
    record_informed(
        session=session,
        person=person,
        request_id=first.id,
        how=InformedHow.SMS,
        template="information_dac",
        account=REFERENT,
        now=NOW,
    )
    await session.commit()

    history = await stances_of_person(session=session, person_id=person.id or 0)
    assert stances_of(history) == {kind: Stance.NOT_OPPOSED for kind in NonOpposition}
    assert {row.request_id for row in history} == {first.id}
    events = await events_of_person(session=session, person_id=person.id or 0)
    assert [(e.kind, e.detail) for e in events][-1] == ("informed", "sms : information_dac")
    assert await stances_before_persons(session=session, request_id=first.id or 0) == []


async def test_rows_from_before_persons_stay_on_their_request(session: AsyncSession) -> None:
    request = await a_request(session)
    session.add(
        NonOppositionRecord(
            request_id=request.id,
            kind=SHARING,
            stance="opposed",
            recorded_by=REFERENT,
            recorded_at=NOW,
        )
    )
    await session.commit()

    [row] = await stances_before_persons(session=session, request_id=request.id or 0)

    assert (row.person_id, row.stance) == (None, "opposed")


async def test_a_merge_keeps_every_link_stance_and_event_on_the_kept_file(
    session: AsyncSession,
) -> None:
    first, second, both = [await a_request(session, days=d) for d in (-9, -5, -1)]
    kept = await create_person(
        session=session,
        department="dac46",
        account=REFERENT,
        now=NOW,
        request=first,
        traits=Traits(family_name="Dupont", birth_year=1942),
    )
    absorbed = await create_person(
        session=session, department="dac46", traits=MARIE, account=REFERENT, now=NOW, request=second
    )
    await link(session=session, request=both, person=kept, account=REFERENT, now=NOW)
    await link(session=session, request=both, person=absorbed, account=REFERENT, now=NOW)
    record_stance(
        session=session,
        person=absorbed,
        request_id=second.id,
        kind=SHARING,
        stance=Stance.OPPOSED,
        informed_how=None,
        account=REFERENT,
        now=NOW,
    )

    plan = await merge_persons(
        session=session,
        kept=kept,
        absorbed=absorbed,
        account=REFERENT,
        now=NOW + timedelta(minutes=1),
    )
    await session.commit()

    assert plan.fills == {
        "given_names": "Marie",
        "birth_date": date(1942, 3, 1),
        "name_key": "dupont marie",
    }
    situation = await requests_of_person(session=session, person_id=kept.id)
    assert [r.id for r in situation] == [first.id, second.id, both.id]
    assert await requests_of_person(session=session, person_id=absorbed.id) == []
    history = await stances_of_person(session=session, person_id=kept.id or 0)
    assert stances_of(history) == {SHARING: Stance.OPPOSED}
    assert absorbed.merged_into == kept.id
    kept_events = await events_of_person(session=session, person_id=kept.id or 0)
    assert [e.kind for e in kept_events].count("created") == 2  # her history came along
    assert kept_events[-1].detail == (
        f"fiche n° {absorbed.id} fusionnée ici ; complété : prénoms, date de naissance"
    )
    [trace_left] = (
        await session.exec(select(PersonEvent).where(PersonEvent.person_id == absorbed.id))
    ).all()
    assert trace_left.detail == f"fusionnée dans la fiche n° {kept.id}"
    assert await search_persons(session=session, department="dac46", query="dupont") == [kept]


async def test_a_merge_across_departments_is_refused_and_changes_nothing(
    session: AsyncSession,
) -> None:
    here = await create_person(
        session=session, department="dac46", traits=MARIE, account=REFERENT, now=NOW
    )
    there = await create_person(
        session=session, department="dac57", traits=MARIE, account=REFERENT, now=NOW
    )

    with pytest.raises(MergeRefused):
        await merge_persons(session=session, kept=here, absorbed=there, account=REFERENT, now=NOW)

    assert there.merged_into is None
    merged = await session.exec(select(PersonEvent).where(col(PersonEvent.kind) == "merged"))
    assert merged.all() == []
