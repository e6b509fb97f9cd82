"""The inbox's live streams: a few per session, the oldest making way for a new one; all of a
session's end with it (sign-out here or on another instance, expiry); an instance holds a
bounded number."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from aiohttp.test_utils import TestClient

from frontdoor.console.live_streams import LIVE_STREAMS, PER_SESSION, Ending, LiveStreams
from frontdoor.departments import Departments
from frontdoor.settings import Settings
from frontdoor.store.accounts import account_by_login
from frontdoor.web.app import create_app
from tests.console.conftest import LOT_COORDINATOR, LOT_REFERENT, Browser, create_accounts, sign_in
from tests.console.live_events import open_stream, until_it_ends
from tests.elsewhere import changed_elsewhere


class MovableClock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock()


@pytest.fixture
def live_settings(wired_settings: Settings) -> Settings:
    # Quick looks at the store: a session ended elsewhere is noticed at once.
    return wired_settings.model_copy(update={"console_live_every_s": 0.05})


@pytest.fixture
async def app_settings(live_settings: Settings) -> Settings:
    await create_accounts(live_settings)
    return live_settings


@pytest.fixture
def app_clock(clock: MovableClock) -> MovableClock:
    return clock


def open_now(client: TestClient) -> int:
    return len(client.app[LIVE_STREAMS])


async def test_a_new_stream_of_a_full_session_closes_its_oldest_which_says_why(
    client: TestClient,
) -> None:
    browser = await sign_in(client, LOT_REFERENT)
    streams = [await open_stream(browser) for _ in range(PER_SESSION)]

    newest = await open_stream(browser)  # a reload, or one tab too many

    farewell = await until_it_ends(streams[0])
    assert "event: fin" in farewell
    assert "ouverte dans un autre onglet" in farewell
    assert open_now(client) == PER_SESSION
    assert not any(stream.content.at_eof() for stream in [*streams[1:], newest])


async def test_signing_out_ends_every_stream_of_that_session_only(client: TestClient) -> None:
    leaving, staying = await sign_in(client, LOT_REFERENT), await sign_in(client, LOT_REFERENT)
    hers = [await open_stream(leaving) for _ in range(2)]
    other = await open_stream(staying)

    await leaving.post("/console/deconnexion")

    for stream in hers:
        assert "votre session est terminée" in await until_it_ends(stream)
    assert open_now(client) == 1
    assert not other.content.at_eof()


async def test_a_stream_ends_when_its_session_expires(
    client: TestClient, clock: MovableClock, live_settings: Settings
) -> None:
    browser = await sign_in(client, LOT_REFERENT)
    stream = await open_stream(browser)

    clock.now += timedelta(hours=live_settings.console_session_hours, seconds=1)

    assert "votre session est terminée" in await until_it_ends(stream)
    assert open_now(client) == 0


async def test_a_sign_out_on_another_instance_ends_the_stream_at_its_next_look(
    client: TestClient,
    aiohttp_client: object,
    live_settings: Settings,
    departments: Departments,
) -> None:
    other_settings = live_settings.model_copy(update={"instance_name": "the-other-instance"})
    other: TestClient = await aiohttp_client(create_app(other_settings, departments))  # type: ignore[operator]
    browser = await sign_in(client, LOT_REFERENT)
    stream = await open_stream(browser)

    await Browser(client=other, cookie=browser.cookie, csrf=browser.csrf).post(
        "/console/deconnexion"
    )

    assert "votre session est terminée" in await until_it_ends(stream)


async def test_an_account_disabled_elsewhere_loses_its_streams_and_only_its_own(
    client: TestClient, live_settings: Settings
) -> None:
    # The streams of both accounts share the instance's looks: each is judged on its own.
    disabled = await open_stream(await sign_in(client, LOT_REFERENT))
    other = await open_stream(await sign_in(client, LOT_COORDINATOR))

    await change_account(live_settings, LOT_REFERENT.login, disabled=True)

    assert "votre session est terminée" in await until_it_ends(disabled)
    assert open_now(client) == 1
    assert not other.content.at_eof()


async def test_an_account_moved_to_another_department_loses_the_first_ones_stream(
    client: TestClient, live_settings: Settings
) -> None:
    moved = await open_stream(await sign_in(client, LOT_REFERENT))
    other = await open_stream(await sign_in(client, LOT_COORDINATOR))

    await change_account(live_settings, LOT_REFERENT.login, departments=["dac57"])

    assert "votre session est terminée" in await until_it_ends(moved)
    assert not other.content.at_eof()


async def change_account(settings: Settings, login: str, **columns: object) -> None:
    """An account changed from another instance, or by the command line."""
    await changed_elsewhere(
        settings, lambda session: account_by_login(session=session, login=login), **columns
    )


async def test_a_full_instance_refuses_new_streams_in_french(client: TestClient) -> None:
    client.app[LIVE_STREAMS].in_all = 1
    first = await open_stream(await sign_in(client, LOT_REFERENT))

    refused = await (await sign_in(client, LOT_COORDINATOR)).get(
        "/console/flux?departement=dac46&depuis=0", headers={"Accept": "text/event-stream"}
    )

    assert refused.status == 503
    assert "Trop de listes ouvertes" in await refused.text()
    assert "Retry-After" in refused.headers
    assert not first.content.at_eof()


def test_an_account_holds_a_bounded_number_of_streams_across_its_sessions() -> None:
    streams = LiveStreams(per_session=2, per_account=3, in_all=100)

    opened = [streams.open(session=f"session-{n}", account_id=7) for n in range(4)]
    someone_else = streams.open(session="another", account_id=8)

    assert opened[0] is not None
    assert opened[0].ending is Ending.REPLACED
    assert [stream.ending if stream else "refused" for stream in opened[1:]] == [None] * 3
    assert someone_else is not None
    assert len(streams) == 4


def test_a_stopping_instance_opens_no_stream() -> None:
    streams = LiveStreams()
    first = streams.open(session="s", account_id=1)

    streams.end_all()

    assert first is not None
    assert first.ending is Ending.SHUTDOWN
    assert streams.open(session="s", account_id=1) is None
