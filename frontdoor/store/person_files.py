"""Persons' files (la personne concernée): creating one from a request, changing her traits,
linking requests to her, finding her again by name or by who called, merging two files.

Every change writes a person event (what changed, never the values) and an audit row in the
caller's transaction; reads are journaled by `journal_read`. The decisions are the core's
(core.person_identity); the department check is the console's and the API's, which load a
person through `person_in` (None for another department's: a 404).

Not to be confused with store.persons: everything held about one number or address, for
the rights of access and erasure.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.core.identity_status import IdentityCheck, IdentityDocument
from frontdoor.core.listing import Mark
from frontdoor.core.numbers import is_withheld
from frontdoor.core.person_identity import (
    FIELD_LABELS,
    Candidate,
    MergePlan,
    MergeSide,
    Probe,
    Suggestion,
    Traits,
    changed_traits,
    matches_query,
    merge_plan,
    rank_suggestions,
    search_words,
)
from frontdoor.store.audit import record_access
from frontdoor.store.match import any_of, equal
from frontdoor.store.models import (
    KnownContact,
    NonOppositionRecord,
    Person,
    PersonEvent,
    Request,
    RequestPerson,
)
from frontdoor.store.pages import newest_first, older_than

MAX_FOUND = 20
MAX_CANDIDATES = 200


def trace(
    session: AsyncSession,
    person: Person,
    *,
    kind: str,
    account: str,
    at: datetime,
    request_id: int | None = None,
    detail: str | None = None,
) -> None:
    """A change to the person's file: its event, and its audit row, in one transaction."""
    session.add(PersonEvent(person_id=person.id or 0, request_id=request_id, at=at,
                            account=account, kind=kind, detail=detail))  # fmt: skip
    record_access(session=session, at=at, account=account, department=person.department,
                  request_id=request_id, action=f"person_{kind}",
                  detail=f"personne n° {person.id}")  # fmt: skip


def journal_read(
    session: AsyncSession,
    person: Person,
    *,
    account: str,
    at: datetime,
    request_id: int | None = None,
    action: str = "person_view",
) -> None:
    """A look at the person's file (her page, the API): the audit row, in the read's
    transaction."""
    record_access(session=session, at=at, account=account, department=person.department,
                  request_id=request_id, action=action,
                  detail=f"personne n° {person.id}")  # fmt: skip


async def person_in(
    *, session: AsyncSession, person_id: int, departments: Collection[str]
) -> Person | None:
    """The person if she is of one of these departments (None otherwise, or unknown)."""
    found = await session.get(Person, person_id)
    if found is None or found.department not in departments:
        return None
    return found


async def create_person(
    *,
    session: AsyncSession,
    department: str,
    traits: Traits,
    account: str,
    now: datetime,
    request: Request | None = None,
) -> Person:
    """A new file with the traits typed; linked to the request it was created from."""
    person = Person(department=department, name_key=traits.name_key, created_at=now,
                    created_by=account)  # fmt: skip
    for column, value in traits.as_fields().items():
        setattr(person, column, value)
    session.add(person)
    await session.flush()
    request_id = request.id if request is not None else None
    trace(session, person, kind="created", account=account, at=now, request_id=request_id)
    if request is not None:
        await link(session=session, request=request, person=person, account=account, now=now)
    return person


def update_traits(
    *, session: AsyncSession, person: Person, traits: Traits, account: str, now: datetime
) -> list[str]:
    """The traits as now typed; the names of those that changed (none: nothing written)."""
    wanted: dict[str, Any] = dict(traits.as_fields())
    if "ins" in wanted and wanted["ins"] != person.ins:
        wanted["insi_checked_on"] = None  # INSi was queried for the INS she had
    changed = changed_traits({name: getattr(person, name) for name in wanted}, wanted)
    if changed:
        for name in changed:
            setattr(person, name, wanted[name])
        person.name_key = traits.name_key
        person.updated_at = now
        session.add(person)
        trace(session, person, kind="changed", account=account, at=now,
              detail=", ".join(changed))  # fmt: skip
    return changed


def _changed(
    session: AsyncSession,
    person: Person,
    wanted: dict[str, Any],
    *,
    account: str,
    now: datetime,
) -> list[str]:
    """Her fields set to what is wanted, traced in her file; the fields that changed."""
    changed = changed_traits({name: getattr(person, name) for name in wanted}, wanted)
    if changed:
        for name in changed:
            setattr(person, name, wanted[name])
        person.updated_at = now
        session.add(person)
        trace(session, person, kind="changed", account=account, at=now,
              detail=", ".join(changed))  # fmt: skip
    return changed


def set_identity_check(
    *, session: AsyncSession, person: Person, check: IdentityCheck, account: str, now: datetime
) -> list[str]:
    """What was checked of her identity (core.identity_status); the fields that changed."""
    wanted = {
        "identity_document": check.document.value if check.document else None,
        "identity_checked_on": check.checked_on,
        "insi_checked_on": check.insi_on,
    }
    return _changed(session, person, wanted, account=account, now=now)


