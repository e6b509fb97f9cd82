"""The request page's "Personne(s) concernée(s)" block: the persons the request is about, the
persons suggested or found by name, a new person from the request, and the non-oppositions
each person carries (recorded once, shown on her next requests with where and when).

The page itself is request_page's; this module gives it its block's context
(`persons_block`) and handles the block's forms. Every person shown is journaled, every
change is the store's (store.person_files, store.person_consents): an event and an audit row.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from string import Template
from typing import Any

from aiohttp import web
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.actions import persons
from frontdoor.actions.actor import Refused
from frontdoor.actions.mail_answer import queue_to_contact, send_now
from frontdoor.actions.sms_answer import AnswerRefused, answer_by_sms
from frontdoor.console.auth import actor_of, needs, own_request, translated, viewer_of
from frontdoor.core.access import Action
from frontdoor.core.consents import INFORMED_HOW, InformedHow, current_stances, to_ask
from frontdoor.core.department import Department
from frontdoor.core.mail import reference
from frontdoor.core.person_identity import (
    SEXES,
    Probe,
    Traits,
    TraitsError,
    name_key,
    parse_traits,
)
from frontdoor.core.request_fields import NON_OPPOSITIONS, STANCES, NonOpposition, Stance
from frontdoor.keys import CLOCK, DEPARTMENTS, SESSIONS, SETTINGS
from frontdoor.kit.bodies import as_id, path_id, read_form
from frontdoor.kit.runtime import JOB_RUNTIME
from frontdoor.kit.twilio_accounts import twilio_api_for
from frontdoor.mailbox.texts import mail_texts
from frontdoor.sms.texts import default_texts, texts_for
from frontdoor.store.models import Person, Request
from frontdoor.store.person_consents import (
    record_informed,
    record_stance,
    stances_before_persons,
    stances_of_person,
)
from frontdoor.store.person_files import (
    create_person,
    journal_read,
    person_in,
    persons_of_request,
    search_persons,
    suggestions_for,
    unlink,
)

BLOCK = "#personnes"


def department_today(request: web.Request, department: str) -> date:
    """Today in the department's zone (a birth date is checked against it)."""
    served = request.config_dict[DEPARTMENTS].for_slug(department)
    now = request.config_dict[CLOCK]()
    return now.astimezone(served.calendar.timezone).date() if served else now.date()


async def persons_block(
    request: web.Request, session: AsyncSession, found: Request, *, typed: str = ""
) -> dict[str, Any]:
    """What the block shows, each person shown journaled in the page's transaction. `typed`
    is the name searched: it comes in the POST body of request_page.search, never in a URL."""
    viewer = viewer_of(request)
    now = request.config_dict[CLOCK]()
    linked = list(await persons_of_request(session=session, request_id=found.id or 0))
    files = []
    for person in linked:
        history = await stances_of_person(session=session, person_id=person.id or 0)
        current = current_stances(history)
        files.append(
            {
                "person": person,
                "current": current,
                "to_ask": to_ask({kind: Stance(row.stance) for kind, row in current.items()}),
            }
        )
    typed = typed.strip()
    probe = Probe(name_key=name_key(typed, None))
    suggested = await suggestions_for(session=session, request=found, probe=probe)
    shown = {person.id for person, _s in suggested} | {person.id for person in linked}
    results = [
        person
        for person in await search_persons(
            session=session, department=found.department, query=typed
        )
        if person.id not in shown
    ]
    for person in [*linked, *(p for p, _s in suggested), *results]:
        journal_read(session, person, account=viewer.login, at=now, request_id=found.id)
    return {
        "person_files": files,
        "suggestions": suggested,
        "search_results": results,
        "searched": typed,
        "older_stances": await stances_before_persons(session=session, request_id=found.id or 0),
        "non_oppositions": NON_OPPOSITIONS,
        "stance_labels": STANCES,
        "informed_how": INFORMED_HOW,
        "sexes": SEXES,
    }


def _back(found: Request, anchor: str = BLOCK) -> web.HTTPSeeOther:
    return web.HTTPSeeOther(f"/console/demandes/{found.id}{anchor}")


