"""A person's rights over their data: everything held about one number or address, as JSON
(access, portability), and its erasure (the requests stay, pseudonymised, for the indicators).

Coordinators only, on their own department; each request exported or erased is audited.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from sqlmodel import col, delete, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.console.auth import chosen_department, needs, viewer_of
from frontdoor.console.pages import render
from frontdoor.core.access import Action
from frontdoor.directory.imported import e164
from frontdoor.indicators.tallies import fold_changes
from frontdoor.outbound.errors import OutboundError
from frontdoor.store.audit import record_access
from frontdoor.store.erasure import pseudonymise
from frontdoor.store.models import (
    CallbackTaskRow,
    KnownContact,
    Message,
    NonOppositionRecord,
    Request,
    RequestEvent,
    RequestNote,
)
from frontdoor.web.bodies import read_form
from frontdoor.web.keys import CLOCK, DEPARTMENTS, SESSIONS, SETTINGS
from frontdoor.web.twilio_accounts import twilio_api_for

CONFIRMATION = "EFFACER"


def _who(request: web.Request, form: Any = None) -> tuple[str | None, str | None]:
    source = form if form is not None else request.query
    typed = str(source.get("numero", "")).strip()
    # As the store holds it (E.164), however the person typed it: "06 11 22 33 44", "+33 6…".
    number = (e164(typed) or typed) or None
    address = str(source.get("adresse", "")).strip().lower() or None
    if number is None and address is None:
        raise web.HTTPBadRequest(text="un numéro ou une adresse est nécessaire")
    return number, address


async def _requests_of(
    session: AsyncSession, department: str, number: str | None, address: str | None
) -> Sequence[Request]:
    matches = []
    if number:
        matches.append(col(Request.caller_number) == number)
    if address:
        matches.append(col(Request.contact_address) == address)
        # Requests they wrote to, or were written to under, without being their contact.
        written = select(Message.request_id).where(
            Message.department == department, Message.address == address
        )
        matches.append(col(Request.id).in_(written))
    result = await session.exec(
        select(Request)
        .where(Request.department == department, or_(*matches))
        .order_by(col(Request.received_at))
    )
    return result.all()


def _journal(
    session: AsyncSession, found: Sequence[Request], *, at: datetime, account: str, action: str
) -> None:
    for held in found:
        record_access(
            session=session,
            at=at,
            account=account,
            department=held.department,
            request_id=held.id,
            action=action,
        )


def _row(model: Any) -> dict[str, Any]:
    return model.model_dump(mode="json")


async def _everything(session: AsyncSession, request: Request) -> dict[str, Any]:
    request_id = request.id or 0

    async def rows(model: Any, *order: Any) -> list[dict[str, Any]]:
        result = await session.exec(
            select(model).where(model.request_id == request_id).order_by(*order)
        )
        return [_row(row) for row in result.all()]

    held = _row(request)
    held["events"] = await rows(RequestEvent, col(RequestEvent.at))
    held["messages"] = await rows(Message, col(Message.at))
    held["notes"] = await rows(RequestNote, col(RequestNote.at))
    held["non_oppositions"] = await rows(NonOppositionRecord, col(NonOppositionRecord.recorded_at))
    held["callback_tasks"] = await rows(CallbackTaskRow, col(CallbackTaskRow.id))
    return held


@needs(Action.EXPORT_PERSON)
async def show(request: web.Request) -> web.StreamResponse:
    department = chosen_department(request)
    found: Sequence[Request] = ()
    number = address = None
    if request.query.get("numero") or request.query.get("adresse"):
        number, address = _who(request)
        async with request.config_dict[SESSIONS]() as session:
            found = await _requests_of(session, department, number, address)
    return render(
        "persons.html",
        request,
        {
            "department": department,
            "number": number or "",
            "address": address or "",
            "found": found,
            "confirmation": CONFIRMATION,
            "done": request.query.get("fait"),
            "timezone": request.config_dict[DEPARTMENTS].for_slug(department).calendar.timezone,  # type: ignore[union-attr]
        },
    )


@needs(Action.EXPORT_PERSON)
async def export(request: web.Request) -> web.StreamResponse:
    department = chosen_department(request)
    number, address = _who(request)
    viewer = viewer_of(request)
    now = request.config_dict[CLOCK]()
    async with request.config_dict[SESSIONS]() as session:
        found = await _requests_of(session, department, number, address)
        contacts = (
            await session.exec(
                select(KnownContact).where(
                    KnownContact.department == department,
                    or_(
                        col(KnownContact.number) == number,
                        col(KnownContact.address) == address,
                    ),
                )
            )
        ).all()
        body = {
            "department": department,
            "exported_at": now.astimezone(UTC).isoformat(),
            "exported_by": viewer.login,
            "number": number,
            "address": address,
            "known_contact": [_row(contact) for contact in contacts],
            "requests": [await _everything(session, held) for held in found],
        }
        _journal(session, found, at=now, account=viewer.login, action="export")
        await session.commit()
    stamp = datetime.now(UTC).strftime("%Y%m%d")
    return web.Response(
        text=json.dumps(body, ensure_ascii=False, indent=2),
        content_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="frontdoor-{department}-{stamp}.json"',
            "Cache-Control": "no-store",
        },
    )


@needs(Action.ERASE_PERSON)
async def erase(request: web.Request) -> web.StreamResponse:
    department = chosen_department(request)
    form = await read_form(request)
    number, address = _who(request, form)
    if str(form.get("confirmation", "")).strip() != CONFIRMATION:
        raise web.HTTPBadRequest(text=f"tapez {CONFIRMATION} pour confirmer l'effacement")
    viewer = viewer_of(request)
    now = request.config_dict[CLOCK]()
    key = request.config_dict[SETTINGS].pseudonym_key.get_secret_value().encode()
    async with request.config_dict[SESSIONS]() as session:
        found = await _requests_of(session, department, number, address)
        for held in found:
            try:
                await pseudonymise(
                    session=session,
                    request=held,
                    key=key,
                    twilio_api=twilio_api_for(request.config_dict, department),
                )
            except OutboundError:
                # Nothing is committed: erasing half a person would be worse than retrying.
                raise web.HTTPBadGateway(
                    text="l'opérateur n'a pas pu effacer un message vocal : réessayez plus tard"
                ) from None
        _journal(session, found, at=now, account=viewer.login, action="erase")
        await session.exec(
            delete(KnownContact).where(
                col(KnownContact.department) == department,
                or_(col(KnownContact.number) == number, col(KnownContact.address) == address),
            )
        )
        # The indicators' tallies keep GPs' numbers for the distinct count: the erased one
        # leaves them now rather than at the next fold.
        served = request.config_dict[DEPARTMENTS].for_slug(department)
        if served is not None:
            await fold_changes(await session.connection(), served)
        await session.commit()
    raise web.HTTPSeeOther(f"/console/personnes?departement={department}&fait={len(found)}")


ROUTES = [
    ("GET", "/personnes", show),
    ("GET", "/personnes/export", export),
    ("POST", "/personnes/effacement", erase),
]