def identity_check_of(person: Person) -> IdentityCheck:
    return IdentityCheck(
        document=IdentityDocument(person.identity_document) if person.identity_document else None,
        checked_on=person.identity_checked_on,
        insi_on=person.insi_checked_on,
    )


async def professionals_of(*, session: AsyncSession, department: str) -> Sequence[KnownContact]:
    """The department's known contacts, by name: whom a file names as médecin traitant or
    referring professional."""
    result = await session.exec(
        select(KnownContact)
        .where(KnownContact.department == department)
        .order_by(col(KnownContact.name), col(KnownContact.id))
    )
    return result.all()


async def set_professionals(
    *,
    session: AsyncSession,
    person: Person,
    gp_contact_id: int | None,
    referrer_contact_id: int | None,
    account: str,
    now: datetime,
) -> list[str]:
    """The médecin traitant and the referring professional, among the department's known
    contacts; raises LookupError for a contact that is not one of them."""
    known = {c.id for c in await professionals_of(session=session, department=person.department)}
    wanted = {"gp_contact_id": gp_contact_id, "referrer_contact_id": referrer_contact_id}
    if any(value is not None and value not in known for value in wanted.values()):
        raise LookupError("contact inconnu du département")
    return _changed(session, person, wanted, account=account, now=now)


async def link(
    *, session: AsyncSession, request: Request, person: Person, account: str, now: datetime
) -> bool:
    """The request concerns the person (of its department); False when it already did."""
    if person.department != request.department:
        raise LookupError("personne d'un autre département")
    if await session.get(RequestPerson, (request.id, person.id)) is not None:
        return False
    session.add(RequestPerson(request_id=request.id or 0, person_id=person.id or 0,
                              linked_at=now, linked_by=account))  # fmt: skip
    trace(session, person, kind="linked", account=account, at=now, request_id=request.id,
          detail=f"demande n° {request.id}")  # fmt: skip
    return True


async def unlink(
    *, session: AsyncSession, request: Request, person: Person, account: str, now: datetime
) -> bool:
    """The request no longer concerns the person; False when it did not."""
    row = await session.get(RequestPerson, (request.id, person.id))
    if row is None:
        return False
    await session.delete(row)
    trace(session, person, kind="unlinked", account=account, at=now, request_id=request.id,
          detail=f"demande n° {request.id}")  # fmt: skip
    return True


async def persons_of_request(*, session: AsyncSession, request_id: int) -> Sequence[Person]:
    result = await session.exec(
        select(Person)
        .join(RequestPerson, col(RequestPerson.person_id) == col(Person.id))
        .where(RequestPerson.request_id == request_id)
        .order_by(col(RequestPerson.linked_at), col(Person.id))
    )
    return result.all()


async def requests_of_person(*, session: AsyncSession, person_id: int | None) -> Sequence[Request]:
    """Her situation: the requests about her, oldest first."""
    result = await session.exec(
        select(Request)
        .join(RequestPerson, col(RequestPerson.request_id) == col(Request.id))
        .where(RequestPerson.person_id == person_id)
        .order_by(col(Request.received_at), col(Request.id))
    )
    return result.all()


async def events_of_person(*, session: AsyncSession, person_id: int) -> Sequence[PersonEvent]:
    result = await session.exec(
        select(PersonEvent)
        .where(PersonEvent.person_id == person_id)
        .order_by(col(PersonEvent.at), col(PersonEvent.id))
    )
    return result.all()


def _active(department: str) -> ColumnElement[bool]:
    """Files one may link: of the department, neither merged away nor pseudonymised."""
    return and_(
        col(Person.department) == department,
        col(Person.merged_into).is_(None),
        col(Person.pseudonymised_at).is_(None),
    )


def _begins_a_name(word: str) -> ColumnElement[bool]:
    """name_key has a word beginning with `word` (folded: letters and digits only)."""
    return any_of(col(Person.name_key).like(f"{word}%"), col(Person.name_key).like(f"% {word}%"))


async def search_persons(
    *, session: AsyncSession, department: str, query: str, limit: int = MAX_FOUND
) -> list[Person]:
    """The department's persons every word of whose search begins one of her names."""
    words = search_words(query)
    if not words:
        return []
    result = await session.exec(
        select(Person)
        .where(_active(department), *(_begins_a_name(word) for word in words))
        .order_by(col(Person.name_key), col(Person.id))
        .limit(MAX_CANDIDATES)
    )
    return [p for p in result.all() if matches_query(p.name_key, query)][:limit]


async def _same_caller_ids(session: AsyncSession, request: Request) -> set[int]:
    """Persons linked to other requests from the request's number or address."""
    number = None if is_withheld(request.caller_number) else request.caller_number
    if number is None and not request.contact_address:
        return set()
    result = await session.exec(
        select(RequestPerson.person_id)
        .join(Request, col(Request.id) == col(RequestPerson.request_id))
        .where(
            Request.department == request.department,
            col(Request.id) != request.id,
            any_of(
                equal(Request.caller_number, number),
                equal(Request.contact_address, request.contact_address),
            ),
        )
    )
    return set(result.all())


