"""The service's own housekeeping jobs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from frontdoor.core.access import Role
from frontdoor.core.sign_in import DEVICE_LIFETIME, FORGET_AFTER, Tally
from frontdoor.jobs import lease
from frontdoor.jobs.base import JobContext
from frontdoor.jobs.housekeeping import purge_job_runs
from frontdoor.kit.runtime import JobRuntime
from frontdoor.store.accounts import add_account, open_session
from frontdoor.store.db import session_maker
from frontdoor.store.models import ConsoleSession, SignInDevice, SignInTally
from frontdoor.store.sign_in_records import count_failure, remember_device
from tests.jobs.runs import job_runs

SLOT = datetime(2026, 11, 23, 3, 17, tzinfo=UTC)


async def test_job_runs_older_than_30_days_are_purged(
    engine: AsyncEngine, runtime: JobRuntime
) -> None:
    for age in (timedelta(days=31), timedelta(days=30, seconds=1), timedelta(days=29)):
        started = SLOT - age
        await lease.claim(engine, job="demo", slot=started, instance="a", now=started)
    detail = await purge_job_runs(JobContext(runtime=runtime, slot=SLOT))

    assert detail == "2 rows deleted"
    assert [run.slot for run in await job_runs(engine)] == ["2026-10-25T03:17:00Z"]


async def test_expired_console_sign_ins_are_deleted(
    engine: AsyncEngine, runtime: JobRuntime
) -> None:
    async with session_maker(engine)() as session:
        account = await add_account(
            session=session, login="a@dac46.fr", display_name="A", role=Role.REFERENT,
            departments=["dac46"], password_hash=None, referent_id=None, now=SLOT,
        )  # fmt: skip
        for lifetime in (timedelta(hours=-1), timedelta(hours=1)):
            await open_session(session=session, account=account, now=SLOT, lifetime=lifetime)
        await session.commit()

    await purge_job_runs(JobContext(runtime=runtime, slot=SLOT))

    async with session_maker(engine)() as session:
        left = (await session.exec(select(ConsoleSession))).all()
    assert [row.expires_at for row in left] == [SLOT + timedelta(hours=1)]


async def test_failed_sign_in_counts_that_hold_nobody_and_unused_devices_are_deleted(
    engine: AsyncEngine, runtime: JobRuntime
) -> None:
    async with session_maker(engine)() as session:
        account = await add_account(
            session=session, login="a@dac46.fr", display_name="A", role=Role.REFERENT,
            departments=["dac46"], password_hash=None, referent_id=None, now=SLOT,
        )  # fmt: skip
        for key, last in (("old", SLOT - FORGET_AFTER), ("recent", SLOT - timedelta(hours=2))):
            stored = Tally(failures=9, first=last, last=last)
            await count_failure(session=session, steps={key: lambda _, t=stored: t}, now=last)
        for used in (SLOT - DEVICE_LIFETIME, SLOT - timedelta(days=30)):
            await remember_device(session=session, account_id=account.id or 0, token=None, now=used)
        await session.commit()

    await purge_job_runs(JobContext(runtime=runtime, slot=SLOT))

    async with session_maker(engine)() as session:
        tallies = (await session.exec(select(SignInTally))).all()
        devices = (await session.exec(select(SignInDevice))).all()
    assert [row.key for row in tallies] == ["recent"]
    assert [row.last_used_at for row in devices] == [SLOT - timedelta(days=30)]
