"""The department's known contacts in the console: listed, added (from a request: its number
or address and caller's name pre-filled), edited, removed, imported from a CSV.

A known contact's next call skips the menu and is named in the whisper: after each change
this instance's copy (store.known_callers) is refreshed at once, the others' within
FRONTDOOR_STORE_COPIES_REFRESH_S. Referents and coordinators of the department; every change
is journaled (who, which contact: "contact n° 12", never the number or name).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.console.auth import chosen_department, needs, own_request, viewer_of
from frontdoor.console.pages import render
from frontdoor.contacts import ContactError, checked_contact, decode, parse_contacts
from frontdoor.core.access import Action
from frontdoor.core.referrers import GROUP_LABELS, REFERRERS, ReferrerGroup
from frontdoor.keys import CLOCK, DEPARTMENTS, KNOWN_CALLERS, SESSIONS
from frontdoor.kit.bodies import as_id, path_id, read_form
from frontdoor.store.audit import record_access
from frontdoor.store.contacts import (
    contact_in,
    contacts_of,
    import_contacts,
    remove_contact,
    save_contact,
)
from frontdoor.store.models import KnownContact

MAX_IMPORT_BYTES = 1_000_000
FIELDS = ("numero", "adresse", "nom", "type", "rpps")


def referrer_choices() -> dict[str, list[tuple[str, str]]]:
    """The referrer types a contact may have, by national group."""
    choices: dict[str, list[tuple[str, str]]] = {}
    for code, info in REFERRERS.items():
        if info.group is not ReferrerGroup.UNKNOWN:
            choices.setdefault(GROUP_LABELS[info.group], []).append((code.value, info.label))
    return choices


def _journal(
    request: web.Request, session: AsyncSession, department: str, action: str, detail: str
) -> None:
    record_access(session=session, at=request.config_dict[CLOCK](),
                  account=viewer_of(request).login, department=department, action=action,
                  detail=detail)  # fmt: skip


def _list_url(department: str, **more: str) -> str:
    return "/console/contacts?" + urlencode({"departement": department, **more})


async def _contact(request: web.Request, session: AsyncSession) -> KnownContact:
    contact_id = path_id(request, "contact_id")
    found = None
    if contact_id is not None:
        found = await contact_in(
            session=session, departments=viewer_of(request).departments, contact_id=contact_id
        )
    if found is None:
        raise web.HTTPNotFound(text="contact introuvable")
    return found


def _form_of(contact: KnownContact | None) -> dict[str, str]:
    if contact is None:
        return {}
    return {
        "numero": contact.number or "",
        "adresse": contact.address or "",
        "nom": contact.name,
        "type": contact.referrer_type,
        "rpps": contact.rpps or "",
    }


def _page(request: web.Request, department: str, contacts: Any, **context: Any) -> web.Response:
    return render(
        "contacts.html",
        request,
        {"department": department, "contacts": contacts, "referrers": referrer_choices(),
         "labels_of": {code.value: info.label for code, info in REFERRERS.items()},
         "form": {}, "error": None, "problems": None, "imported": None,
         "saved": request.query.get("fait"), "from_request": None, "editing": None,
         **context},
        status=400 if context.get("error") else 200,
    )  # fmt: skip


@needs(Action.MANAGE_CONTACTS)
async def show(request: web.Request) -> web.StreamResponse:
    department = chosen_department(request)
    async with request.config_dict[SESSIONS]() as session:
        contacts = await contacts_of(session=session, department=department)
        _journal(request, session, department, "contacts_view", f"{len(contacts)} contacts")
        await session.commit()
    return _page(request, department, contacts)


@needs(Action.MANAGE_CONTACTS)
async def from_request(request: web.Request) -> web.StreamResponse:
    """The new contact's form, filled from a request: its number or address, its caller's
    name and referrer type (the referent completes and saves)."""
    async with request.config_dict[SESSIONS]() as session:
        # Journaled by the opener, as every reading of a request is.
        found = await own_request(request, session, "contact_from_request")
    form = {"numero": found.caller_number or "", "adresse": found.contact_address or "",
            "nom": found.caller_name or "",
            "type": "" if found.referrer_type == "unknown" else found.referrer_type}  # fmt: skip
    return _page(request, found.department, None, form=form, from_request=found.id)


@needs(Action.MANAGE_CONTACTS)
async def create(request: web.Request) -> web.StreamResponse:
    return await _save(request, editing=False)


@needs(Action.MANAGE_CONTACTS)
async def edit(request: web.Request) -> web.StreamResponse:
    async with request.config_dict[SESSIONS]() as session:
        contact = await _contact(request, session)
        _journal(request, session, contact.department, "contact_view", f"contact n° {contact.id}")
        await session.commit()
    return _page(request, contact.department, None, form=_form_of(contact), editing=contact)


@needs(Action.MANAGE_CONTACTS)
async def change(request: web.Request) -> web.StreamResponse:
    return await _save(request, editing=True)


async def _save(request: web.Request, *, editing: bool) -> web.StreamResponse:
    form = await read_form(request)
    typed = {name: str(form.get(name, "")) for name in FIELDS}
    origin = as_id(str(form.get("demande", "")))
    async with request.config_dict[SESSIONS]() as session:
        contact = await _contact(request, session) if editing else None
        department = contact.department if contact else chosen_department(request)
        try:
            row = checked_contact(number=typed["numero"], address=typed["adresse"],
                                  name=typed["nom"], referrer_type=typed["type"],
                                  rpps=typed["rpps"],
                                  region=_phone_region(request, department))  # fmt: skip
            saved = await save_contact(session=session, department=department, row=row,
                                       contact=contact)  # fmt: skip
        except ContactError as error:
            return _page(request, department, None, form=typed, error=str(error),
                         editing=contact, from_request=origin)  # fmt: skip
        action = "contact_changed" if contact else "contact_created"
        _journal(request, session, department, action, f"contact n° {saved.id}")
        await session.commit()
    await request.config_dict[KNOWN_CALLERS].refresh()
    raise web.HTTPSeeOther(_list_url(department, fait=str(saved.id)))


@needs(Action.MANAGE_CONTACTS)
async def remove(request: web.Request) -> web.StreamResponse:
    async with request.config_dict[SESSIONS]() as session:
        contact = await _contact(request, session)
        department, contact_id = contact.department, contact.id
        await remove_contact(session=session, contact=contact)
        _journal(request, session, department, "contact_removed", f"contact n° {contact_id}")
        await session.commit()
    await request.config_dict[KNOWN_CALLERS].refresh()
    raise web.HTTPSeeOther(_list_url(department))


def _phone_region(request: web.Request, slug: str) -> str:
    """Where the department's numbers written without "+" are read (core.numbers)."""
    department = request.config_dict[DEPARTMENTS].for_slug(slug)
    return department.phone_region if department else "FR"


