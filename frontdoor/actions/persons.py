"""Linking a request to the person it is about (her file, of the same department): the link
is an event of her file (store.person_files), the opening of the request an audit row."""

from __future__ import annotations

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.actions.actor import Actor, NotFound, Refused
from frontdoor.actions.opening import open_request
from frontdoor.store.models import Request
from frontdoor.store.person_files import link, person_in


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
