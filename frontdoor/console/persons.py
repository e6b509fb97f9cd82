"""A person's rights over their data: everything held about one number or address, as JSON
(access, portability), and its erasure (the requests stay, pseudonymised, for the indicators).

Coordinators only, on their own department. What is found is exactly what the identifiers
given name (core.persons, store.persons): the page shows it, the export contains it, the
erasure removes it. An erasure is confirmed with the fingerprint of the preview it was asked
from: when the data changed meanwhile, the preview is shown again. Every search, export and
erasure is journaled (the identifiers as pseudonyms, and how many rows), with one line per
request it reached.

The number or address searched travels in the body of POST forms (with the console's CSRF
token), never in a URL: browser history, proxies' and servers' logs keep URLs.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.console.auth import chosen_department, needs, viewer_of
from frontdoor.console.pages import render
from frontdoor.core.access import Action
from frontdoor.core.persons import Identifiers, journal_detail, names_person
from frontdoor.core.retention import CLASS_RULES, pseudonym
from frontdoor.directory.imported import e164
from frontdoor.indicators.tallies import fold_changes
from frontdoor.keys import CLOCK, DEPARTMENTS, ENGINE, SESSIONS, SETTINGS
from frontdoor.kit.bodies import read_form
from frontdoor.kit.twilio_accounts import twilio_api_for
from frontdoor.kit.twilio_webhook import JOURNAL
from frontdoor.outbound.errors import OutboundError
from frontdoor.store.attachments import FolderStore
from frontdoor.store.audit import record_access
from frontdoor.store.db import flush_erased
from frontdoor.store.erasure import (
    delete_at_the_provider,
    deleted_at_the_provider,
    forget_recording,
    locked_for_erasure,
    recordings_at_the_provider,
    remove_person,
)
from frontdoor.store.journal import Entry
from frontdoor.store.models import Person
from frontdoor.store.persons import Held, held_about
from frontdoor.store.recordings import RecordingStore
from frontdoor.store.requests import public_request

CONFIRMATION = "EFFACER"


def _who(source: Any) -> Identifiers:
    typed = str(source.get("numero", "")).strip()
    # As the store holds it (E.164), however the person typed it: "06 11 22 33 44", "+33 6…".
    number = (e164(typed) or typed) or None
    address = str(source.get("adresse", "")).strip().lower() or None
    try:
        return Identifiers(number=number, address=address)
    except ValueError:
        raise web.HTTPBadRequest(text="un numéro ou une adresse est nécessaire") from None


async def _held(request: web.Request, session: AsyncSession, who: Identifiers) -> Held:
    return await held_about(
        session=session,
        department=chosen_department(request),
        who=who,
        key=request.config_dict[SETTINGS].pseudonym_secret,
    )


def journal(request: web.Request, session: AsyncSession, held: Held, action: str) -> None:
    """One line for what was asked (pseudonyms or the file's id, counts), one per request it
    reached."""
    key = request.config_dict[SETTINGS].pseudonym_secret
    who = held.who
    account = viewer_of(request).login
    at = request.config_dict[CLOCK]()
    detail = journal_detail(
        number=pseudonym(who.number, key) if who and who.number else None,
        address=pseudonym(who.address, key) if who and who.address else None,
        person_id=held.persons[0].id if held.persons else None,
        counts=held.counts(),
    )
    record_access(session=session, at=at, account=account, department=held.department,
                  action=action, detail=detail)  # fmt: skip
    for found in held.requests:
        record_access(session=session, at=at, account=account, department=held.department,
                      request_id=found.id, action=action)  # fmt: skip


def _in_journal(held: Held) -> Callable[[Entry], bool]:
    """The outage journal's entries an erasure of `held` reaches: the caller's calls and
    SMS (her number), every step of her calls (a referent's leg comes from the department's
    number, and its answer may name her), and the texts, sent or answered, naming one of the
    person's files (core.persons)."""
    number = held.who.number if held.who is not None else None
    calls = {found.call_sid for found in held.requests if found.call_sid}
    names = [(file.family_name, file.given_names) for file in (*held.persons, *held.caller_files)]

    def picked(entry: Entry) -> bool:
        if number is not None and entry.carries(number):
            return True
        if any(entry.form.get(field) in calls for field in ("CallSid", "ParentCallSid")):
            return True
        return any(
            names_person(text, family_name=family, given_names=given)
            for text in (*entry.form.values(), entry.answer)
            for family, given in names
        )

    return picked


def _preview(held: Held) -> dict[str, Any]:
    """What the page shows an erasure will touch, request by request."""
    attachments = held.attachments
    return {
        "requests": [
            {
                "request": found,
                "messages": len(held.of_request(held.messages, found)),
                "notes": len(held.of_request(held.notes, found)),
                "attachments": [a.text for a in attachments if a.request_id == found.id],
                "task": next(iter(held.of_request(held.tasks, found)), None),
            }
            for found in held.requests
        ],
        "contacts": held.contacts,
        "outbox": held.outbox,
        "receipts": len(held.receipts),
        "written_elsewhere": len(held.written_elsewhere),
        "opt_out": bool(held.opt_outs),
        "counts": held.counts(),
        "persons": held.persons,
        "person_events": len(held.person_events),
        "non_oppositions": len(held.non_oppositions),
        "professionals": held.professionals,
        "caller_files": held.caller_files,
        "other_files": held.other_files,
    }


@needs(Action.EXPORT_PERSON)
async def show(request: web.Request) -> web.StreamResponse:
    """The search form (and what an erasure just did); identifiers in the query are ignored."""
    return page(request, None)


@needs(Action.EXPORT_PERSON)
async def search(request: web.Request) -> web.StreamResponse:
    who = _who(await read_form(request))
    async with request.config_dict[SESSIONS]() as session:
        held = await _held(request, session, who)
        journal(request, session, held, "person_search")
        await session.commit()
    return page(request, held)


def page(
    request: web.Request,
    held: Held | None,
    *,
    changed: bool = False,
    named: dict[str, str] | None = None,
    found: Sequence[Person] | None = None,
) -> web.Response:
    """The rights page: the search forms, what is held (a preview), or the persons a name
    found (`found`, for the coordinator to pick one)."""
    department = chosen_department(request)
    served = request.config_dict[DEPARTMENTS].for_slug(department)
    assert served is not None, "a department chosen is served"
    who = held.who if held else None
    return render(
        "persons.html",
        request,
        {
            "department": department,
            # Not "number": the name of the helper that writes numbers (console/app.py).
            "searched_number": (who.number if who else None) or "",
            "address": (who.address if who else None) or "",
            "person": held.persons[0] if held and held.persons else None,
            "named": named or {},
            "found": found,
            "held": _preview(held) if held else None,
            "digest": held.digest() if held else "",
            "waiting": request.config_dict[JOURNAL].waiting_in_folder(_in_journal(held))
            if held
            else 0,
            "confirmation": CONFIRMATION,
            "done": request.query.get("fait"),
            "changed": changed,
            "timezone": served.calendar.timezone,
            "retention": [
                (rule.label, served.retention.days(rule.data_class), rule.counted_from)
                for rule in CLASS_RULES
            ],
        },
    )


def _exported(held: Held) -> list[dict[str, Any]]:
    attachments = held.attachments

    def rows(models: Any) -> list[dict[str, Any]]:
        return [row.model_dump(mode="json") for row in models]

    return [
        {
            **public_request(found),
            "events": rows(held.of_request(held.events, found)),
            "messages": rows(held.of_request(held.messages, found)),
            "notes": rows(held.of_request(held.notes, found)),
            "non_oppositions": rows(held.of_request(held.non_oppositions, found)),
            "callback_tasks": rows(held.of_request(held.tasks, found)),
            "attachments": [a.text for a in attachments if a.request_id == found.id],
        }
        for found in held.requests
    ]


def _person_files(held: Held) -> dict[str, Any]:
    """Her file (and those merged into it), their events, her non-oppositions."""
    if not held.persons:
        return {
            "person_files_of_the_caller": [p.model_dump(mode="json") for p in held.caller_files]
        }

    def rows(models: Any) -> list[dict[str, Any]]:
        return [row.model_dump(mode="json") for row in models]

    return {
        "person_files": rows(held.persons),
        "person_events": rows(held.person_events),
        "person_non_oppositions": rows(held.non_oppositions),
        "linked_requests": [link.request_id for link in held.links],
    }


Load = Callable[[AsyncSession], Awaitable[Held]]


async def export_held(request: web.Request, load: Load) -> web.StreamResponse:
    """The JSON of everything `load` finds, journaled."""
    department = chosen_department(request)
    now = request.config_dict[CLOCK]()
    async with request.config_dict[SESSIONS]() as session:
        held = await load(session)
        who = held.who
        body = {
            "department": department,
            "exported_at": now.astimezone(UTC).isoformat(),
            "exported_by": viewer_of(request).login,
            "number": who.number if who else None,
            "address": who.address if who else None,
            **_person_files(held),
            "known_contacts": [contact.model_dump(mode="json") for contact in held.contacts],
            "sms_opt_out": bool(held.opt_outs),
            "requests": _exported(held),
            "messages_under_other_requests": [
                message.model_dump(mode="json") for message in held.written_elsewhere
            ],
            "mails_to_send_or_sent": [
                row.model_dump(mode="json", exclude={"claimed_by", "claimed_until"})
                for row in held.outbox
            ],
        }
        journal(request, session, held, "export")
        await session.commit()
    stamp = now.astimezone(UTC).strftime("%Y%m%d")
    return web.Response(
        text=json.dumps(body, ensure_ascii=False, indent=2),
        content_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="frontdoor-{department}-{stamp}.json"',
            "Cache-Control": "no-store",
        },
    )


