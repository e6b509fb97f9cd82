"""The live streams of an instance that look at the store at the same moment share one look:
the store is read once for all their sessions and once for each page, however many streams
show it; what one look finds, or fails with, reaches each of its streams."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.console.duty import DutyLinePage
from frontdoor.console.live_feed import until_next_look
from frontdoor.console.live_looks import PACE_S, LiveLooks, Seen
from frontdoor.core.access import Role
from frontdoor.core.department import Department
from frontdoor.store.accounts import add_account, digest, open_session
from frontdoor.store.db import create_engine, session_maker

NOW = datetime(2026, 5, 12, 8, 0, tzinfo=UTC)
Sessions = async_sessionmaker[AsyncSession]


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[Sessions]:
    engine = create_engine(database_url)
    yield session_maker(engine)
    await engine.dispose()


async def signed_in(sessions: Sessions, *logins: str, expires: datetime | None = None) -> list[str]:
    """The digests of new sessions of these Lot coordinators, signed in at NOW."""
    digests = []
    lifetime = (expires or NOW + timedelta(hours=8)) - NOW
    async with sessions() as session:
        for login in logins:
            account = await add_account(
                session=session, login=login, display_name=login, role=Role.COORDINATOR,
                departments=["dac46"], password_hash=None, referent_id=None, now=NOW,
            )  # fmt: skip
            token, _row = await open_session(
                session=session, account=account, now=NOW, lifetime=lifetime
            )
            digests.append(digest(token))
        await session.commit()
    return digests


async def one_look(
    sessions: Sessions, streams: Sequence[tuple[str, Department]], statements: list[str]
) -> tuple[list[Seen[object]], int]:
    """What each stream's look finds when they all look at once, and the statements sent."""
    looks = LiveLooks()
    statements.clear()
    seen = await asyncio.gather(
        *(
            looks.look(sessions, session=viewer, page=DutyLinePage(department), now=NOW)
            for viewer, department in streams
        )
    )
    return list(seen), len(statements)


@pytest.mark.parametrize("every_s", [0.05, 2.0, 3600.0])
def test_streams_opened_at_different_moments_wake_for_the_same_looks(every_s: float) -> None:
    tick = 1_000 * every_s  # a look of the instance
    opened = [tick + every_s * fraction for fraction in (0.02, 0.3, 0.7, 0.98)]

    wakes = {moment + until_next_look(every_s, clock_s=moment) for moment in opened}

    assert len({round(wake / every_s) for wake in wakes}) == 1
    assert all(0 < until_next_look(every_s, clock_s=moment) <= every_s for moment in opened)


async def test_twelve_streams_of_a_page_cost_the_store_what_one_does(
    sessions: Sessions, lot: Department, statements: list[str]
) -> None:
    viewers = await signed_in(sessions, *(f"vue{n}@dac46.fr" for n in range(12)))

    _, alone = await one_look(sessions, [(viewers[0], lot)], statements)
    seen, together = await one_look(sessions, [(viewer, lot) for viewer in viewers], statements)

    assert together == alone
    assert [found.account.login for found in seen if found.account] == [
        f"vue{n}@dac46.fr" for n in range(12)
    ]
    assert all(found.page == seen[0].page for found in seen)


async def test_each_page_is_read_once_and_the_sessions_once_for_all_pages(
    sessions: Sessions, lot: Department, moselle: Department, statements: list[str]
) -> None:
    viewers = await signed_in(sessions, "une@dac46.fr", "deux@dac46.fr")

    _, lot_alone = await one_look(sessions, [(viewers[0], lot)], statements)
    _, moselle_alone = await one_look(sessions, [(viewers[1], moselle)], statements)
    seen, together = await one_look(
        sessions, [(viewers[0], lot), (viewers[1], moselle), (viewers[1], lot)], statements
    )

    sessions_read = 1  # the one statement both lone looks sent, and the shared look once
    assert together == lot_alone + moselle_alone - sessions_read
    assert seen[0].page == seen[2].page


async def test_a_stream_whose_session_is_over_is_told_so_and_the_others_are_not(
    sessions: Sessions, lot: Department, statements: list[str]
) -> None:
    (current,) = await signed_in(sessions, "encore@dac46.fr")
    (expired,) = await signed_in(sessions, "partie@dac46.fr", expires=NOW)

    seen, _ = await one_look(
        sessions, [(current, lot), (expired, lot), (digest("jamais"), lot)], statements
    )

    assert seen[0].account is not None
    assert seen[0].account.login == "encore@dac46.fr"
    assert seen[1].account is None
    assert seen[2].account is None