async def person_of_viewer(
    request: web.Request, session: AsyncSession, person_id: int | None
) -> Person:
    """A person of the viewer's departments (404 otherwise)."""
    person = (
        await person_in(
            session=session, person_id=person_id, departments=viewer_of(request).departments
        )
        if person_id is not None
        else None
    )
    if person is None:
        raise web.HTTPNotFound(text="personne introuvable")
    return person


async def person_in_path(request: web.Request, session: AsyncSession) -> Person:
    return await person_of_viewer(request, session, path_id(request, "person_id"))


@needs(Action.WORK_REQUEST)
async def link_person(request: web.Request) -> web.StreamResponse:
    form = await read_form(request)
    async with request.config_dict[SESSIONS]() as session, translated(request):
        try:
            found = await persons.link_person(
                session=session, actor=actor_of(request), request_id=path_id(request, "request_id"),
                person_id=as_id(str(form.get("personne", ""))), at=request.config_dict[CLOCK](),
            )  # fmt: skip
        except Refused as refused:
            raise web.HTTPBadRequest(text=refused.reason) from None
    raise _back(found)


@needs(Action.WORK_REQUEST)
async def unlink_person(request: web.Request) -> web.StreamResponse:
    async with request.config_dict[SESSIONS]() as session:
        found = await own_request(request, session, "unlink_person")
        person = await person_in_path(request, session)
        await unlink(
            session=session,
            request=found,
            person=person,
            account=viewer_of(request).login,
            now=request.config_dict[CLOCK](),
        )
        await session.commit()
    raise _back(found)


def traits_form(form: Any) -> dict[str, str]:
    return {
        name: str(form.get(name, ""))
        for name in ("nom", "prenoms", "naissance", "annee", "sexe", "commune", "insee", "ins")
    }


def traits_typed(request: web.Request, form: Any, department: str, *, refused: str) -> Traits:
    """The traits a referent typed, checked; a 400 in French beginning with `refused`
    otherwise (a file needs a name or a first name)."""
    try:
        traits = parse_traits(traits_form(form), today=department_today(request, department))
    except TraitsError as error:
        raise web.HTTPBadRequest(text=f"{refused} : {error}") from None
    if traits.name_key is None:
        raise web.HTTPBadRequest(text=f"{refused} : un nom ou un prénom est nécessaire")
    return traits


@needs(Action.WORK_REQUEST)
async def new_person(request: web.Request) -> web.StreamResponse:
    form = await read_form(request)
    async with request.config_dict[SESSIONS]() as session:
        found = await own_request(request, session, "new_person")
        traits = traits_typed(request, form, found.department, refused="personne non créée")
        await create_person(
            session=session,
            department=found.department,
            traits=traits,
            account=viewer_of(request).login,
            now=request.config_dict[CLOCK](),
            request=found,
        )
        await session.commit()
    raise _back(found)


def chosen_stances(form: Any) -> list[tuple[NonOpposition, Stance]]:
    """The stances the form sets: one select per non-opposition, left empty when unchanged."""
    chosen = []
    for kind in NonOpposition:
        value = str(form.get(kind.value, ""))
        if value:
            try:
                chosen.append((kind, Stance(value)))
            except ValueError:
                raise web.HTTPBadRequest(text="position inconnue") from None
    return chosen


def informed(form: Any) -> InformedHow | None:
    value = str(form.get("informe", ""))
    try:
        return InformedHow(value) if value else None
    except ValueError:
        raise web.HTTPBadRequest(text="manière d'informer inconnue") from None


async def record_stances(
    request: web.Request, session: AsyncSession, person: Person, request_id: int | None, form: Any
) -> int:
    """The stances chosen that differ from those in force, recorded on the person: how many."""
    chosen = chosen_stances(form)
    if not chosen:
        raise web.HTTPBadRequest(text="aucune position choisie")
    how = informed(form)
    if how is None:
        raise web.HTTPBadRequest(text="dites comment la personne a été informée")
    history = await stances_of_person(session=session, person_id=person.id or 0)
    current = {kind: row.stance for kind, row in current_stances(history).items()}
    changed = [(kind, stance) for kind, stance in chosen if current.get(kind) != stance]
    for kind, stance in changed:
        record_stance(
            session=session,
            person=person,
            request_id=request_id,
            kind=kind,
            stance=stance,
            informed_how=how,
            account=viewer_of(request).login,
            now=request.config_dict[CLOCK](),
        )
    return len(changed)


