"""The request page offers each form only to whom its route's action allows: the switchboard
(core.access: reads, takes, dispatches, notes) sees no form she would be refused; a referent
still sees them all. The forms' actions come from the console's route table, so a form added
later is checked without anyone listing it."""

from __future__ import annotations

import re
from dataclasses import replace
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from aiohttp.test_utils import TestClient

from frontdoor.console.app import ROUTE_MODULES
from frontdoor.console.auth import action_of
from frontdoor.core.access import Action, Role, allowed
from frontdoor.core.department import CoordinationFileRef
from frontdoor.core.mailbox import Mailbox
from frontdoor.departments import Departments
from frontdoor.keys import Clock
from frontdoor.settings import Settings
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.models import FollowUp, Request, RequestResponse
from frontdoor.store.models import Person as PersonFile
from tests.console.conftest import LOT_REFERENT, Person, a_person_concerned, create_accounts
from tests.console.conftest import sign_in as signed_in
from tests.console.requests_made import a_voicemail
from tests.web.calls import TUESDAY_MORNING

SWITCHBOARD = Person("accueil@dac46.fr", Role.SWITCHBOARD, ("dac46",))
REQUEST_PAGE = "/console/demandes/{request_id}"
# Every console route, as a pattern of its path: a form's action is matched to its route.
ROUTES = [
    (method, re.compile(re.sub(r"\{\w+\}", "[^/]+", "/console" + path) + "$"), path, handler)
    for module in ROUTE_MODULES
    for method, path, handler in module.ROUTES
]
# The request page's own routes that change something: what its forms may post to.
REQUEST_POSTS = {
    "/console" + path: action_of(handler)
    for method, _pattern, path, handler in ROUTES
    if method == "POST" and ("/console" + path).startswith(REQUEST_PAGE + "/")
}

# Forms shown only while a call someone took is going on: transferring it (its page while the
# call lasts is tests/web/test_transfer.py's).
LIVE_CALL_FORMS = {"/console/demandes/{request_id}/transfert"}


@pytest.fixture
def app_clock() -> Clock:
    return lambda: TUESDAY_MORNING


@pytest.fixture
def app_departments(departments: Departments) -> Departments:
    """The Lot with a secure mailbox, so that its page offers the answer by mail, and a
    coordination file, so that it offers the hand-off."""
    mailbox = Mailbox(address="contact@dac46.mssante.fr", imap_host="127.0.0.1",
                      smtp_host="127.0.0.1")  # fmt: skip
    coordination = CoordinationFileRef(fhir_base_url="https://e-parcours.example.fr/fhir")
    return Departments(
        replace(d, mailbox=mailbox, coordination_file=coordination) if d.slug == "dac46" else d
        for d in departments
    )


class Forms(HTMLParser):
    """The (method, path) of every form of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.found: set[tuple[str, str]] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "form":
            given = dict(attrs)
            method = (given.get("method") or "get").upper()
            self.found.add((method, urlsplit(given.get("action") or "").path))


def forms_of(page: str) -> dict[str, Action]:
    """Each form's route, by the route's path, with the action the route names."""
    parser = Forms()
    parser.feed(page)
    routes = {}
    for method, path in parser.found:
        [(route, action)] = [
            ("/console" + route, action_of(handler))
            for wanted, pattern, route, handler in ROUTES
            if wanted == method and pattern.match(path)
        ]
        routes[route] = action
    return routes


async def a_request_with_every_form(client: TestClient, settings: Settings) -> int:
    """A voicemail with everything its page has a form for: an open callback, a number and
    an MSSanté address to answer, a person linked and another of the same name to link, an
    orientation with its follow-up and one without."""
    voicemail = await a_voicemail(client, settings)
    request_id = voicemail.id or 0
    await a_person_concerned(settings, request_id)
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        found = await session.get(Request, request_id)
        assert found is not None
        found.contact_address = "dr.roux@cabinet.mssante.fr"
        session.add(PersonFile(department="dac46", family_name="Témoin", name_key="temoin",
                               created_at=TUESDAY_MORNING, created_by="someone"))  # fmt: skip
        followed, alone = (
            RequestResponse(request_id=request_id, kind="orientation", at=TUESDAY_MORNING)
            for _ in range(2)
        )
        session.add_all((found, followed, alone))
        await session.flush()
        session.add(
            FollowUp(
                department="dac46", request_id=request_id, response_id=followed.id or 0,
                due_on=TUESDAY_MORNING.date(), created_at=TUESDAY_MORNING, created_by="someone",
            )
        )  # fmt: skip
        await session.commit()
    await engine.dispose()
    return request_id


async def forms_seen_by(client: TestClient, person: Person, request_id: int) -> dict[str, Action]:
    browser = await signed_in(client, person)
    # Searched by name (posted): the page offers to link the person found.
    searched = await browser.post(f"/console/demandes/{request_id}", {"nom": "Temoin"})
    assert searched.status == 200
    return forms_of(await searched.text())


async def test_the_switchboard_sees_only_the_forms_her_role_allows(
    client: TestClient, app_settings: Settings
) -> None:
    await create_accounts(app_settings, (SWITCHBOARD,))
    request_id = await a_request_with_every_form(client, app_settings)

    seen = await forms_seen_by(client, SWITCHBOARD, request_id)

    refused = {
        route: action for route, action in seen.items() if not allowed(Role.SWITCHBOARD, action)
    }
    assert refused == {}
    # What she may do on a request is still there: take it, give it, note.
    hers = {route for route, action in REQUEST_POSTS.items() if allowed(Role.SWITCHBOARD, action)}
    assert hers
    assert hers <= set(seen)


async def test_a_referent_still_sees_every_form_of_the_request_page(
    client: TestClient, app_settings: Settings
) -> None:
    request_id = await a_request_with_every_form(client, app_settings)

    seen = await forms_seen_by(client, LOT_REFERENT, request_id)

    assert set(REQUEST_POSTS) - LIVE_CALL_FORMS <= set(seen)
    assert all(allowed(Role.REFERENT, action) for action in seen.values())
    # The switchboard's refusals are among them: the check above is not empty.
    assert {r for r, a in REQUEST_POSTS.items() if not allowed(Role.SWITCHBOARD, a)}
