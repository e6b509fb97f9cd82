"""A person's page (la personne concernée): her traits, her médecin traitant and referring
professional among the department's known contacts, the requests of her situation in order,
her non-oppositions with their history, how far her identity can be trusted (the document
checked, the INSi query: core.identity_status), what happened to her file, and merging another file
found by name into hers.

Staff of her department only (another department's person is a 404); every look is
journaled, every change is the store's (an event and an audit row).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from frontdoor.actions.actor import Refused
from frontdoor.actions.persons import record_identity_check
from frontdoor.console.auth import needs, viewer_of
from frontdoor.console.pages import render
from frontdoor.console.request_persons import (
    department_today,
    person_in_path,
    person_of_viewer,
    record_stances,
    traits_typed,
)
from frontdoor.core.access import Action
from frontdoor.core.consents import (
    INFORMED_HOW,
    current_stances,
    may_hand_off,
    stances_of,
    to_ask,
)
from frontdoor.core.identity_status import (
    DOCUMENT_LABELS,
    STATUS_LABELS,
    TYPED_FIELDS,
    identity_status,
)
from frontdoor.core.person_identity import (
    FIELD_LABELS,
    SEXES,
    MergeRefused,
    age_band_at,
)
from frontdoor.core.repeats import under_their_originals
from frontdoor.core.request_fields import AGE_BANDS, NON_OPPOSITIONS, STANCES
from frontdoor.keys import CLOCK, DEPARTMENTS, SESSIONS
from frontdoor.kit.bodies import as_id, read_form
from frontdoor.store.accounts import account_names
from frontdoor.store.models import Person, Request
from frontdoor.store.person_consents import stances_of_person
from frontdoor.store.person_files import (
    events_of_person,
    identity_check_of,
    journal_read,
    merge_persons,
    professionals_of,
    requests_of_person,
    search_persons,
    set_professionals,
    update_traits,
)

EVENT_LABELS = {
    "created": "Fiche créée",
    "changed": "Fiche modifiée",
    "linked": "Liée à une demande",
    "unlinked": "Déliée d'une demande",
    "merged": "Fusion de fiches",
    "informed": "Informée de l'action du DAC",
    "non-opposition": "Non-opposition recueillie",
}


def event_text(kind: str, detail: str | None) -> str:
    """An event's detail as the page says it (a change names fields: in French)."""
    if kind == "changed" and detail:
        return ", ".join(FIELD_LABELS.get(name, name) for name in detail.split(", "))
    return detail or ""


def _with_repeats_under(requests: list[Request]) -> list[Request]:
    by_id = {r.id or 0: r for r in requests}
    order = under_their_originals(by_id, {r.id or 0: r.repeat_of for r in requests})
    return [by_id[request_id] for request_id in order]


def _page(person: Person) -> str:
    return f"/console/personnes-concernees/{person.id}"


@needs(Action.READ_REQUEST)
async def show(request: web.Request) -> web.StreamResponse:
    return await _show(request)


@needs(Action.READ_REQUEST)
async def search_merge(request: web.Request) -> web.StreamResponse:
    """The page with the files found by the name typed to merge (`fusion`, #fusion). The name
    comes in the POST body with the CSRF token, never in a URL (browser history, logs, the
    sign-in's `suite=` and Referer headers keep URLs): the results are in the answer."""
    form = await read_form(request)
    return await _show(request, wanted=str(form.get("fusion", "")))


async def _show(request: web.Request, *, wanted: str = "") -> web.Response:
    viewer = viewer_of(request)
    now = request.config_dict[CLOCK]()
    wanted = wanted.strip()
    async with request.config_dict[SESSIONS]() as session:
        person = await person_in_path(request, session)
        if person.merged_into is not None:
            raise web.HTTPSeeOther(f"/console/personnes-concernees/{person.merged_into}")
        history = await stances_of_person(session=session, person_id=person.id or 0)
        situation = list(await requests_of_person(session=session, person_id=person.id))
        events = await events_of_person(session=session, person_id=person.id or 0)
        contacts = await professionals_of(session=session, department=person.department)
        names = await account_names(session=session, department=person.department)
        others = [
            other
            for other in await search_persons(
                session=session, department=person.department, query=wanted
            )
            if other.id != person.id
        ]
        for shown in (person, *others):
            journal_read(session, shown, account=viewer.login, at=now)
        await session.commit()
    department = request.config_dict[DEPARTMENTS].for_slug(person.department)
    stances = stances_of(history)
    today = department_today(request, person.department)
    return render(
        "person.html",
        request,
        {
            "person": person,
            "department": department,
            "age_band": AGE_BANDS[
                age_band_at(today, birth_date=person.birth_date, birth_year=person.birth_year)
            ],
            # Each repeat just under the request it repeats.
            "situation": _with_repeats_under(situation),
            "history": history,
            "current": current_stances(history),
            "to_ask": to_ask(stances),
            "hand_off": may_hand_off(stances),
            "events": [
                (
                    event,
                    EVENT_LABELS.get(event.kind, event.kind),
                    event_text(event.kind, event.detail),
                )
                for event in events
            ],
            "contacts": contacts,
            "names": names,  # the accounts' names by login, shown instead of logins
            "contact_names": {contact.id: contact.name for contact in contacts},
            "merge_query": wanted,
            "merge_candidates": others,
            "non_oppositions": NON_OPPOSITIONS,
            "stance_labels": STANCES,
            "informed_how": INFORMED_HOW,
            "sexes": SEXES,
            "identity_status": STATUS_LABELS[
                identity_status(identity_check_of(person), ins=person.ins)
            ],
            "identity_documents": DOCUMENT_LABELS,
        },
    )


