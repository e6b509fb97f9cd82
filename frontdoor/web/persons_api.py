"""The persons a request is about, in the JSON API: GET /api/persons/{id} (her file: traits,
non-oppositions in force and their history, the requests of her situation, whether a hand-off
is allowed) and GET /api/requests/{id}/persons, with the scope requests:read; POST
/api/persons/{id}/identity (scope requests:write) records what was checked of her identity,
as the console's *Qualifier l'identité* (frontdoor.actions.persons.record_identity_check).

The caller's department only (another's person is a 404); each person returned is written to
the access journal before her data is (`api_person_read`), each change too (`person_changed`).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.actions.actor import Refused
from frontdoor.actions.api_opening import own_request
from frontdoor.actions.persons import record_identity_check
from frontdoor.console.request_persons import department_today
from frontdoor.core.consents import current_stances, may_hand_off, stances_of
from frontdoor.core.identity_status import identity_status
from frontdoor.keys import CLOCK, SESSIONS
from frontdoor.kit.bodies import path_id
from frontdoor.kit.callers import Caller, caller_of
from frontdoor.store.models import Person
from frontdoor.store.person_consents import stances_of_person
from frontdoor.store.person_files import (
    identity_check_of,
    journal_read,
    person_in,
    persons_of_request,
    requests_of_person,
)
from frontdoor.web.api import json_object

TRAITS = ("family_name", "given_names", "birth_date", "birth_year", "sex", "commune_name",
          "commune_insee", "ins", "identity_document", "identity_checked_on", "insi_checked_on",
          "gp_contact_id", "referrer_contact_id")  # fmt: skip
READ = "api_person_read"
# The identity check's fields in the API (those GET shows), and the names the action reads.
IDENTITY_FIELDS = {"identity_document": "piece", "identity_checked_on": "controlee_le",
                   "insi_checked_on": "insi_le"}  # fmt: skip


async def person_json(session: AsyncSession, person: Person) -> dict[str, Any]:
    shown = person.model_dump(mode="json")
    history = await stances_of_person(session=session, person_id=person.id or 0)
    situation = await requests_of_person(session=session, person_id=person.id)
    decision = may_hand_off(stances_of(history))

    def stance(row: Any) -> dict[str, Any]:
        return {
            "kind": row.kind,
            "stance": row.stance,
            "informed_how": row.informed_how,
            "request_id": row.request_id,
            "recorded_by": row.recorded_by,
            "recorded_at": row.recorded_at.isoformat(),
        }

    return {
        "id": person.id,
        "department": person.department,
        **{name: shown[name] for name in TRAITS},
        "identity_status": identity_status(identity_check_of(person), ins=person.ins).value,
        "created_at": shown["created_at"],
        "non_oppositions": {k.value: stance(r) for k, r in current_stances(history).items()},
        "non_opposition_history": [stance(row) for row in history],
        "request_ids": [found.id for found in situation],
        "hand_off": {
            "allowed": decision.allowed,
            "reasons": [reason.as_dict() for reason in decision.reasons],
        },
    }


def _journal(request: web.Request, session: AsyncSession, caller: Caller, person: Person,
             request_id: int | None = None) -> None:  # fmt: skip
    journal_read(session, person, account=caller.journaled_as, at=request.app[CLOCK](),
                 request_id=request_id, action=READ)  # fmt: skip


async def _own_person(request: web.Request, session: AsyncSession, caller: Caller) -> Person:
    """The person of the path, if she is of the caller's department (404 otherwise)."""
    person_id = path_id(request, "person_id")
    person = (
        await person_in(session=session, person_id=person_id, departments=[caller.department])
        if person_id is not None
        else None
    )
    if person is None:
        raise web.HTTPNotFound(text="no such person")
    return person


async def get_person(request: web.Request) -> web.Response:
    caller = caller_of(request)
    async with request.app[SESSIONS]() as session:
        person = await _own_person(request, session, caller)
        if person.merged_into is not None:
            # Merged into another file: that file is the person now.
            raise web.HTTPMovedPermanently(f"/api/persons/{person.merged_into}")
        _journal(request, session, caller, person)
        await session.commit()
        return web.json_response(await person_json(session, person))


async def persons_of(request: web.Request) -> web.Response:
    caller = caller_of(request)
    async with request.app[SESSIONS]() as session:
        found = await own_request(request, caller, session)
        persons = await persons_of_request(session=session, request_id=found.id or 0)
        for person in persons:
            _journal(request, session, caller, person, found.id)
        await session.commit()
        data = [await person_json(session, person) for person in persons]
    return web.json_response({"data": data, "count": len(data)})


async def post_identity(request: web.Request) -> web.Response:
    """{"identity_document": "CN" | "PA" | "AN" | "LE" | null, "identity_checked_on": day |
    null, "insi_checked_on": day | null}: what was checked of her identity, all of it (what
    is null was not checked); her file back, with her `identity_status`."""
    caller = caller_of(request)
    payload = await json_object(
        request, required=set(IDENTITY_FIELDS),
        expected='{"identity_document": …, "identity_checked_on": …, "insi_checked_on": …}',
    )  # fmt: skip
    if not all(value is None or isinstance(value, str) for value in payload.values()):
        raise web.HTTPUnprocessableEntity(text="every field: text or null expected")
    typed = {IDENTITY_FIELDS[name]: value or "" for name, value in payload.items()}
    async with request.app[SESSIONS]() as session:
        person = await _own_person(request, session, caller)
        _journal(request, session, caller, person)  # before anything is decided
        try:
            record_identity_check(
                session=session, person=person, typed=typed,
                today=department_today(request, person.department),
                account=caller.journaled_as, at=request.app[CLOCK](),
            )  # fmt: skip
        except Refused as refused:
            await session.commit()  # the journal kept
            return web.json_response(
                {"error": refused.reason, "code": refused.code},
                status=409 if refused.code == "merged" else 422,
            )
        await session.commit()
        return web.json_response(await person_json(session, person))


def add_routes(app: web.Application) -> None:
    app.router.add_get("/api/persons/{person_id}", get_person)
    app.router.add_post("/api/persons/{person_id}/identity", post_identity)
    app.router.add_get("/api/requests/{request_id}/persons", persons_of)