@needs(Action.WORK_REQUEST)
async def record_non_oppositions(request: web.Request) -> web.StreamResponse:
    """The person's stances, recorded on her file from this request."""
    form = await read_form(request)
    async with request.config_dict[SESSIONS]() as session:
        found = await own_request(request, session, "non_opposition")
        person = await person_of_viewer(request, session, as_id(str(form.get("personne", ""))))
        linked: Sequence[Person] = await persons_of_request(
            session=session, request_id=found.id or 0
        )
        if person.id not in {p.id for p in linked}:
            raise web.HTTPBadRequest(text="cette personne n'est pas liée à la demande")
        await record_stances(request, session, person, found.id, form)
        await session.commit()
    raise _back(found)


def _information(
    request: web.Request, department: Department, request_id: int
) -> tuple[str, str, str]:
    """The information texts (templates/sms and templates/mail, the department's own SMS
    text first): the SMS, the mail's subject and body (which names the request's reference)."""
    templates = request.config_dict[SETTINGS].templates_dir
    name = {"department": department.name}
    own = texts_for(default_texts(templates), department.sms_texts)
    sms = Template(own["information"]).safe_substitute(name)
    mail = mail_texts(templates)
    return (
        sms,
        Template(mail["information_subject"]).safe_substitute(name),
        Template(mail["information"]).safe_substitute(
            name, reference=reference(department.slug, request_id)
        ),
    )


@needs(Action.WORK_REQUEST)
async def inform(request: web.Request) -> web.StreamResponse:
    """The person is informed of the DAC's action: a document given, or the information text
    sent by SMS to the request's number or by mail to its secure address; her file records
    it with the template's name."""
    form = await read_form(request)
    how = informed(form)
    if how is None:
        raise web.HTTPBadRequest(text="dites comment la personne est informée")
    viewer = viewer_of(request)
    now = request.config_dict[CLOCK]()
    mail = None
    async with request.config_dict[SESSIONS]() as session:
        found = await own_request(request, session, "inform")
        person = await person_in_path(request, session)
        linked = await persons_of_request(session=session, request_id=found.id or 0)
        if person.id not in {p.id for p in linked}:
            raise web.HTTPBadRequest(text="cette personne n'est pas liée à la demande")
        department = request.config_dict[DEPARTMENTS].for_slug(found.department)
        if department is None:
            raise web.HTTPNotFound(text="demande introuvable")
        sms, subject, body = _information(request, department, found.id or 0)
        template = None
        if how is InformedHow.SMS:
            template = "information"
            try:
                await answer_by_sms(
                    session=session,
                    twilio_api=twilio_api_for(request.config_dict, department.slug),
                    department=department,
                    owner=found,
                    referent=viewer.referent_id or viewer.login,
                    body=sms,
                    now=now,
                    key=request.config_dict[SETTINGS].pseudonym_secret,
                )
            except AnswerRefused as refused:
                raise web.HTTPBadRequest(text=f"SMS non envoyé : {refused.reason}") from None
        elif how is InformedHow.MAIL:
            template = "information"
            if department.mailbox is None or not found.contact_address:
                raise web.HTTPBadRequest(text="pas d'adresse de messagerie sécurisée où écrire")
            mail = await queue_to_contact(
                session,
                department=department,
                owner=found,
                subject=f"{reference(department.slug, found.id or 0)} {subject}",
                body=body,
                kind="information",
                author=viewer.referent_id or viewer.login,
                now=now,
                instance=request.config_dict[SETTINGS].instance_name,
            )
        record_informed(
            session=session,
            person=person,
            request_id=found.id,
            how=how,
            template=template,
            account=viewer.login,
            now=now,
        )
        await session.commit()
    if mail is not None and department is not None:
        # Committed with her file's event: sent now, or by the mail-outbox job.
        await send_now(request.config_dict[JOB_RUNTIME], department, mail)
    raise _back(found)


ROUTES = [
    ("POST", "/demandes/{request_id}/personnes", link_person),
    ("POST", "/demandes/{request_id}/personnes/nouvelle", new_person),
    ("POST", "/demandes/{request_id}/personnes/{person_id}/retrait", unlink_person),
    ("POST", "/demandes/{request_id}/non-oppositions", record_non_oppositions),
    ("POST", "/demandes/{request_id}/personnes/{person_id}/information", inform),
]