@needs(Action.WORK_REQUEST)
async def change_traits(request: web.Request) -> web.StreamResponse:
    form = await read_form(request)
    async with request.config_dict[SESSIONS]() as session:
        person = await person_in_path(request, session)
        traits = traits_typed(request, form, person.department, refused="fiche non modifiée")
        update_traits(
            session=session,
            person=person,
            traits=traits,
            account=viewer_of(request).login,
            now=request.config_dict[CLOCK](),
        )
        await session.commit()
    raise web.HTTPSeeOther(_page(person))


def _contact(form: Any, name: str) -> int | None:
    typed = str(form.get(name, ""))
    if not typed:
        return None
    found = as_id(typed)
    if found is None:
        raise web.HTTPBadRequest(text="contact inconnu du département")
    return found


@needs(Action.WORK_REQUEST)
async def change_professionals(request: web.Request) -> web.StreamResponse:
    form = await read_form(request)
    async with request.config_dict[SESSIONS]() as session:
        person = await person_in_path(request, session)
        try:
            await set_professionals(
                session=session,
                person=person,
                gp_contact_id=_contact(form, "medecin"),
                referrer_contact_id=_contact(form, "adresseur"),
                account=viewer_of(request).login,
                now=request.config_dict[CLOCK](),
            )
        except LookupError:
            raise web.HTTPBadRequest(text="contact inconnu du département") from None
        await session.commit()
    raise web.HTTPSeeOther(_page(person))


@needs(Action.WORK_REQUEST)
async def record_non_oppositions(request: web.Request) -> web.StreamResponse:
    """Her stances, recorded on her file outside any request (a visit, a letter)."""
    form = await read_form(request)
    async with request.config_dict[SESSIONS]() as session:
        person = await person_in_path(request, session)
        await record_stances(request, session, person, None, form)
        await session.commit()
    raise web.HTTPSeeOther(_page(person) + "#non-oppositions")


@needs(Action.WORK_REQUEST)
async def check_identity(request: web.Request) -> web.StreamResponse:
    """What was checked of her identity: the document and when, the INSi query."""
    form = await read_form(request)
    async with request.config_dict[SESSIONS]() as session:
        person = await person_in_path(request, session)
        try:
            record_identity_check(
                session=session, person=person,
                typed={name: str(form.get(name, "")) for name in TYPED_FIELDS},
                today=department_today(request, person.department),
                account=viewer_of(request).login, at=request.config_dict[CLOCK](),
            )  # fmt: skip
        except Refused as refused:
            raise web.HTTPBadRequest(text=refused.reason) from None
        await session.commit()
    raise web.HTTPSeeOther(_page(person))


@needs(Action.WORK_REQUEST)
async def merge(request: web.Request) -> web.StreamResponse:
    """Another file (`autre`) was this person all along: merged into hers."""
    form = await read_form(request)
    async with request.config_dict[SESSIONS]() as session:
        kept = await person_in_path(request, session)
        absorbed = await person_of_viewer(request, session, as_id(str(form.get("autre", ""))))
        try:
            await merge_persons(
                session=session,
                kept=kept,
                absorbed=absorbed,
                account=viewer_of(request).login,
                now=request.config_dict[CLOCK](),
            )
        except MergeRefused as refused:
            raise web.HTTPBadRequest(text=f"fusion refusée : {refused}") from None
        await session.commit()
    raise web.HTTPSeeOther(_page(kept))


ROUTES = [
    ("GET", "/personnes-concernees/{person_id}", show),
    ("POST", "/personnes-concernees/{person_id}", search_merge),
    ("POST", "/personnes-concernees/{person_id}/identite", change_traits),
    ("POST", "/personnes-concernees/{person_id}/confiance-identite", check_identity),
    ("POST", "/personnes-concernees/{person_id}/professionnels", change_professionals),
    ("POST", "/personnes-concernees/{person_id}/non-oppositions", record_non_oppositions),
    ("POST", "/personnes-concernees/{person_id}/fusion", merge),
]
