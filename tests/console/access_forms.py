"""What every console form posts, and what a refused one must leave behind: shared by the
access matrix and the date fuzzer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from frontdoor.settings import Settings
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.event_models import EventSubscription
from frontdoor.store.models import (
    AuditEvent,
    FollowUp,
    KnownContact,
    NonOppositionRecord,
    PersonEvent,
    Request,
    RequestEvent,
    RequestPerson,
    RequestResponse,
    Resource,
    ResourceEdit,
    RosterOverrideRow,
    TeamChangeRow,
)
from frontdoor.store.models import Person as PersonFile

# What each state-changing route is sent: a valid form, so an allowed cell really acts.
FORMS: dict[str, dict[str, str]] = {
    "/console/demandes/{request_id}": {"nom": "temoin", "ressource": "ssiad figeac"},
    "/console/demandes/{request_id}/qualification": {"referrer_type": "gp"},
    "/console/demandes/{request_id}/non-oppositions": {
        "personne": "1",
        "data_processing": "not_opposed",
        "informe": "oral",
    },
    "/console/demandes/{request_id}/personnes": {"personne": "1"},
    "/console/demandes/{request_id}/personnes/nouvelle": {"nom": "Témoin"},
    "/console/demandes/{request_id}/personnes/{person_id}/information": {"informe": "document"},
    "/console/personnes-concernees/{person_id}/identite": {"nom": "Témoin", "prenoms": "Ginette"},
    "/console/personnes-concernees/{person_id}/non-oppositions": {
        "data_processing": "opposed",
        "informe": "oral",
    },
    "/console/personnes-concernees/{person_id}": {"fusion": "temoin"},
    "/console/personnes-concernees/{person_id}/fusion": {"autre": "2"},
    "/console/demandes/{request_id}/attribution": {"to": "me"},
    "/console/nouvelle-demande": {"canal": "visit", "nom": "Témoin", "referrer_type": "carer"},
    "/console/demandes/{request_id}/notes": {"body": "note"},
    "/console/demandes/{request_id}/reponse-sms": {"body": "Nous vous rappelons demain."},
    "/console/demandes/{request_id}/reponse-mail": {"body": "Nous vous rappelons demain."},
    "/console/demandes/{request_id}/rappel/cloture": {"outcome": "reached"},
    "/console/demandes/{request_id}/statut": {"status": "closed"},
    "/console/demandes/{request_id}/dossier-de-coordination": {},
    "/console/demandes/{request_id}/reponses": {"kind": "planning"},
    "/console/demandes/{request_id}/reponses/{response_id}/suivi/cloture": {"outcome": "no_news"},
    "/console/demandes/{request_id}/repetition": {"repeat_of": ""},
    "/console/jetons": {"label": "tableur", "scopes": "directory:read"},
    "/console/navigateur/joignable": {"reach": "mobile"},
    "/console/annuaire/{resource_id}": {
        "name": "SSIAD du Grand Figeac",
        "phones": "05 65 34 00 00",
    },
    "/console/indicateurs/chiffres": {"year": "2026", "staff_fte": "4,5", "territory_gps": "180"},
    "/console/recherche": {"q": "06 11 22 33 44"},
    "/console/contacts": {"nom": "Dr Paul Vidal", "type": "gp", "numero": "05 65 00 00 09"},
    "/console/contacts/import": {"lignes": "nom;numero;type\nDr Luc Bex;0565000010;gp"},
    "/console/contacts/{contact_id}": {
        "nom": "Dr Jeanne Roux",
        "type": "specialist",
        "numero": "+33611223399",
    },
    "/console/personnes": {"numero": "+33611223344"},
    "/console/personnes/export": {"numero": "+33611223344"},
    "/console/personnes/effacement": {"numero": "+33611223344", "confirmation": "EFFACER"},
    "/console/personnes/nom": {"nom": "Témoin"},
    "/console/personnes/fiche": {"personne": "1"},
    "/console/personnes/fiche/export": {"personne": "1"},
    "/console/personnes/fiche/effacement": {"personne": "1", "confirmation": "EFFACER"},
    "/console/astreinte/absences": {
        "referent_id": "cdurand",
        "starts_date": "2026-05-12",
        "ends_date": "2026-05-13",
    },
    "/console/equipe/referents": {"name": "Julie Petit", "phone": "06 12 34 56 78"},
    "/console/equipe/referents/{referent_id}/telephone": {"phone": "06 98 76 54 32"},
    "/console/equipe/fermetures": {
        "from_date": "2026-05-12",
        "to_date": "2026-05-15",
        "reason": "pont",
    },
    "/console/evenements": {
        "url": "https://partenaire.example.fr/events",
        "scope": "requests:summary",
        "types": "request.created",
    },
    "/console/astreinte/changements": {
        "kind": "add",
        "referent_id": "cdurand",
        "starts_date": "2026-05-12",
        "starts_time": "08:00",
        "ends_date": "2026-05-12",
        "ends_time": "12:00",
    },
}


@asynccontextmanager
async def store_of(settings: Settings) -> AsyncIterator[AsyncEngine]:
    """The test's database, for its own reads around the request it sends: one engine (and
    on PostgreSQL one connection, a server process to start) for all of them."""
    engine = create_engine(settings.database_url)
    try:
        yield engine
    finally:
        await engine.dispose()


# What a console action writes: counted. What it could edit in place: read whole.
_COUNTED = (
    Request,
    AuditEvent,
    NonOppositionRecord,
    RequestEvent,
    RosterOverrideRow,
    TeamChangeRow,
    ResourceEdit,
    PersonFile,
    PersonEvent,
    RequestPerson,
    RequestResponse,
    FollowUp,
    EventSubscription,
)
_READ_WHOLE = (Resource, KnownContact, EventSubscription)
# One statement for every count (a matrix reads them twice per cell, hundreds of cells).
_COUNTS = select(*(select(func.count()).select_from(table).scalar_subquery() for table in _COUNTED))


async def traces(store: AsyncEngine) -> tuple[object, ...]:
    """Counts of everything a console action writes, and the resources and known contacts as
    they are: a denied cell must leave them as they were."""
    async with store.connect() as connection:
        counts: list[object] = list((await connection.execute(_COUNTS)).one())
        for model in _READ_WHOLE:
            table = model.__table__  # type: ignore[attr-defined]
            rows = await connection.execute(select(table).order_by(table.c.id))
            counts.append([tuple(row) for row in rows])
    return tuple(counts)


async def a_lot_contact(settings: Settings, *, referrer_type: str = "gp") -> int:
    """A known contact of the Lot, for the routes that show, edit and remove one."""
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        contact = KnownContact(department="dac46", number="+33611223355", name="Dr Anne Lys",
                               referrer_type=referrer_type)  # fmt: skip
        session.add(contact)
        await session.commit()
        contact_id = contact.id or 0
    await engine.dispose()
    return contact_id


async def a_lot_subscription(settings: Settings) -> int:
    """An endpoint the Lot subscribed, for the routes that show and end one."""
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        row = EventSubscription(
            department="dac46", url="https://partenaire.example.fr/events", secret="whsec_x",
            scope="requests:summary", event_types=["request.created"],
            created_at=datetime(2026, 5, 1, 9, 0, tzinfo=UTC), created_by="coordination",
        )  # fmt: skip
        session.add(row)
        await session.commit()
        subscription_id = row.id or 0
    await engine.dispose()
    return subscription_id


# Pages of the development mode's stand-ins, which the suite's apps do not run: absent (404)
# for every role that may see them (tests/console/test_sent_page.py walks them running).
DEVELOPMENT_ONLY = frozenset({"/console/envoyes"})
