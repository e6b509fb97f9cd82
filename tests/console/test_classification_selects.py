"""A select that classifies starts on an empty choice when nothing is recorded, and saving it
left empty records nothing: the console never guesses a referrer type, a response type, an
age band, a callback's outcome or the kind of a duty change for the indicators.

Every page of the console's route table is read, so a select added later is checked too: it
starts empty, or it is named below as one that does not classify (filters, choices of a
department or a person).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

from aiohttp.test_utils import TestClient
from sqlmodel import update

from frontdoor.console.app import ROUTE_MODULES
from frontdoor.console.auth import PUBLIC_PATHS
from frontdoor.settings import Settings
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.models import Request
from frontdoor.store.tasks import task_of_request
from tests.console.access_forms import DEVELOPMENT_ONLY, a_lot_contact
from tests.console.conftest import LOT_COORDINATOR, LOT_REFERENT, a_person_concerned, sign_in
from tests.console.requests_made import a_voicemail, the_request
from tests.directory.search_data import add_directory
from tests.events.subscriptions import subscribe

# Selects that choose what to show or whom, not what something is: empty needs no meaning.
NOT_CLASSIFYING = {
    "canal": "inbox filter",
    "statut": "inbox filter",
    "adresseur": "inbox filter (its empty choice is 'all')",
    "attribuee": "inbox filter",
    "departement": "which department's indicators",
    "referent_id": "who is on duty",
    "instead_of": "who is replaced (starts on '—')",
}


@dataclass
class Select:
    name: str
    options: list[tuple[str, bool]] = field(default_factory=list)  # (value, selected)

    @property
    def shown(self) -> str:
        """The value a browser shows and sends: the last option marked selected, else the
        first."""
        chosen = [value for value, selected in self.options if selected]
        return chosen[-1] if chosen else self.options[0][0]


class Selects(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[Select] = []
        self._open: Select | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "select":
            self._open = Select(name=named.get("name") or "")
            self.found.append(self._open)
        elif tag == "option" and self._open is not None:
            self._open.options.append((named.get("value") or "", "selected" in named))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._open = None


def selects_of(page: str) -> list[Select]:
    parser = Selects()
    parser.feed(page)
    return parser.found


async def nothing_recorded(settings: Settings, request_id: int) -> None:
    """The request as an SMS or a silent call leaves it: no referrer type, nothing qualified."""
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        await session.exec(
            update(Request)  # type: ignore[call-overload]
            .where(Request.id == request_id)  # type: ignore[arg-type]
            .values(
                referrer_type="unknown",
                referrer_source="none",
                age_band=None,
                problems=[],
            )
        )
        await add_directory(session)
        await session.commit()
    await engine.dispose()


async def test_every_classifying_select_of_every_page_starts_on_an_empty_choice(
    client: TestClient, wired_settings: Settings
) -> None:
    voicemail = await a_voicemail(client, wired_settings)  # with an open callback to close
    await nothing_recorded(wired_settings, voicemail.id or 0)
    person_id = await a_person_concerned(wired_settings, voicemail.id or 0)
    browser = await sign_in(client, LOT_COORDINATOR)
    contact_id = await a_lot_contact(wired_settings, referrer_type="unknown")
    engine = create_engine(wired_settings.database_url)
    try:
        subscription_id, _secret = await subscribe(engine)
    finally:
        await engine.dispose()
    ids = {"request_id": voicemail.id, "resource_id": 1, "token_id": 1, "person_id": person_id,
           "contact_id": contact_id, "subscription_id": subscription_id}  # fmt: skip
    pages = [
        "/console" + path.format(**ids)
        for module in ROUTE_MODULES
        for method, path, _handler in module.ROUTES
        if method == "GET"
        and "/console" + path not in PUBLIC_PATHS
        and "{attachment}" not in path  # a download of what a mail carried, never a page
        and "/console" + path not in DEVELOPMENT_ONLY
    ]

    checked: dict[str, str] = {}
    for url in pages:
        response = await browser.get(url + "?departement=dac46", headers={"Accept": "text/html"})
        if response.content_type != "text/html":  # exports, recordings, the live stream
            response.close()
            continue
        assert response.status == 200, url
        for select in selects_of(await response.text()):
            if select.name in NOT_CLASSIFYING:
                continue
            checked[select.name] = url
            assert select.options[0][0] == "", f"{select.name} on {url}: no empty first choice"
            assert select.shown == "", f"{select.name} on {url} guesses {select.shown!r}"

    # The ones the tracker found, among all those walked.
    assert {"referrer_type", "age_band", "outcome", "kind"} <= set(checked)


async def test_a_recorded_value_is_shown_as_it_is(
    client: TestClient, wired_settings: Settings
) -> None:
    voicemail = await a_voicemail(client, wired_settings)
    browser = await sign_in(client, LOT_REFERENT)
    await browser.post(
        f"/console/demandes/{voicemail.id}/qualification",
        {"referrer_type": "nurse", "age_band": "75-84"},
    )

    page = await (await browser.get(f"/console/demandes/{voicemail.id}")).text()

    shown = {select.name: select.shown for select in selects_of(page)}
    assert shown["referrer_type"] == "nurse"
    assert shown["age_band"] == "75-84"


async def test_saving_with_the_referrer_type_left_empty_keeps_it_unknown(
    client: TestClient, wired_settings: Settings
) -> None:
    voicemail = await a_voicemail(client, wired_settings)
    await nothing_recorded(wired_settings, voicemail.id or 0)
    browser = await sign_in(client, LOT_REFERENT)

    response = await browser.post(
        f"/console/demandes/{voicemail.id}/qualification",
        {"referrer_type": "", "age_band": "75-84"},
    )

    assert response.status == 303
    assert "erreur" not in response.headers["Location"]
    found = await the_request(wired_settings, voicemail.id or 0)
    assert (found.referrer_type, found.referrer_source) == ("unknown", "none")
    assert found.age_band == "75-84"


async def test_saving_with_the_referrer_type_left_empty_neither_changes_nor_confirms_a_guess(
    client: TestClient, wired_settings: Settings
) -> None:
    voicemail = await a_voicemail(client, wired_settings)  # the menu said: a nurse
    before = await the_request(wired_settings, voicemail.id or 0)
    browser = await sign_in(client, LOT_REFERENT)

    await browser.post(f"/console/demandes/{voicemail.id}/qualification", {"referrer_type": ""})

    found = await the_request(wired_settings, voicemail.id or 0)
    assert (found.referrer_type, found.referrer_source) == (
        before.referrer_type,
        before.referrer_source,
    )
    assert found.referrer_source != "referent"


async def test_closing_a_callback_with_its_outcome_left_empty_is_refused_and_keeps_it_open(
    client: TestClient, wired_settings: Settings
) -> None:
    voicemail = await a_voicemail(client, wired_settings)
    browser = await sign_in(client, LOT_REFERENT)

    response = await browser.post(
        f"/console/demandes/{voicemail.id}/rappel/cloture", {"outcome": ""}
    )

    assert response.status == 303
    page = await (await browser.get(response.headers["Location"])).text()
    assert "issue du rappel : à choisir" in page
    engine = create_engine(wired_settings.database_url)
    async with session_maker(engine)() as session:
        task = await task_of_request(session=session, request_id=voicemail.id or 0)
    await engine.dispose()
    assert task is not None
    assert (task.status, task.outcome) == ("open", None)
