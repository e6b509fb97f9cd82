"""The service's own housekeeping jobs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from frontdoor.core.access import Role
from frontdoor.jobs import lease
from frontdoor.jobs.base import JobContext
from frontdoor.jobs.housekeeping import purge_job_runs
from frontdoor.store.accounts import add_account, open_session
from frontdoor.store.db import session_maker
from frontdoor.store.models import ConsoleSession
from frontdoor.web.keys import ENGINE, SESSIONS
from tests.jobs.runs import job_runs

SLOT = datetime(2026, 11, 23, 3, 17, tzinfo=UTC)


async def test_job_runs_older_than_30_days_are_purged(engine: AsyncEngine) -> None:
    for age in (timedelta(days=31), timedelta(days=30, seconds=1), timedelta(days=29)):
        started = SLOT - age
        await lease.claim(engine, job="demo", slot=started, instance="a", now=started)
    detail = await purge_job_runs(JobContext(app=housekeeping_app(engine), slot=SLOT))

    assert detail == "2 rows deleted"
    assert [run.slot for run in await job_runs(engine)] == ["2026-10-25T03:17:00Z"]


def housekeeping_app(engine: AsyncEngine) -> web.Application:
    app = web.Application()
    app[ENGINE] = engine
    app[SESSIONS] = session_maker(engine)
    return app


async def test_expired_console_sign_ins_are_deleted(engine: AsyncEngine) -> None:
    async with session_maker(engine)() as session:
        account = await add_account(
            session=session, login="a@dac46.fr", display_name="A", role=Role.REFERENT,
            departments=["dac46"], password_hash=None, referent_id=None, now=SLOT,
        )  # fmt: skip
        for lifetime in (timedelta(hours=-1), timedelta(hours=1)):
            await open_session(session=session, account=account, now=SLOT, lifetime=lifetime)
        await session.commit()

    await purge_job_runs(JobContext(app=housekeeping_app(engine), slot=SLOT))

    async with session_maker(engine)() as session:
        left = (await session.exec(select(ConsoleSession))).all()
    assert [row.expires_at for row in left] == [SLOT + timedelta(hours=1)]
