"""A mailbox kept open in IDLE on a real Dovecot of its own: a mail is taken in as it
arrives, the watcher connects again when the server comes back, and a server without IDLE
is left to the scheduled poll."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from frontdoor.core.department import Department
from frontdoor.cpu import CpuProcesses
from frontdoor.departments import Departments
from frontdoor.mailbox.imap import ImapMailbox
from frontdoor.mailbox.intake import Intake, PollReport
from frontdoor.mailbox.job import imap_session
from frontdoor.mailbox.texts import mail_texts
from frontdoor.mailbox.watch import WATCHERS, Watchers, stop_watchers, watch
from frontdoor.settings import Settings
from frontdoor.store.attachments import FolderStore
from frontdoor.store.db import session_maker
from frontdoor.web.app import create_app
from frontdoor.web.job_registry import SCHEDULED_JOBS
from tests.conftest import ROOT
from tests.fakes.dovecot import Dovecot
from tests.mailbox.delivered import deliver, department_on, mail, private_dovecot, requests
from tests.waiting import eventually
from tests.web.calls import stored

NO_IDLE = "imap_capability = IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE LITERAL+ UIDPLUS MOVE\n"


@pytest.fixture
def own_dovecot() -> Iterator[Dovecot]:
    """A Dovecot of this test's own: it is stopped and started again."""
    yield from private_dovecot()


@pytest.fixture
def dovecot_without_idle() -> Iterator[Dovecot]:
    yield from private_dovecot(NO_IDLE)


def intake_of(
    department: Department, engine: AsyncEngine, tmp_path: Path, processes: CpuProcesses
) -> Intake:
    return Intake(
        department=department,
        sessions=session_maker(engine),
        texts=mail_texts(ROOT / "templates"),
        attachments=FolderStore(tmp_path / "attachments"),
        max_bytes=200_000,
        clock=lambda: datetime.fromisoformat("2026-03-10T10:00:00+01:00"),
        mailer=None,
        pseudonym_key=b"test-pseudonym-key",
        processes=processes,
    )


@pytest.fixture
async def watching() -> AsyncIterator[Callable[[Department, Intake, Watchers], asyncio.Task[None]]]:
    tasks: list[asyncio.Task[None]] = []

    def start(department: Department, intake: Intake, watchers: Watchers) -> asyncio.Task[None]:
        assert department.mailbox is not None
        mailbox = department.mailbox
        task = asyncio.create_task(
            watch(department, open_box=lambda: imap_session(department, mailbox),
                  poll=intake.poll, watchers=watchers, first_delay_s=0.2)
        )  # fmt: skip
        tasks.append(task)
        return task

    yield start
    # As the app stops them: a cancellation swallowed inside the IMAP client (Python 3.11)
    # is sent again, or the watcher would IDLE on and hold the test's teardown for good.
    assert not await stop_watchers(tasks)


async def test_a_mail_is_taken_in_as_it_arrives_and_again_after_the_server_came_back(
    own_dovecot: Dovecot,
    lot: Department,
    engine: AsyncEngine,
    tmp_path: Path,
    processes: CpuProcesses,
    watching: Callable[[Department, Intake, Watchers], asyncio.Task[None]],
) -> None:
    department = department_on(lot, own_dovecot)
    watchers = Watchers()
    await deliver(department, mail(1))  # waiting before the watcher starts
    watching(department, intake_of(department, engine, tmp_path, processes), watchers)

    async def taken(count: int) -> bool:
        return len(await requests(engine)) == count

    await eventually(lambda: taken(1))
    await eventually(lambda: department.slug in watchers.idling)
    await deliver(department, mail(2, sender="ide.lac@gmail.com"))  # pushed: EXISTS
    await eventually(lambda: taken(2))

    await asyncio.to_thread(own_dovecot.pause)  # the server says BYE and goes away
    await eventually(lambda: department.slug not in watchers.idling)
    await asyncio.sleep(0.5)  # a reconnection or two fails meanwhile
    await asyncio.to_thread(own_dovecot.resume)
    await eventually(lambda: department.slug in watchers.idling)
    await deliver(department, mail(3, sender="as.geriatrie@ch-figeac.fr"))
    await eventually(lambda: taken(3))


