"""Two `frontdoor serve` processes on one PostgreSQL database: every job slot runs once.

Each process fires every job every second (FRONTDOOR_JOBS_EVERY_S=1); the lease in job_runs
must give each (job, slot) to exactly one of them, with no slot lost while both run. A slot
may go unrun only while the job's previous run was still going (one run of a job at a time,
across instances: the lease refused it, as the instance's log says), or when neither instance
fired it (each says so in its log: a busy machine made it late, and its next firing ran the
latest slot): on a busy machine a run can take more than its second.
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest

from frontdoor.jobs import lease
from frontdoor.standins.twilio_api import FakeTwilioApi
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.models import CallbackTaskRow, Request
from frontdoor.web.job_registry import JOBS
from tests.conftest import POSTGRES_URL
from tests.jobs.runs import job_runs, running_at, slots_of
from tests.system.instances import Instance

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not POSTGRES_URL,
        reason="needs PostgreSQL: set FRONTDOOR_TEST_POSTGRES_URL (CI does), e.g. "
        "postgresql+asyncpg://postgres@127.0.0.1:5432/test",
    ),
]

INSTANCES = ("alpha", "beta")
RUN_S = 6.0
# Which instance wins a slot is chance (whose insert lands first); if one has won every slot
# after RUN_S, run on until the other wins one too, for at most this long.
MAX_RUN_S = 20.0


@pytest.fixture
async def instances(
    database_url: str, tmp_path: Path, twilio_api: FakeTwilioApi
) -> AsyncIterator[list[Instance]]:
    # At DEBUG, each instance says which slots the lease refused it (frontdoor.web.scheduler).
    started = [
        Instance(name, database_url, tmp_path, twilio_api, FRONTDOOR_LOG_LEVEL="DEBUG")
        for name in INSTANCES
    ]
    try:
        yield started
    finally:
        for instance in started:
            await instance.kill()


def not_fired(log: str, job: str) -> set[str]:
    """The slots of `job` an instance said it did not fire (frontdoor.web.scheduler)."""
    found: set[str] = set()
    for listed in re.findall(rf"job {re.escape(job)}: slot\(s\) (.+?) not fired here", log):
        found.update(re.findall(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", listed))
    return found


def before_watching(log: str, job: str, slots: list[datetime]) -> set[str]:
    """The slots before the first one of `job` the instance's log names (run, refused or not
    fired): its scheduler accounts for every slot after it started, so the slots before were
    not its to fire (under load an instance starts seconds after the other)."""
    named = re.findall(rf"job {re.escape(job)}[,:] [^\n]*?(\d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\dZ)", log)
    first = min(named, default=None)
    return {lease.slot_key(slot) for slot in slots if first is None or lease.slot_key(slot) < first}


def refused_by_lease(log: str, job: str) -> set[str]:
    """The slots of `job` an instance fired and did not run: with no run of that slot
    anywhere, the lease refused it because a run of the job was still going."""
    return set(re.findall(rf"job {re.escape(job)}, slot (\S+): not run here", log))


def about(log: str, job: str, slots: list[str]) -> str:
    """The log's lines that say something of these slots (HH:MM:SS): the job's, and those
    of the scheduler, the lease or APScheduler at those seconds."""
    return "\n".join(
        line
        for line in log.splitlines()
        if any(slot in line for slot in slots)
        and (job in line or "apscheduler" in line or "not claimed" in line)
    )


async def an_overdue_callback(database_url: str) -> None:
    """A Lot request whose callback was due an hour ago: the escalation job's work."""
    engine = create_engine(database_url)
    now = datetime.now(UTC)
    async with session_maker(engine)() as session:
        request = Request(
            department="dac46", channel="voice", call_sid="CA" + "5" * 32,
            caller_number="+33611223344", received_at=now - timedelta(days=3),
            callback_needed=True, outcome="voicemail",
        )  # fmt: skip
        session.add(request)
        await session.flush()
        assert request.id is not None
        session.add(
            CallbackTaskRow(
                request_id=request.id,
                department="dac46",
                created_at=request.received_at,
                due_at=now - timedelta(hours=1),
                assignees=["amartin"],
            )  # fmt: skip
        )
        await session.commit()
    await engine.dispose()


async def test_every_job_runs_once_per_slot_across_two_instances(
    database_url: str, instances: list[Instance], twilio_api: FakeTwilioApi
) -> None:
    await an_overdue_callback(database_url)
    for instance in instances:
        await instance.start()
    async with aiohttp.ClientSession() as session:
        await asyncio.gather(*(instance.wait_healthy(session) for instance in instances))
    engine = create_engine(database_url)
    try:
        await asyncio.sleep(RUN_S)
        for _ in range(int((MAX_RUN_S - RUN_S) / 0.5)):
            if {run.instance for run in await job_runs(engine)} == set(INSTANCES):
                break
            await asyncio.sleep(0.5)
        codes = await asyncio.gather(*(instance.stop() for instance in instances))
        assert codes == [0, 0], "\n".join(instance.log() for instance in instances)
        runs = await job_runs(engine)
    finally:
        await engine.dispose()

    logs = "\n".join(f"--- {i.name}\n{i.log()}" for i in instances)
    twice = [key for key, n in Counter((run.job, run.slot) for run in runs).items() if n > 1]
    assert twice == []
    # From its first run to its last, every second has its run of every job, none missing
    # (the ends are the runs', not the clock's: on a busy machine firings come late).
    assert len({run.slot for run in runs}) >= 4
    for job in JOBS:
        slots = set(slots_of(runs, job.name))
        expected = [
            min(slots) + timedelta(seconds=n)
            for n in range(int((max(slots) - min(slots)).total_seconds()) + 1)
        ]
        unfired = set.intersection(
            *(
                not_fired(i.whole_log(), job.name)
                | before_watching(i.whole_log(), job.name, expected)
                for i in instances
            )
        )
        refused = set.union(*(refused_by_lease(i.whole_log(), job.name) for i in instances))
        missing = [
            f"{slot:%H:%M:%S}"
            for slot in expected
            if slot not in slots
            and not running_at(runs, job.name, slot)
            and lease.slot_key(slot) not in unfired | refused
        ]
        assert missing == [], f"{job.name} missed slots {missing}\n" + "\n".join(
            f"--- {i.name}\n{about(i.whole_log(), job.name, missing)}" for i in instances
        )
    # Stopping waited for the runs in progress: each run has its end recorded.
    assert [run for run in runs if run.finished_at is None] == []
    # The job's effect happened once: one escalation SMS for the one overdue callback,
    # although both instances ran the escalation job every second.
    escalations = [m for m in twilio_api.messages if "en retard" in m["body"]]
    assert len(escalations) == 1, logs
    # Both instances won slots: the lease really was contended.
    assert set(Counter(run.instance for run in runs)) == set(INSTANCES), logs
