"""What the retention purge finds due, class by class (core.retention says when each is):
the requests whose recording, call metadata or messages have passed their time, counted
from the person's last contact (the latest request linked to any person the request
concerns), and the persons whose file has.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.core.retention import (
    PSEUDONYM_PREFIX,
    DataClass,
    RetentionPolicy,
    due_of_request,
    person_file_due,
)
from frontdoor.store.erasure import PERSON_TRAITS
from frontdoor.store.models import Message, Person, Request, RequestNote, RequestPerson

BATCH = 500


@dataclass(kw_only=True, frozen=True)
class DueRequests:
    """One batch of requests, split by what of them is due; `last_id` to ask the next batch
    (None: there is none)."""

    call_metadata: Sequence[Request]
    contents: Sequence[Request]
    last_id: int | None


async def recordings_due(
    *, session: AsyncSession, department: str, policy: RetentionPolicy, now: datetime,
    after_id: int, exclude: Sequence[int] = (),
) -> list[Request]:  # fmt: skip
    """Requests past the recordings' time that still have one (at the provider or here)."""
    query = (
        select(Request)
        .where(
            Request.department == department,
            col(Request.received_at) < policy.cutoff(DataClass.RECORDINGS, now),
            or_(col(Request.recording_url).is_not(None), col(Request.recording_key).is_not(None)),
            col(Request.id) > after_id,
            col(Request.id).not_in(exclude),
        )
        .order_by(col(Request.id))
        .limit(BATCH)
    )
    return list((await session.exec(query)).all())


async def requests_due(
    *, session: AsyncSession, department: str, policy: RetentionPolicy, now: datetime,
    after_id: int,
) -> DueRequests:  # fmt: skip
    """The next batch of requests (by id, after `after_id`) whose call metadata or messages
    are due and not removed yet."""
    earliest = max(policy.cutoff(DataClass.CALL_METADATA, now),
                   policy.cutoff(DataClass.MESSAGES, now))  # fmt: skip
    candidates = list(
        (
            await session.exec(
                select(Request)
                .where(
                    Request.department == department,
                    col(Request.received_at) < earliest,  # a last contact is never earlier
                    or_(
                        col(Request.pseudonymised_at).is_(None),
                        col(Request.contents_purged_at).is_(None),
                    ),
                    col(Request.id) > after_id,
                )
                .order_by(col(Request.id))
                .limit(BATCH)
            )
        ).all()
    )
    contacts = await last_contacts(session=session, requests=candidates)
    metadata, contents = [], []
    for request in candidates:
        due = due_of_request(policy, received_at=request.received_at,
                             last_contact=contacts[request.id or 0], now=now)  # fmt: skip
        if DataClass.CALL_METADATA in due and request.pseudonymised_at is None:
            metadata.append(request)
        if DataClass.MESSAGES in due and request.contents_purged_at is None:
            contents.append(request)
    return DueRequests(
        call_metadata=metadata,
        contents=contents,
        last_id=candidates[-1].id if len(candidates) == BATCH else None,
    )


async def last_contacts(
    *, session: AsyncSession, requests: Sequence[Request]
) -> dict[int, datetime]:
    """For each request, the last contact of the persons it concerns: the latest request
    linked to any of them (itself, when it concerns nobody known)."""
    own = {request.id or 0: request.received_at for request in requests}
    mine, theirs = aliased(RequestPerson), aliased(RequestPerson)
    rows = await session.exec(
        select(mine.request_id, func.max(Request.received_at))
        .join(theirs, col(theirs.person_id) == col(mine.person_id))
        .join(Request, col(Request.id) == col(theirs.request_id))
        .where(col(mine.request_id).in_(list(own)))
        .group_by(col(mine.request_id))
    )
    for request_id, latest in rows.all():
        own[request_id] = max(own[request_id], latest)
    return own


async def persons_due(
    *, session: AsyncSession, department: str, policy: RetentionPolicy, now: datetime
) -> list[Person]:
    """Persons whose file's time has passed since their last contact (the latest request
    linked to them, else the file's creation), not yet pseudonymised."""
    latest = (
        select(RequestPerson.person_id, func.max(Request.received_at).label("latest"))
        .join(Request, col(Request.id) == col(RequestPerson.request_id))
        .group_by(col(RequestPerson.person_id))
        .subquery()
    )
    rows = await session.exec(
        select(Person, latest.c.latest)
        .outerjoin(latest, latest.c.person_id == col(Person.id))
        .where(
            Person.department == department,
            col(Person.pseudonymised_at).is_(None),
            col(Person.created_at) < policy.cutoff(DataClass.PERSON_FILES, now),
        )
        .order_by(col(Person.id))
    )
    return [
        person
        for person, last in rows.all()
        if person_file_due(policy, last_contact=max(last or person.created_at, person.created_at),
                           now=now)
    ]  # fmt: skip


async def persons_written_after_purge(*, session: AsyncSession, department: str) -> list[Person]:
    """Pseudonymised persons whose file holds a trait again: their next purge removes it."""
    query = select(Person).where(
        Person.department == department,
        col(Person.pseudonymised_at).is_not(None),
        or_(*(col(getattr(Person, trait)).is_not(None) for trait in PERSON_TRAITS)),
    )
    return list((await session.exec(query.order_by(col(Person.id)))).all())


async def written_after_purge(*, session: AsyncSession, department: str) -> DueRequests:
    """Requests already purged that hold something identifying again: a pseudonymised one
    with a caller's name, number or address in clear; one whose contents went with a text or
    an address (a mail that joined the thread, a note added since). The next purge removes it."""
    texts = select(Message.request_id).where(
        or_(col(Message.body).is_not(None), col(Message.address).is_not(None))
    )
    notes = select(RequestNote.request_id).where(col(RequestNote.body).is_not(None))
    contents = await session.exec(
        select(Request)
        .where(
            Request.department == department,
            col(Request.contents_purged_at).is_not(None),
            or_(col(Request.id).in_(texts), col(Request.id).in_(notes)),
        )
        .order_by(col(Request.id))
    )
    in_clear = await session.exec(
        select(Request)
        .where(
            Request.department == department,
            col(Request.pseudonymised_at).is_not(None),
            or_(
                col(Request.caller_name).is_not(None),
                col(Request.caller_number).not_like(PSEUDONYM_PREFIX + "%"),
                col(Request.contact_address).not_like(PSEUDONYM_PREFIX + "%"),
            ),
        )
        .order_by(col(Request.id))
    )
    return DueRequests(call_metadata=list(in_clear.all()), contents=list(contents.all()),
                       last_id=None)  # fmt: skip
