"""Handing a request to the region's coordination file (e-parcours): gather the request, the
person it is about, her stances, her referrer and the exchanges; ask the core; post the
Bundle; keep the id the file gave it.

The opening is journaled before anything is decided or sent. A refusal (her opposition,
no person, no coordination file configured) and a failure to send are request events with
their reasons and leave the request as it was: the referent can try again.
"""

from __future__ import annotations

import logging
import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.actions.actor import Actor, Refused
from frontdoor.actions.opening import open_with_department
from frontdoor.actions.working import trace
from frontdoor.core.consents import stances_of
from frontdoor.core.coordination_file import (
    HANDED_OFF_EVENT,
    Exchange,
    HandedPerson,
    HandedRequest,
    Referrer,
    decide_hand_off,
)
from frontdoor.core.failures import describe_failure
from frontdoor.core.reasons import Reason
from frontdoor.department_file.coordination_file import read_token
from frontdoor.kit.runtime import JobRuntime
from frontdoor.outbound.coordination_file import FhirError, post_transaction
from frontdoor.outbound.errors import OutboundError, cause_of
from frontdoor.store.contacts import contact_in
from frontdoor.store.models import Person, Request
from frontdoor.store.person_consents import stances_of_person
from frontdoor.store.person_files import identity_check_of, persons_of_request
from frontdoor.store.sms import messages_of

log = logging.getLogger(__name__)

AUTOMATIC = "frontdoor"  # the author of what Frontdoor sends by itself (store.models.Message)
REFUSED_EVENT = "coordination-file-refused"
FAILED_EVENT = "coordination-file-failed"
# The refusal code when the file could not take the Bundle (out of reach, or it refused it).
NOT_RECEIVED = "not-received"
NOT_CONFIGURED = (
    "aucun dossier de coordination n'est configuré pour ce département "
    "(section [coordination_file] du fichier du département)"
)
UNREACHABLE = (
    "le dossier de coordination n'a pas pu recevoir la demande ; rien n'a été perdu, "
    "réessayez plus tard"
)
REFUSED_BY_FILE = (
    "le dossier de coordination a refusé la demande (HTTP {status}) ; rien n'a été perdu : "
    "signalez-le à l'administrateur du dossier de coordination"
)


def _handed_person(person: Person) -> HandedPerson:
    return HandedPerson(
        family_name=person.family_name, given_names=person.given_names,
        birth_date=person.birth_date, sex=person.sex, ins=person.ins,
        identity=identity_check_of(person),
        commune_name=person.commune_name, commune_insee=person.commune_insee,
    )  # fmt: skip


async def _referrer(session: AsyncSession, persons: list[Person]) -> Referrer | None:
    """The referring professional named on her file, when there is one person."""
    if len(persons) != 1 or persons[0].referrer_contact_id is None:
        return None
    contact = await contact_in(
        session=session, departments=(persons[0].department,),
        contact_id=persons[0].referrer_contact_id,
    )  # fmt: skip
    if contact is None:
        return None
    return Referrer(name=contact.name, rpps=contact.rpps, profession=contact.profession)


async def hand_over(
    *, session: AsyncSession, actor: Actor, request_id: int | None, runtime: JobRuntime
) -> Request:
    """The request, handed over (its `coordination_file_id` set); Refused otherwise, with
    the reason in French."""
    found, department = await open_with_department(
        session=session, actor=actor, request_id=request_id, runtime=runtime,
        purpose="hand_to_coordination_file",
    )  # fmt: skip
    now = runtime.clock()
    target = department.coordination_file
    if target is None:
        raise Refused(NOT_CONFIGURED, code="not-configured")
    persons = list(await persons_of_request(session=session, request_id=found.id or 0))
    handed_persons = [
        (
            _handed_person(person),
            stances_of(await stances_of_person(session=session, person_id=person.id or 0)),
        )
        for person in persons
    ]
    exchanges = [
        Exchange(
            id=m.id or 0,
            at=m.at,
            channel=m.channel,
            direction=m.direction,
            body=m.body,
            automatic=m.author == AUTOMATIC,
        )
        for m in await messages_of(session=session, request_id=found.id or 0)
    ]
    if found.coordination_file_key is None:  # drawn once: a retry is found again by it
        found.coordination_file_key = str(uuid.uuid4())
        session.add(found)
    decision = decide_hand_off(
        request=HandedRequest(
            id=found.id or 0, key=uuid.UUID(found.coordination_file_key),
            number_system=target.identifier_system,
            department=found.department, dac_name=department.name,
            received_at=found.received_at, status=found.status,
            problems=tuple(found.problems or ()), already_handed=found.coordination_file_id,
        ),
        persons=handed_persons,
        referrer=await _referrer(session, persons),
        exchanges=exchanges,
    )  # fmt: skip
    if decision.bundle is None:
        trace(session, actor, found, REFUSED_EVENT, now, *decision.reasons)
        await session.commit()
        raise Refused(decision.reasons[0].text, code=decision.reasons[0].code)
    await session.commit()  # no transaction held open while the file answers (the key kept)
    try:
        file_id = await post_transaction(
            decision.bundle, base_url=target.fhir_base_url, token=read_token(target)
        )
    except OutboundError as error:
        log.warning("%s : transmission de la demande %s au dossier de coordination "
                    "impossible (%s)", found.department, found.id, cause_of(error))  # fmt: skip
        said = (
            REFUSED_BY_FILE.format(status=error.status)
            if isinstance(error, FhirError)
            else UNREACHABLE
        )
        trace(session, actor, found, FAILED_EVENT, runtime.clock(),
              Reason(code=NOT_RECEIVED, text=said))  # fmt: skip
        await session.commit()
        raise Refused(said, code=NOT_RECEIVED, detail=describe_failure(error)) from None
    at = runtime.clock()
    found.coordination_file_id, found.coordination_file_at = file_id, at
    session.add(found)
    handed = Reason(code="handed-off", text=f"transmise au dossier de coordination : {file_id}")
    trace(session, actor, found, HANDED_OFF_EVENT, at, *decision.reasons, handed)
    await session.commit()
    return found