@needs(Action.MANAGE_CONTACTS)
async def import_file(request: web.Request) -> web.StreamResponse:
    """A CSV as the CLI imports it: each good line kept, each refused one said, in French."""
    department = chosen_department(request)
    form = await read_form(request)
    sent = form.get("fichier")
    data = sent.file.read(MAX_IMPORT_BYTES + 1) if isinstance(sent, web.FileField) else b""
    if not data:
        data = str(form.get("lignes", "")).encode()
    if not data.strip() or len(data) > MAX_IMPORT_BYTES:
        raise web.HTTPBadRequest(text="un fichier CSV (1 Mo au plus) est nécessaire")
    rows, problems = parse_contacts(decode(data), _phone_region(request, department))
    async with request.config_dict[SESSIONS]() as session:
        imported = await import_contacts(session=session, department=department, rows=rows)
        problems = sorted([*problems, *imported.refused], key=lambda problem: problem.line)
        detail = (f"import : {imported.created} créés, {imported.updated} mis à jour, "
                  f"{len(problems)} lignes écartées")  # fmt: skip
        _journal(request, session, department, "contacts_imported", detail)
        await session.commit()
        contacts = await contacts_of(session=session, department=department)
    await request.config_dict[KNOWN_CALLERS].refresh()
    return _page(request, department, contacts, imported=imported, problems=problems)


ROUTES = [
    ("GET", "/contacts", show),
    ("POST", "/contacts", create),
    ("POST", "/contacts/import", import_file),
    ("GET", "/contacts/{contact_id}", edit),
    ("POST", "/contacts/{contact_id}", change),
    ("POST", "/contacts/{contact_id}/suppression", remove),
    ("GET", "/demandes/{request_id}/contact", from_request),
]