@needs(Action.EXPORT_PERSON)
async def export(request: web.Request) -> web.StreamResponse:
    who = _who(await read_form(request))
    return await export_held(request, lambda session: _held(request, session, who))


@needs(Action.ERASE_PERSON)
async def erase(request: web.Request) -> web.StreamResponse:
    form = await read_form(request)
    who = _who(form)
    return await erase_held(request, form, lambda session: _held(request, session, who))


async def erase_held(request: web.Request, form: Any, load: Load) -> web.StreamResponse:
    """Erase what `load` finds, when it is what the coordinator saw (the preview's
    fingerprint) and confirmed; otherwise the preview again. No connection of the store waits
    for the provider: what is held is read and checked, its recordings are deleted at the
    provider, then it is read and checked again and erased in one transaction."""
    department = chosen_department(request)
    if str(form.get("confirmation", "")).strip() != CONFIRMATION:
        raise web.HTTPBadRequest(text=f"tapez {CONFIRMATION} pour confirmer l'effacement")
    settings = request.config_dict[SETTINGS]
    async with request.config_dict[SESSIONS]() as session:
        held = await load(session)
        _wait_for_the_journal(request, held)
        if not _as_previewed(form, held):
            return await _shown_again(request, session, held)
        at_the_provider = recordings_at_the_provider(held.requests)
    await _delete_at_the_provider(request, department, at_the_provider)
    async with request.config_dict[SESSIONS]() as session:
        # Read again: a contact, a voicemail or a change may have come while the provider
        # deleted.
        held = await load(session)
        await locked_for_erasure(session, [found.id or 0 for found in held.requests])
        in_journal = _wait_for_the_journal(request, held)  # before her traits go
        deleted = all(deleted_at_the_provider(found, at_the_provider) for found in held.requests)
        if not (_as_previewed(form, held) and deleted):
            # A recording arrived meanwhile leaves the fingerprint as it was: confirmed again,
            # it is deleted at the provider with the others.
            return await _shown_again(request, session, held)
        recordings = RecordingStore(settings.recordings_dir)
        for found in held.requests:
            forget_recording(request=found, deleted=at_the_provider, recordings=recordings)
        journal(request, session, held, "erase")
        await remove_person(
            session=session,
            held=held,
            key=settings.pseudonym_secret,
            attachments=FolderStore(settings.mail_attachments_dir),
            now=request.config_dict[CLOCK](),
        )
        # The indicators' tallies keep GPs' numbers for the distinct count: the erased one
        # leaves them now rather than at the next fold.
        served = request.config_dict[DEPARTMENTS].for_slug(department)
        if served is not None:
            await fold_changes(await session.connection(), served)
        await session.commit()
    await flush_erased(request.config_dict[ENGINE])
    request.config_dict[JOURNAL].forget_set_aside(in_journal)
    raise web.HTTPSeeOther(
        f"/console/personnes?{urlencode({'departement': department, 'fait': len(held.requests)})}"
    )