class FailingPage:
    key = "a page the store cannot give"

    async def read(self, session: AsyncSession, *, now: datetime) -> object:
        raise ConnectionRefusedError("the store is gone")

    def made(self, read: object, *, now: datetime) -> object:
        return read


async def test_a_look_that_fails_fails_each_of_its_streams_and_the_next_look_starts_afresh(
    sessions: Sessions, lot: Department
) -> None:
    (viewer,) = await signed_in(sessions, "une@dac46.fr")
    looks = LiveLooks()

    failed = await asyncio.gather(
        *(looks.look(sessions, session=viewer, page=FailingPage(), now=NOW) for _ in range(3)),
        return_exceptions=True,
    )
    after = await looks.look(sessions, session=viewer, page=DutyLinePage(lot), now=NOW)

    assert [type(error) for error in failed] == [ConnectionRefusedError] * 3
    assert after.account is not None


class UnmadePage:
    key = "a page that cannot be made"

    async def read(self, session: AsyncSession, *, now: datetime) -> object:
        return None

    def made(self, read: object, *, now: datetime) -> object:
        raise ValueError("a row this page cannot show")


async def test_a_page_that_cannot_be_made_fails_its_own_streams_only(
    sessions: Sessions, lot: Department
) -> None:
    (viewer,) = await signed_in(sessions, "une@dac46.fr")
    looks = LiveLooks()

    unmade, board = await asyncio.gather(
        looks.look(sessions, session=viewer, page=UnmadePage(), now=NOW),
        looks.look(sessions, session=viewer, page=DutyLinePage(lot), now=NOW),
        return_exceptions=True,
    )

    assert isinstance(unmade, ValueError)
    assert isinstance(board, Seen)
    assert board.account is not None


async def test_a_stream_that_goes_away_during_a_look_leaves_it_to_the_others(
    sessions: Sessions, lot: Department
) -> None:
    leaving, staying = await signed_in(sessions, "part@dac46.fr", "reste@dac46.fr")
    looks = LiveLooks(gather_s=0.2)

    gone = asyncio.create_task(
        looks.look(sessions, session=leaving, page=DutyLinePage(lot), now=NOW)
    )
    kept = asyncio.create_task(
        looks.look(sessions, session=staying, page=DutyLinePage(lot), now=NOW)
    )
    await asyncio.sleep(0)  # both have joined the look
    gone.cancel()

    seen = await kept
    assert seen.account is not None
    assert seen.account.login == "reste@dac46.fr"
    assert gone.cancelled()


async def test_the_streams_of_a_look_go_on_one_after_the_other_not_all_at_once(
    sessions: Sessions, lot: Department
) -> None:
    viewers = await signed_in(sessions, *(f"vue{n}@dac46.fr" for n in range(5)))
    looks, went_on = LiveLooks(), list[tuple[str, float]]()
    loop = asyncio.get_running_loop()

    async def stream(viewer: str) -> None:
        seen = await looks.look(sessions, session=viewer, page=DutyLinePage(lot), now=NOW)
        assert seen.account is not None
        went_on.append((seen.account.login, loop.time()))

    await asyncio.gather(*(stream(viewer) for viewer in viewers))

    assert [login for login, _ in went_on] == [f"vue{n}@dac46.fr" for n in range(5)]
    # The loop runs a timer up to its clock's resolution early.
    early_s = time.get_clock_info("monotonic").resolution
    assert went_on[-1][1] - went_on[0][1] >= 4 * PACE_S - early_s


async def test_the_app_stopping_waits_for_the_look_under_way_which_gives_back_its_connection(
    sessions: Sessions, lot: Department
) -> None:
    (viewer,) = await signed_in(sessions, "une@dac46.fr")
    looks = LiveLooks()
    under_way = asyncio.create_task(
        looks.look(sessions, session=viewer, page=DutyLinePage(lot), now=NOW)
    )
    await asyncio.sleep(0)  # the look has begun

    await looks.finished()  # what the app's shutdown awaits, before it closes the store

    assert sessions.kw["bind"].pool.checkedout() == 0
    assert (await under_way).account is not None
