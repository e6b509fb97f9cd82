"""Every console route × every role × own or other department: each denied cell is denied.

A role without the route's action gets 403; an account of another department gets 404 (not a
hint that the thing exists), except for the directory, which everyone reads: a resource
another department holds answers 403 to a correction; nothing is changed by a denied
request. The routes come from the console's own table, so a route added later is walked too.

A route's refused cells run one after the other on one copy of the seeded data, each checking
that it left the store as it was; a served cell acts, so it runs on a copy of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlmodel import select

from frontdoor.console.app import ROUTE_MODULES
from frontdoor.console.auth import PUBLIC_PATHS, action_of
from frontdoor.core.access import Action, Role, allowed, may_edit_resource
from frontdoor.departments import Departments
from frontdoor.settings import Settings
from frontdoor.store.attachments import FolderStore
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.models import (
    ApiToken,
    FollowUp,
    RequestEvent,
    RequestPerson,
    RequestResponse,
    RosterOverrideRow,
    TeamChangeRow,
)
from frontdoor.store.models import Person as PersonFile
from frontdoor.web.app import create_app
from tests.console.access_forms import (
    DEVELOPMENT_ONLY,
    FORMS,
    a_lot_contact,
    a_lot_subscription,
    store_of,
    traces,
)
from tests.console.browser_phones import with_browser_phone
from tests.console.conftest import Browser, Person, create_accounts, sign_in
from tests.console.requests_made import a_voicemail
from tests.directory.search_data import add_directory
from tests.seeded_states import SeededStates
from tests.web.calls import TUESDAY_MORNING

ROUTES = [
    (method, "/console" + path, handler)
    for module in ROUTE_MODULES
    for method, path, handler in module.ROUTES
    if "/console" + path not in PUBLIC_PATHS
]
# Routes about no department: one's own account, and reading the directory, which is the
# territory's (shared by the departments of a deployment, as the API's directory search is).
UNSCOPED = {
    "/console/deconnexion",
    "/console/jetons",
    "/console/jetons/{token_id}/revocation",
    "/console/annuaire",
    "/console/annuaire/{resource_id}",
}
# Resource 1 of tests/directory/search_data.py is in the Lot: the Lot's to correct.
RESOURCE_OWNERS = ("dac46",)
LOT_ONLY = ("dac46",)
MOSELLE_ONLY = ("dac57",)


def person(role: Role, departments: tuple[str, ...]) -> Person:
    """An account of the matrix; on duty as Claire Durand, whose absence it may declare."""
    login = f"{role.value}.{'-'.join(departments)}@matrix.fr"
    return Person(login, role, departments, referent_id="cdurand")


def answer_due(method: str, path: str, role: Role, own: bool) -> int | None:
    """What the cell must be answered: 403 for a role without the route's action (or a
    resource it may not correct), 404 for another department's thing or a development-only
    route; None where it is served."""
    handler = next(h for m, p, h in ROUTES if (m, p) == (method, path))
    action = action_of(handler)
    assert action is not None
    viewer = person(role, LOT_ONLY if own else MOSELLE_ONLY)
    if not allowed(role, action) or (
        action is Action.EDIT_DIRECTORY
        and not may_edit_resource(role, viewer.departments, RESOURCE_OWNERS)
    ):
        return 403
    if (not own and path not in UNSCOPED) or path in DEVELOPMENT_ONLY:
        return 404
    return None


VIEWERS = [(role, own) for role in Role for own in (True, False)]
# A refused cell changes nothing (which each checks), so a route's refused cells run one
# after the other on one copy of the seeded data; a served cell acts, so it has its own.
REFUSED_BY_ROUTE = [
    pytest.param(
        method,
        path,
        [(role, own) for role, own in VIEWERS if answer_due(method, path, role, own)],
        id=f"{method}-{path}",
    )  # fmt: skip
    for method, path, _handler in ROUTES
    if any(answer_due(method, path, role, own) for role, own in VIEWERS)
]
SERVED = [
    (method, path, role, own)
    for method, path, _handler in ROUTES
    for role, own in VIEWERS
    if answer_due(method, path, role, own) is None
]


def test_every_console_route_names_its_action() -> None:
    assert all(action_of(handler) is not None for _m, _p, handler in ROUTES)


async def lot_request_and_override(
    client: TestClient, settings: Settings
) -> tuple[int, int, int, int, int, str]:
    """The Lot's voicemail, a duty override, a response the voicemail got (an orientation,
    with its follow-up), Claire Durand's absence, a closure of the line made in the
    console, and an attachment under the voicemail (as a mail's would be)."""
    # A voicemail: its page, its recording and its callback can all be reached.
    voicemail = await a_voicemail(client, settings)
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        await add_directory(session)  # resource 1 and the rest of the territory's
        row = RosterOverrideRow(
            department="dac46",
            starts=TUESDAY_MORNING,
            ends=TUESDAY_MORNING.replace(hour=12),
            kind="add",
            referent_id="cdurand",
            reason="renfort",
            source="console:someone",
            created_at=TUESDAY_MORNING,
        )
        session.add(row)
        absence = RosterOverrideRow(
            department="dac46", starts=TUESDAY_MORNING, ends=TUESDAY_MORNING.replace(hour=12),
            kind="remove", referent_id="cdurand", reason="absence", source="console:someone",
            created_at=TUESDAY_MORNING,
        )  # fmt: skip
        closure = TeamChangeRow(
            department="dac46", kind="closure-added", starts=TUESDAY_MORNING.replace(day=15),
            ends=TUESDAY_MORNING.replace(day=16), reason="pont", created_by="someone",
            created_at=TUESDAY_MORNING,
        )  # fmt: skip
        # Claire Durand takes calls in her browser: her console's token can be minted.
        browser = TeamChangeRow(
            department="dac46", kind="reach-changed", referent_id="cdurand", reach="browser",
            client="fd_" + "0" * 24, created_by="someone", created_at=TUESDAY_MORNING,
        )  # fmt: skip
        session.add_all((absence, closure, browser))
        # Person 1, the voicemail's: her page, links, non-oppositions and merges can be reached.
        person = PersonFile(department="dac46", family_name="Témoin", name_key="temoin",
                        created_at=TUESDAY_MORNING, created_by="someone")  # fmt: skip
        session.add(person)
        # Person 2, her double, to merge into her.
        session.add(PersonFile(department="dac46", family_name="Temoin", name_key="temoin",
                               created_at=TUESDAY_MORNING, created_by="someone"))  # fmt: skip
        await session.flush()
        session.add(RequestPerson(request_id=voicemail.id or 0, person_id=person.id or 0,
                                  linked_at=TUESDAY_MORNING, linked_by="someone"))  # fmt: skip
        # An orientation with its follow-up: the follow-up's routes act on it.
        response = RequestResponse(
            request_id=voicemail.id or 0, kind="orientation", at=TUESDAY_MORNING
        )
        session.add(response)
        await session.flush()
        session.add(
            FollowUp(
                department="dac46", request_id=voicemail.id or 0, response_id=response.id or 0,
                due_on=TUESDAY_MORNING.date(), created_at=TUESDAY_MORNING, created_by="someone",
            )
        )  # fmt: skip
        key = FolderStore(settings.mail_attachments_dir).save(
            department="dac46", request_id=voicemail.id or 0, message_id="<m@x>", index=0,
            data=b"pdf",
        )  # fmt: skip
        attachments = RequestEvent(
            request_id=voicemail.id or 0, at=TUESDAY_MORNING, kind="mail-attachments",
            reasons=[{"code": "mail-attachment", "text": "application/pdf, 3 octets",
                      "name": "cr.pdf", "size": 3, "key": key}],
        )  # fmt: skip
        session.add(attachments)
        await session.commit()
        override_id, response_id = row.id or 0, response.id or 0
        absence_id, closure_id = absence.id or 0, closure.id or 0
        attachment = f"{attachments.id}-0"
    await engine.dispose()
    return voicemail.id or 0, override_id, response_id, absence_id, closure_id, attachment


async def own_token(browser: Browser, settings: Settings) -> int:
    """A token of the viewer's own, for the route that revokes one."""
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        before = {id_ for id_ in (await session.exec(select(ApiToken.id))).all() if id_}
    await browser.post("/console/jetons", {"label": "matrice", "scopes": "directory:read"})
    async with session_maker(engine)() as session:
        after = {id_ for id_ in (await session.exec(select(ApiToken.id))).all() if id_}
    await engine.dispose()
    return max(after - before, default=0)  # none for a role without tokens


@dataclass(frozen=True)
class Seed:
    """What every cell starts from: the Lot's data, and each viewer of the matrix signed in
    (its session cookie, the CSRF token its pages carry, its own API token if it may have one)."""

    request_id: int
    override_id: int
    response_id: int
    absence_id: int
    closure_id: int
    attachment: str
    contact_id: int
    subscription_id: int
    viewers: dict[tuple[Role, bool], tuple[str, str, int]]


async def seeded(settings: Settings, departments: Departments) -> Seed:
    await create_accounts(settings)
    async with TestClient(TestServer(create_app(settings, departments))) as client:
        ids = await lot_request_and_override(client, settings)
        contact_id = await a_lot_contact(settings)
        subscription_id = await a_lot_subscription(settings)
        viewers = {}
        for role in Role:
            for own in (True, False):
                viewer = person(role, LOT_ONLY if own else MOSELLE_ONLY)
                await create_accounts(settings, (viewer,))
                browser = await sign_in(client, viewer)
                token_id = await own_token(browser, settings)
                viewers[(role, own)] = (browser.cookie, browser.csrf, token_id)
    return Seed(*ids, contact_id=contact_id, subscription_id=subscription_id, viewers=viewers)


@pytest.fixture
async def seed(
    wired_settings: Settings, departments: Departments, seeded_states: SeededStates
) -> Seed:
    return await seeded_states.given(
        "access matrix", wired_settings, lambda settings: seeded(settings, departments)
    )


@pytest.fixture
def app_settings(seed: Seed, wired_settings: Settings) -> Settings:
    """The cell's app starts on the seeded database, its account able to mint browser
    phones' tokens."""
    return with_browser_phone(wired_settings)


def cell_url(seed: Seed, path: str, role: Role, own: bool) -> str:
    """The route's path with the seeded data's ids, naming the department it is about."""
    url = path.format(
        request_id=seed.request_id,
        override_id=seed.override_id,
        token_id=seed.viewers[(role, own)][2],
        resource_id=1,
        person_id=1,
        response_id=seed.response_id,
        absence_id=seed.absence_id,
        closure_id=seed.closure_id,
        referent_id="cdurand",
        contact_id=seed.contact_id,
        attachment=seed.attachment,
        subscription_id=seed.subscription_id,
    )
    # Department-wide pages name the department they are about.
    return url + ("&" if "?" in url else "?") + "departement=dac46"


async def sent(
    client: TestClient, seed: Seed, method: str, path: str, role: Role, own: bool
) -> int:
    """The cell's request, from its viewer's signed-in browser: its status."""
    cookie, csrf, _token_id = seed.viewers[(role, own)]
    browser = Browser(client=client, cookie=cookie, csrf=csrf)
    url = cell_url(seed, path, role, own)
    if method == "GET":
        response = await browser.get(url, headers={"Accept": "text/html"})
    else:
        response = await browser.post(url, FORMS.get(path, {}))
    response.close()
    return response.status


@pytest.mark.parametrize(("method", "path", "refused"), REFUSED_BY_ROUTE)
async def test_a_cell_without_the_role_or_the_department_is_refused_and_changes_nothing(
    client: TestClient,
    seed: Seed,
    wired_settings: Settings,
    method: str,
    path: str,
    refused: list[tuple[Role, bool]],
) -> None:
    async with store_of(wired_settings) as store:
        before = await traces(store)
        for role, own in refused:
            status = await sent(client, seed, method, path, role, own)

            due = answer_due(method, path, role, own)
            cell = f"{role} of {'its' if own else 'another'} department, {method} {path}"
            assert status == due, f"{cell}: {status} instead of {due}"
            assert await traces(store) == before, f"{cell} changed the store"


@pytest.mark.parametrize(("method", "path", "role", "own"), SERVED)
async def test_a_cell_of_the_role_and_the_department_is_served(
    client: TestClient, seed: Seed, method: str, path: str, role: Role, own: bool
) -> None:
    status = await sent(client, seed, method, path, role, own)

    assert status in (200, 303), f"{role} was refused {method} {path}: {status}"