def _wait_for_the_journal(request: web.Request, held: Held) -> Callable[[Entry], bool]:
    """The outage journal's entries an erasure of `held` reaches; refused (409) while some
    still wait there to be recorded."""
    in_journal = _in_journal(held)
    if request.config_dict[JOURNAL].waiting_in_folder(in_journal):
        raise web.HTTPConflict(
            text="des appels ou SMS de cette personne, ou la nommant, attendent encore dans "
            "le journal de panne d'être enregistrés : réessayez dans quelques minutes"
        )
    return in_journal


def _as_previewed(form: Any, held: Held) -> bool:
    """Whether `held` is what the preview the coordinator confirmed showed."""
    shown = str(form.get("empreinte", ""))
    return hmac.compare_digest(shown.encode(), held.digest().encode())


async def _shown_again(
    request: web.Request, session: AsyncSession, held: Held
) -> web.StreamResponse:
    """Not what the coordinator saw (it changed, or no preview was asked): shown again, as a
    new search (journaled as one), to confirm anew. Nothing is erased."""
    journal(request, session, held, "person_search")
    await session.commit()
    return page(request, held, changed=True)


async def _delete_at_the_provider(
    request: web.Request, department: str, recordings: dict[int, str]
) -> None:
    """The person's recordings leave the provider, outside any transaction; 502 when one
    could not."""
    twilio_api = twilio_api_for(request.config_dict, department)
    try:
        for recording_url in recordings.values():
            await delete_at_the_provider(recording_url=recording_url, twilio_api=twilio_api)
    except OutboundError:
        # Nothing is committed: erasing half a person would be worse than retrying. What the
        # provider deleted before it failed stays deleted (it cannot be undone), its requests
        # keeping their URLs until the retry, which finds those gone: counted as deleted
        # (TwilioApi.delete_recording), they do not block it.
        raise web.HTTPBadGateway(
            text="l'opérateur n'a pas pu effacer un message vocal : réessayez plus tard"
        ) from None


ROUTES = [
    ("GET", "/personnes", show),
    ("POST", "/personnes", search),
    ("POST", "/personnes/export", export),
    ("POST", "/personnes/effacement", erase),
]
