"""The scheduler: triggers and slots (pure), then whole apps firing test jobs every second."""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy.ext.asyncio import AsyncEngine

from frontdoor.departments import Departments
from frontdoor.jobs.base import Job, JobContext
from frontdoor.settings import Settings
from frontdoor.web import job_registry, scheduler
from frontdoor.web.app import create_app
from frontdoor.web.job_registry import SCHEDULED_JOBS
from frontdoor.web.scheduler import due_slot, trigger_for
from tests.jobs.runs import job_runs, on_the_grid_each_once, slots_of
from tests.waiting import eventually


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def job(crontab: str = "* * * * *", name: str = "demo") -> Job:
    async def nothing(_ctx: JobContext) -> None:
        return None

    return Job(name=name, description="Does nothing.", crontab=crontab, run=nothing)


LOOKBACK = timedelta(seconds=35)


@pytest.mark.parametrize(
    ("crontab", "every_s", "now", "slot"),
    [
        pytest.param("* * * * *", 1, "2026-11-23 12:00:07.004", "2026-11-23 12:00:07", id="1s"),
        pytest.param("* * * * *", 5, "2026-11-23 12:00:07.004", "2026-11-23 12:00:05", id="5s"),
        pytest.param("* * * * *", None, "2026-11-23 12:00:00.3", "2026-11-23 12:00:00", id="min"),
        pytest.param("0 6 * * *", None, "2026-11-23 06:00:00.01", "2026-11-23 06:00:00", id="6h"),
        pytest.param("0 6 * * *", None, "2026-11-23 06:00:34", "2026-11-23 06:00:00", id="late"),
        pytest.param("0 6 * * *", None, "2026-11-23 06:00:36", None, id="too-late"),
        pytest.param("0 6 * * *", None, "2026-11-23 05:59:59.9", None, id="early"),
        pytest.param(
            "30 1 * * sun", None, "2026-03-29 01:30:00.2", "2026-03-29 01:30:00", id="utc-dst-day"
        ),
    ],
)
def test_the_slot_is_the_latest_fire_time(
    crontab: str, every_s: int | None, now: str, slot: str | None
) -> None:
    trigger = trigger_for(job(crontab), every_s=every_s)

    assert due_slot(trigger, at(now), lookback=LOOKBACK) == (slot and at(slot))


def test_every_s_keeps_the_slots_on_the_clock() -> None:
    trigger = trigger_for(job("0 6 * * *"), every_s=15)

    fire = trigger.get_next_fire_time(None, at("2026-11-23 12:00:01.5"))

    assert fire == at("2026-11-23 12:00:15")


def test_the_slots_between_two_are_listed_up_to_a_bound() -> None:
    every_minute = trigger_for(job())

    def between(after: str, before: str) -> list[datetime]:
        return scheduler.slots_between(every_minute, at(after), at(before))

    assert between("2026-11-23 12:00", "2026-11-23 12:03") == [
        at("2026-11-23 12:01"),
        at("2026-11-23 12:02"),
    ]
    assert between("2026-11-23 12:00", "2026-11-23 12:01") == []
    assert len(between("2026-11-23 12:00", "2026-11-30 12:00")) == scheduler.SKIPPED_COUNTED


