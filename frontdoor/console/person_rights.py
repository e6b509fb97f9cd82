"""A person's rights when she is named in requests rather than their caller (a patient in her
GP's call): found by name on the rights page, then, once the coordinator picked her file among
those found, everything held about her, its export, its erasure (core.persons says what an
erasure of a person reaches and what it leaves).

Coordinators only, on their own department (another department's file is a 404). The name
searched travels in POST bodies with the CSRF token, never in a URL; every search, look,
export and erasure is journaled (the name as a pseudonym, the file by its id, the counts).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.console.auth import chosen_department, needs, viewer_of
from frontdoor.console.persons import erase_held, export_held, journal, page
from frontdoor.console.request_persons import department_today
from frontdoor.core.access import Action
from frontdoor.core.person_identity import TraitsError, parse_traits
from frontdoor.core.persons import Named, journal_detail
from frontdoor.core.retention import pseudonym
from frontdoor.keys import CLOCK, SESSIONS, SETTINGS
from frontdoor.kit.bodies import as_id, read_form
from frontdoor.store.audit import record_access
from frontdoor.store.models import Person
from frontdoor.store.person_files import journal_read, person_in
from frontdoor.store.persons import Held, held_of_person, persons_named

NAME_FIELDS = ("nom", "prenoms", "naissance", "annee")


def _named(request: web.Request, form: Any) -> tuple[Named, dict[str, str]]:
    """Whom the coordinator typed (and the fields as typed, to show them again)."""
    typed = {name: str(form.get(name, "")).strip() for name in NAME_FIELDS}
    department = chosen_department(request)
    try:
        traits = parse_traits(typed, today=department_today(request, department))
        named = Named(
            family_name=traits.family_name,
            given_names=traits.given_names,
            birth_date=traits.birth_date,
            birth_year=traits.birth_year,
        )
    except TraitsError as error:
        raise web.HTTPBadRequest(text=f"recherche impossible : {error}") from None
    except ValueError:
        raise web.HTTPBadRequest(text="un nom ou des prénoms sont nécessaires") from None
    return named, typed


@needs(Action.EXPORT_PERSON)
async def search_by_name(request: web.Request) -> web.StreamResponse:
    """The department's persons with exactly the name typed: listed, for the coordinator to
    pick one (each listed is a read of her file, journaled)."""
    named, typed = _named(request, await read_form(request))
    department = chosen_department(request)
    key = request.config_dict[SETTINGS].pseudonym_secret
    account = viewer_of(request).login
    at = request.config_dict[CLOCK]()
    async with request.config_dict[SESSIONS]() as session:
        found = await persons_named(session=session, department=department, named=named)
        detail = journal_detail(name=pseudonym(named.name_key, key), counts={"persons": len(found)})
        record_access(session=session, at=at, account=account, department=department,
                      action="person_search", detail=detail)  # fmt: skip
        for person in found:
            journal_read(session, person, account=account, at=at, action="person_search")
        await session.commit()
    return page(request, None, named=typed, found=found)


async def _held(request: web.Request, session: AsyncSession, form: Any) -> Held:
    """What is held about the file picked (of the department chosen: 404 otherwise)."""
    department = chosen_department(request)
    person_id = as_id(str(form.get("personne", "")))
    person: Person | None = None
    if person_id is not None:
        person = await person_in(session=session, person_id=person_id, departments=[department])
    if person is None:
        raise web.HTTPNotFound(text="personne introuvable")
    if person.merged_into is not None:
        raise web.HTTPBadRequest(text="cette fiche a été fusionnée dans une autre")
    return await held_of_person(session=session, department=department, person=person)


@needs(Action.EXPORT_PERSON)
async def show_person(request: web.Request) -> web.StreamResponse:
    """Everything held about the person picked: what an erasure will touch, and what not."""
    form = await read_form(request)
    async with request.config_dict[SESSIONS]() as session:
        held = await _held(request, session, form)
        journal(request, session, held, "person_search")
        await session.commit()
    return page(request, held)


@needs(Action.EXPORT_PERSON)
async def export_person(request: web.Request) -> web.StreamResponse:
    form = await read_form(request)
    return await export_held(request, lambda session: _held(request, session, form))


@needs(Action.ERASE_PERSON)
async def erase_person(request: web.Request) -> web.StreamResponse:
    form = await read_form(request)
    return await erase_held(request, form, lambda session: _held(request, session, form))


ROUTES = [
    ("POST", "/personnes/nom", search_by_name),
    ("POST", "/personnes/fiche", show_person),
    ("POST", "/personnes/fiche/export", export_person),
    ("POST", "/personnes/fiche/effacement", erase_person),
]
