"""Linking a request to the person it is about (her file, of the same department): the link
is an event of her file (store.person_files), the opening of the request an audit row.
Recording what was checked of her identity (core.identity_status), from the console's page
or the API: each change an event of her file and an audit row."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.actions.actor import Actor, NotFound, Refused
from frontdoor.actions.opening import open_request
from frontdoor.core.identity_status import IdentityCheckError, parse_identity_check
from frontdoor.store.models import Person, Request
from frontdoor.store.person_files import link, person_in, set_identity_check


async def link_person(
    *, session: AsyncSession, actor: Actor, request_id: int | None, person_id: int | None,
    at: datetime,
) -> Request:  # fmt: skip
    """NotFound("personne introuvable") for a person the actor does not reach; Refused for a
    file merged into another."""
    found = await open_request(
        session=session, actor=actor, request_id=request_id, at=at, purpose="link_person"
    )
    person = None
    if person_id is not None:
        person = await person_in(
            session=session, person_id=person_id, departments=actor.departments
        )
    if person is None:
        raise NotFound("personne introuvable")
    if person.merged_into is not None:
        raise Refused("cette fiche a été fusionnée dans une autre", code="merged")
    try:
        await link(session=session, request=found, person=person, account=actor.login, now=at)
    except LookupError:
        raise NotFound("personne introuvable") from None
    await session.commit()
    return found


def record_identity_check(
    *, session: AsyncSession, person: Person, typed: Mapping[str, str], today: date,
    account: str, at: datetime,
) -> list[str]:  # fmt: skip
    """What was checked of her identity, as typed (`piece`, `controlee_le`, `insi_le`:
    core.identity_status.parse_identity_check), on her file; the fields that changed. Refused,
    in French, for what cannot be kept or a file merged into another. Not committed."""
    if person.merged_into is not None:
        raise Refused("cette fiche a été fusionnée dans une autre", code="merged")
    try:
        check = parse_identity_check(typed, today=today, ins=person.ins)
    except IdentityCheckError as error:
        raise Refused(f"identité non modifiée : {error}", code="invalid") from None
    return set_identity_check(session=session, person=person, check=check, account=account, now=at)