async def test_a_watcherstop_watchers_in_the_middle_of_a_command_drops_the_connection_at_once(
    own_dovecot: Dovecot,
    lot: Department,
    engine: AsyncEngine,
    tmp_path: Path,
    processes: CpuProcesses,
) -> None:
    department = department_on(lot, own_dovecot)
    assert department.mailbox is not None
    mailbox, intake = department.mailbox, intake_of(department, engine, tmp_path, processes)
    asking = asyncio.Event()

    async def poll_a_server_that_hung(box: ImapMailbox) -> PollReport:
        await asyncio.to_thread(own_dovecot.freeze)
        asking.set()
        return await intake.poll(box)  # its SEARCH is never answered

    task = asyncio.create_task(
        watch(department, open_box=lambda: imap_session(department, mailbox),
              poll=poll_a_server_that_hung, watchers=Watchers())
    )  # fmt: skip
    try:
        await asyncio.wait_for(asking.wait(), timeout=15)
        await asyncio.sleep(0.3)  # the command is on its way
        task.cancel()
        # A LOGOUT would wait behind the unanswered SEARCH for the IMAP timeout (30 s).
        done, _ = await asyncio.wait([task], timeout=5)
        assert task in done
    finally:
        own_dovecot.thaw()
        await stop_watchers([task])


async def test_without_idle_the_mailbox_is_left_to_the_scheduled_poll(
    dovecot_without_idle: Dovecot,
    lot: Department,
    engine: AsyncEngine,
    tmp_path: Path,
    processes: CpuProcesses,
    watching: Callable[[Department, Intake, Watchers], asyncio.Task[None]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    department = department_on(lot, dovecot_without_idle)
    watchers = Watchers()
    caplog.set_level("INFO")
    task = watching(department, intake_of(department, engine, tmp_path, processes), watchers)

    await asyncio.wait_for(task, timeout=10)  # it returns: nothing to watch
    assert watchers.idling == set()
    assert "does not offer IDLE" in caplog.text
    # The job's poll still reads it.
    await deliver(department, mail(1))
    assert department.mailbox is not None
    async with imap_session(department, department.mailbox) as box:
        report = await intake_of(department, engine, tmp_path, processes).poll(box)
    assert report.taken == 1


__all__ = ["ImapMailbox", "PollReport"]


async def test_the_app_watches_each_mailbox_while_it_runs(
    aiohttp_client: object,
    wired_settings: Settings,
    departments: Departments,
    mail_department: Department,
    tmp_path: Path,
) -> None:
    settings = wired_settings.model_copy(
        update={"jobs_enabled": True, "mail_attachments_dir": tmp_path / "files"}
    )
    served = Departments(mail_department if d.slug == "dac46" else d for d in departments)
    app = create_app(settings, served, clock=lambda: datetime(2026, 5, 12, 8, 0, tzinfo=UTC))
    app[SCHEDULED_JOBS] = ()  # no job: what is taken in, the watcher took
    client = await aiohttp_client(app)  # type: ignore[operator]

    await eventually(lambda: mail_department.slug in app[WATCHERS].idling)
    await deliver(mail_department, mail(1))
    await eventually(lambda: _stored(settings, 1))

    [task] = app[WATCHERS].tasks
    await client.close()
    assert task.done()


async def test_a_watcher_that_swallowed_its_cancellation_is_cancelled_again() -> None:
    """Python 3.11's asyncio.wait_for can swallow a cancellation that meets its completion:
    the watcher would IDLE on; the app cancels it again until it stops."""
    cancelled = 0
    forever = asyncio.Event()

    async def swallowing_once() -> None:
        nonlocal cancelled
        while True:
            try:
                await forever.wait()
            except asyncio.CancelledError:
                cancelled += 1
                if cancelled > 1:
                    raise

    task = asyncio.create_task(swallowing_once())
    await asyncio.sleep(0)

    left = await stop_watchers([task])

    assert left == set()
    assert task.cancelled()
    assert cancelled == 2


async def _stored(settings: Settings, count: int) -> bool:
    requests_, _ = await stored(settings)
    return len(requests_) == count