async def suggestions_for(
    *, session: AsyncSession, request: Request, probe: Probe, limit: int = MAX_FOUND
) -> list[tuple[Person, Suggestion]]:
    """Persons the request may be about, ranked (core.person_identity.rank_suggestions):
    those already concerned by a request from the same caller, and those whose names begin
    as the probe's do. Persons already linked to the request are not suggested."""
    same_caller = await _same_caller_ids(session, request)
    words = (probe.name_key or "").split()
    named = any_of(*(_begins_a_name(word[:3]) for word in words))
    linked = select(RequestPerson.person_id).where(RequestPerson.request_id == request.id)
    result = await session.exec(
        select(Person)
        .where(
            _active(request.department),
            any_of(col(Person.id).in_(sorted(same_caller)), named),
            col(Person.id).not_in(linked),
        )
        .limit(MAX_CANDIDATES)
    )
    persons = {p.id or 0: p for p in result.all()}
    candidates = [
        Candidate(person_id=pid, name_key=p.name_key, birth_date=p.birth_date,
                  birth_year=p.birth_year, same_caller=pid in same_caller)
        for pid, p in persons.items()
    ]  # fmt: skip
    return [(persons[s.person_id], s) for s in rank_suggestions(candidates, probe)[:limit]]


def _side(person: Person) -> MergeSide:
    return MergeSide(
        person_id=person.id or 0,
        department=person.department,
        merged_into=person.merged_into,
        fields=person.model_dump(),
    )


async def merge_persons(
    *, session: AsyncSession, kept: Person, absorbed: Person, account: str, now: datetime
) -> MergePlan:
    """`absorbed` was `kept` all along: her requests, non-oppositions and events move to the
    kept file, whose blanks her traits fill; her row stays, merged_into the kept one, as the
    trace of the merge. Raises core.person_identity.MergeRefused."""
    plan = merge_plan(_side(kept), _side(absorbed))
    for name, value in plan.fills.items():
        setattr(kept, name, value)
    kept.updated_at = now
    session.add(kept)
    kept_requests = {
        r.id for r in await requests_of_person(session=session, person_id=kept.id or 0)
    }
    for row in await _rows(session, RequestPerson, RequestPerson.person_id, absorbed.id):
        await session.delete(row)
        if row.request_id not in kept_requests:
            moved_link = RequestPerson(
                request_id=row.request_id,
                person_id=kept.id or 0,
                linked_at=row.linked_at,
                linked_by=row.linked_by,
            )
            session.add(moved_link)
    moved: list[Any] = [
        *await _rows(session, NonOppositionRecord, NonOppositionRecord.person_id, absorbed.id),
        *await _rows(session, PersonEvent, PersonEvent.person_id, absorbed.id),
    ]
    for row in moved:
        row.person_id = kept.id
        session.add(row)
    absorbed.merged_into = kept.id
    absorbed.updated_at = now
    session.add(absorbed)
    filled = ", ".join(FIELD_LABELS[name] for name in plan.fills if name != "name_key")
    detail = f"fiche n° {absorbed.id} fusionnée ici" + (f" ; complété : {filled}" if filled else "")
    trace(session, kept, kind="merged", account=account, at=now, detail=detail[:200])
    trace(session, absorbed, kind="merged", account=account, at=now,
          detail=f"fusionnée dans la fiche n° {kept.id}")  # fmt: skip
    return plan


async def _rows(session: AsyncSession, model: Any, column: Any, value: object) -> list[Any]:
    return list((await session.exec(select(model).where(col(column) == value))).all())


@dataclass(kw_only=True, frozen=True)
class PersonFilters:
    """The API's filters on a department's persons (all optional)."""

    # Words each beginning one of her names, as the console's search reads them.
    named: str | None = None
    created_from: datetime | None = None
    created_until: datetime | None = None
    after: Mark | None = None


async def persons_page(
    *, session: AsyncSession, department: str, filters: PersonFilters, limit: int
) -> Sequence[Person]:
    """A page of the department's files, newest first (created_at, id): neither those merged
    into another (the other is the person) nor those pseudonymised."""
    query = select(Person).where(_active(department))
    if filters.named:
        query = query.where(*(_begins_a_name(word) for word in search_words(filters.named)))
    if filters.created_from is not None:
        query = query.where(col(Person.created_at) >= filters.created_from)
    if filters.created_until is not None:
        query = query.where(col(Person.created_at) < filters.created_until)
    if filters.after is not None:
        query = query.where(older_than(Person.created_at, Person.id, filters.after))
    result = await session.exec(
        query.order_by(*newest_first(Person.created_at, Person.id)).limit(limit)
    )
    return result.all()