def test_slots_not_fired_in_an_instance_are_said_in_one_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Late firings coalesced into one, or skipped while the job's previous run went on: the
    operator sees which slots this instance did not fire (another may have run them)."""
    firings = scheduler._Firings(app=None, instance="alpha")  # type: ignore[arg-type]
    demo = job()
    trigger = trigger_for(demo, every_s=1)
    caplog.set_level("WARNING", logger="frontdoor.web.scheduler")

    firings.watch(demo, trigger, since=at("2026-11-23 11:59:59"))
    for second in (0, 1, 4, 3, 5):  # 2 and 3 not fired; then 3 comes late: nothing more said
        firings._say_skipped(demo, trigger, at(f"2026-11-23 12:00:0{second}"))

    firings.say_unfired(at("2026-11-23 12:00:07.5"))  # stopped before firing 6 and 7

    assert [record.getMessage() for record in caplog.records] == [
        "job demo: slot(s) 2026-11-23T12:00:02Z, 2026-11-23T12:00:03Z not fired here (this "
        "instance was late, or its previous run of the job still going)",
        "job demo: slot(s) 2026-11-23T12:00:06Z, 2026-11-23T12:00:07Z not fired here (this "
        "instance stopped first)",
    ]


def test_crontabs_are_read_in_utc() -> None:
    trigger = trigger_for(job("0 6 * * mon-fri"))

    fire = trigger.get_next_fire_time(None, at("2026-11-21 12:00"))  # a Saturday

    assert fire == at("2026-11-23 06:00")


@pytest.mark.parametrize(
    ("crontab", "problem"),
    [("0 6 * *", "5 fields"), ("0 6 * * 1-5", "name the days"), ("0 6 * * 0", "Monday = 0")],
)
def test_crontabs_that_would_mislead_are_refused(crontab: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        trigger_for(job(crontab))


def test_every_registered_job_is_well_formed() -> None:
    names = [j.name for j in job_registry.JOBS]
    assert len(set(names)) == len(names), Counter(names).most_common(1)
    for registered in job_registry.JOBS:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", registered.name), registered.name
        assert registered.description.endswith("."), registered.name
        assert "|" not in registered.description, registered.name
        trigger_for(registered)


# Whole apps, with jobs firing every second.


class Recorder:
    """A test job that remembers the slots it ran for."""

    def __init__(self, name: str = "record", pause_s: float = 0.0) -> None:
        self.slots: list[datetime] = []
        self.started = asyncio.Event()
        self.pause_s = pause_s
        self.job = Job(name=name, description="Records.", crontab="0 6 * * *", run=self.run)

    async def run(self, ctx: JobContext) -> str:
        self.started.set()
        self.slots.append(ctx.slot)
        await asyncio.sleep(self.pause_s)
        return f"slot {ctx.slot:%H:%M:%S}"


def scheduled(settings: Settings, instance: str, **changes: Any) -> Settings:
    return settings.model_copy(
        update={"jobs_enabled": True, "jobs_every_s": 1, "instance_name": instance, **changes}
    )


async def start(
    aiohttp_client: Any, settings: Settings, departments: Departments, *jobs: Job
) -> TestClient:
    app = create_app(settings, departments)
    app[SCHEDULED_JOBS] = jobs
    client: TestClient = await aiohttp_client(app)
    return client


async def test_an_app_runs_its_job_once_in_each_slot(
    aiohttp_client: Any, settings: Settings, departments: Departments, engine: AsyncEngine
) -> None:
    recorder = Recorder()
    client = await start(aiohttp_client, scheduled(settings, "a"), departments, recorder.job)

    await eventually(lambda: len(recorder.slots) >= 2)
    await client.close()

    runs = await job_runs(engine)
    assert len(recorder.slots) >= 2
    assert slots_of(runs, "record") == recorder.slots
    assert on_the_grid_each_once(recorder.slots)
    assert all(slot.microsecond == 0 and slot.tzinfo == UTC for slot in recorder.slots)
    assert {(run.instance, run.ok) for run in runs} == {("a", True)}
    assert runs[0].detail == f"slot {recorder.slots[0]:%H:%M:%S}"


async def test_two_apps_on_one_database_run_each_slot_once(
    aiohttp_client: Any, settings: Settings, departments: Departments, engine: AsyncEngine
) -> None:
    first, second = Recorder(), Recorder()
    clients = [
        await start(aiohttp_client, scheduled(settings, "a"), departments, first.job),
        await start(aiohttp_client, scheduled(settings, "b"), departments, second.job),
    ]

    await eventually(lambda: len(first.slots) + len(second.slots) >= 3)
    for client in clients:
        await client.close()

    runs = await job_runs(engine)
    slots = sorted(first.slots + second.slots)
    assert len(slots) >= 2
    assert on_the_grid_each_once(slots)  # no slot run twice, by either app
    assert slots_of(runs, "record") == slots
    assert Counter(run.instance for run in runs) == {
        name: len(recorder.slots)
        for name, recorder in (("a", first), ("b", second))
        if recorder.slots
    }


async def test_with_jobs_disabled_nothing_runs(
    aiohttp_client: Any, settings: Settings, departments: Departments, engine: AsyncEngine
) -> None:
    recorder, witness = Recorder(), Recorder(name="witness")
    client = await start(
        aiohttp_client, scheduled(settings, "a", jobs_enabled=False), departments, recorder.job
    )
    # A second app with jobs on, in the same loop: once it has run two slots, the first one
    # had every chance to run its job too.
    other = await start(aiohttp_client, scheduled(settings, "b"), departments, witness.job)

    await eventually(lambda: len(witness.slots) >= 2)
    await client.close()
    await other.close()

    assert recorder.slots == []
    assert {run.job for run in await job_runs(engine)} == {"witness"}


async def test_stopping_waits_for_the_running_job(
    aiohttp_client: Any, settings: Settings, departments: Departments, engine: AsyncEngine
) -> None:
    recorder = Recorder(pause_s=0.5)
    client = await start(aiohttp_client, scheduled(settings, "a"), departments, recorder.job)

    await eventually(recorder.started.is_set)
    await client.close()

    [run] = await job_runs(engine)
    assert (run.ok, run.finished_at is not None) == (True, True)


async def test_a_job_still_running_after_the_grace_is_cancelled_and_recorded(
    aiohttp_client: Any,
    settings: Settings,
    departments: Departments,
    engine: AsyncEngine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(scheduler, "STOP_GRACE_S", 0.1)
    recorder = Recorder(pause_s=30)
    client = await start(aiohttp_client, scheduled(settings, "a"), departments, recorder.job)

    await eventually(recorder.started.is_set)
    async with asyncio.timeout(20):  # the job would pause 30 s
        await client.close()

    [run] = await job_runs(engine)
    assert (run.ok, run.detail) == (False, "stopped with the instance")
