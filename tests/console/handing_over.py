"""A request ready to be handed to the coordination file, and what the FHIR server holds:
shared by the console's hand-off tests and the API's."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import aiohttp
from aiohttp.test_utils import TestClient

from frontdoor.core.department import CoordinationFileRef
from frontdoor.departments import Departments
from frontdoor.settings import Settings
from frontdoor.store.models import KnownContact, Person, Request
from tests.console.conftest import LOT_COORDINATOR, Browser, sign_in
from tests.console.requests_made import STANCES, create, rows
from tests.sms.texting import send
from tests.web.calls import TUESDAY_MORNING


def handing_to(
    departments: Departments, base: str, *, identifier_system: str | None = None
) -> Departments:
    """The departments, the Lot handing its requests to the coordination file at `base`
    (with their numbers under `identifier_system`, when given)."""
    target = CoordinationFileRef(fhir_base_url=base, identifier_system=identifier_system)
    return Departments(
        replace(d, coordination_file=target) if d.slug == "dac46" else d for d in departments
    )


async def read(base: str, path: str) -> Any:
    async with aiohttp.ClientSession() as http, http.get(f"{base}/{path}") as response:
        assert response.status == 200, path
        return await response.json(content_type=None)


async def an_sms_request(client: TestClient, settings: Settings, browser: Browser) -> int:
    """A nurse's SMS about Ginette Témoin, answered by SMS: a request with two exchanges."""
    await send(client, "Mme Témoin ne peut plus rester seule.", at=TUESDAY_MORNING)
    [request] = await rows(settings, Request)
    answered = await browser.post(
        f"/console/demandes/{request.id}/reponse-sms", {"body": "Nous passons demain."}
    )
    assert answered.status == 303
    return request.id or 0


async def her_file(
    client: TestClient,
    settings: Settings,
    browser: Browser,
    request_id: int,
    sharing: str,
    *,
    qualified: bool = True,
) -> Person:
    """Her file on the request, with her INS (her identity qualified: her identity card
    checked, INSi queried, unless told), her referring GP (RPPS known) and her stances;
    `sharing` on support and sharing."""
    await create(browser, request_id, nom="Témoin", prenoms="Ginette", naissance="1941-03-02",
                 sexe="female", commune="Cahors", ins="241034604212367")  # fmt: skip
    [person] = await rows(settings, Person)
    if qualified:
        checked = await browser.post(
            f"/console/personnes-concernees/{person.id}/confiance-identite",
            {"piece": "CN", "controlee_le": "2026-05-11", "insi_le": "2026-05-11"},
        )
        assert checked.status == 303, await checked.text()
    coordinator = await sign_in(client, LOT_COORDINATOR)
    await coordinator.post(
        "/console/contacts",
        {"numero": "05 65 00 00 09", "nom": "Dr Paul Vidal", "type": "gp", "rpps": "10001234567"},
    )
    [vidal] = await rows(settings, KnownContact)
    chosen = await browser.post(
        f"/console/personnes-concernees/{person.id}/professionnels", {"adresseur": str(vidal.id)}
    )
    assert chosen.status == 303
    recorded = await browser.post(
        f"/console/demandes/{request_id}/non-oppositions",
        {"personne": str(person.id), **STANCES, "support_and_sharing": sharing,
         "informe": "oral"},
    )  # fmt: skip
    assert recorded.status == 303
    return person


async def everything_stored(base: str) -> list[str]:
    """The ids of every resource the server holds (its tests share it: each test compares
    before and after)."""
    ids = []
    for kind in ("Patient", "Practitioner", "Organization", "ServiceRequest", "Communication"):
        found = await read(base, f"{kind}?_count=1000")
        ids += [f"{kind}/{entry['resource']['id']}" for entry in found.get("entry", [])]
    return sorted(ids)
