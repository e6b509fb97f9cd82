"""The scheduler: wakes each job up on its crontab in every instance; the lease picks one.

APScheduler 3's AsyncIOScheduler runs in the app's event loop, from the app's cleanup context.
Its cron triggers are aligned on the UTC clock, so every instance fires the same slots; for
each firing, `run_once` claims the slot in job_runs, runs the job if the claim landed, and
records how it ended. The scheduler keeps no state of its own (jobs live in memory, rebuilt
at start-up): the database is the record.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime, timedelta

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger

from frontdoor.core.failures import describe_failure
from frontdoor.jobs import lease
from frontdoor.jobs.base import Job, JobContext
from frontdoor.keys import CLOCK, ENGINE, SETTINGS
from frontdoor.kit.runtime import JOB_RUNTIME
from frontdoor.web import job_registry
from frontdoor.web.job_registry import SCHEDULED_JOBS

log = logging.getLogger(__name__)

# A firing later than this is dropped (an instance that was paused or overloaded); with
# coalescing, a backlog of missed firings becomes one run at most, for the latest slot.
MISFIRE_GRACE_S = 30
# How long stopping waits for running jobs before cancelling them.
STOP_GRACE_S = 10.0
# Bound on recording a run's end, so that stopping never hangs on the database.
FINISH_TIMEOUT_S = 5.0
# How many slots a "not fired here" line names, and counts at most (an instance paused for
# days has missed thousands of a job's slots).
SKIPPED_NAMED = 10
SKIPPED_COUNTED = 1000


def trigger_for(job: Job, *, every_s: int | None = None) -> CronTrigger:
    """The job's trigger in UTC: its crontab, or every `every_s` seconds (tests, demos)."""
    if every_s is not None:
        return CronTrigger(second=f"*/{every_s}", timezone=UTC)
    fields = job.crontab.split()
    if len(fields) != 5:
        raise ValueError(f"{job.name}: a crontab has 5 fields, got {job.crontab!r}")
    if any(character.isdigit() for character in fields[4]):
        raise ValueError(
            f"{job.name}: name the days of the week (mon-fri) in {job.crontab!r}: "
            "APScheduler 3 numbers them from Monday = 0, cron from Sunday = 0"
        )
    return CronTrigger.from_crontab(job.crontab, timezone=UTC)


def due_slot(trigger: BaseTrigger, now: datetime, *, lookback: timedelta) -> datetime | None:
    """The latest fire time of `trigger` at or before `now` (to the second), if it is within
    `lookback`: the slot APScheduler fired for (with coalescing, its latest due run time).

    APScheduler 3 does not tell the job which run time it fires for, so it is recomputed from
    the trigger, which is pure.
    """
    latest = None
    fire = trigger.get_next_fire_time(None, now - lookback)
    while fire is not None and fire <= now:
        latest = fire
        fire = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
    return None if latest is None else latest.astimezone(UTC).replace(microsecond=0)


def slots_between(
    trigger: BaseTrigger, after: datetime, before: datetime, *, at_most: int = SKIPPED_COUNTED
) -> list[datetime]:
    """The trigger's slots strictly between two of its slots, oldest first, `at_most` of them."""
    found: list[datetime] = []
    fire = trigger.get_next_fire_time(after, after + timedelta(seconds=1))
    while fire is not None and fire < before and len(found) < at_most:
        found.append(fire.astimezone(UTC).replace(microsecond=0))
        fire = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
    return found


async def run_once(app: web.Application, job: Job, *, slot: datetime, instance: str) -> bool:
    """Claim the slot, run the job if the claim landed, record the end; True if it ran here."""
    engine, clock = app[ENGINE], app[CLOCK]
    try:
        claimed = await lease.claim(engine, job=job.name, slot=slot, instance=instance, now=clock())
    except Exception as error:  # noqa: BLE001  (the next slot will try again)
        log.warning(
            "job %s, slot %s: not claimed (%s)",
            job.name,
            lease.slot_key(slot),
            describe_failure(error),
        )
        return False
    if not claimed:
        log.debug(
            "job %s, slot %s: not run here (another instance has it, or a run of the job is "
            "still going)",
            job.name,
            lease.slot_key(slot),
        )
        return False
    try:
        detail = await job.run(JobContext(runtime=app[JOB_RUNTIME], slot=slot))
    except asyncio.CancelledError:
        await _finish(app, job, slot, instance, ok=False, detail="stopped with the instance")
        raise
    except Exception as error:  # noqa: BLE001  (recorded; the job runs again next slot)
        detail = describe_failure(error)
        log.error("job %s, slot %s failed: %s", job.name, lease.slot_key(slot), detail)
        log.debug("job %s traceback", job.name, exc_info=True)
        await _finish(app, job, slot, instance, ok=False, detail=detail)
    else:
        log.info("job %s, slot %s: %s", job.name, lease.slot_key(slot), detail or "done")
        await _finish(app, job, slot, instance, ok=True, detail=detail)
    return True


async def _finish(
    app: web.Application, job: Job, slot: datetime, instance: str, *, ok: bool, detail: str | None
) -> None:
    try:
        async with asyncio.timeout(FINISH_TIMEOUT_S):
            await lease.finish(
                app[ENGINE],
                job=job.name,
                slot=slot,
                instance=instance,
                ok=ok,
                detail=detail,
                now=app[CLOCK](),
            )
    except Exception as error:  # noqa: BLE001  (the row stays unfinished, which says it)
        log.warning(
            "job %s, slot %s: end not recorded (%s)",
            job.name,
            lease.slot_key(slot),
            describe_failure(error),
        )


def _say_not_fired(job_name: str, skipped: list[datetime], why: str) -> None:
    if not skipped:
        return
    named = ", ".join(lease.slot_key(one) for one in skipped[:SKIPPED_NAMED])
    more = len(skipped) - SKIPPED_NAMED
    at_least = "+" if len(skipped) == SKIPPED_COUNTED else ""
    log.warning(
        "job %s: slot(s) %s%s not fired here (%s)",
        job_name,
        named,
        f" and {more}{at_least} more" if more > 0 else "",
        why,
    )


class _Firings:
    """What APScheduler calls at each firing, and the runs in progress (to wait for them)."""

    def __init__(self, app: web.Application, instance: str) -> None:
        self.app = app
        self.instance = instance
        self.running: set[asyncio.Task[object]] = set()
        self.last_slot: dict[str, datetime] = {}
        self.triggers: dict[str, BaseTrigger] = {}

    async def fire(self, job: Job, trigger: BaseTrigger) -> None:
        task = asyncio.current_task()
        if task is not None:
            self.running.add(task)
        try:
            lookback = timedelta(seconds=MISFIRE_GRACE_S + 5)
            slot = due_slot(trigger, datetime.now(UTC), lookback=lookback)
            if slot is None:
                log.warning("job %s fired with no slot due; skipped", job.name)
                return
            self._say_skipped(job, trigger, slot)
            await run_once(self.app, job, slot=slot, instance=self.instance)
        finally:
            if task is not None:
                self.running.discard(task)

    def watch(self, job: Job, trigger: BaseTrigger, since: datetime) -> None:
        """Account for each of the job's slots after `since` (the scheduler's start): each is
        fired here, or said not to be (`_say_skipped`, `say_unfired`)."""
        self.triggers[job.name] = trigger
        self.last_slot[job.name] = since

    def _say_skipped(self, job: Job, trigger: BaseTrigger, slot: datetime) -> None:
        """Slots APScheduler did not fire here since the last: late firings coalesced into one,
        or skipped while this instance's previous run of the job was going. Another instance
        may have run them; if none did, the job's next run does what was due."""
        previous = self.last_slot.get(job.name)
        self.last_slot[job.name] = max(slot, previous or slot)
        if previous is not None and slot > previous:
            _say_not_fired(
                job.name,
                slots_between(trigger, previous, slot),
                "this instance was late, or its previous run of the job still going",
            )

    def say_unfired(self, now: datetime) -> None:
        """At stop: the slots due since each job's last firing here, which it will not fire."""
        for name, trigger in self.triggers.items():
            last = self.last_slot[name]
            _say_not_fired(name, slots_between(trigger, last, now), "this instance stopped first")

    async def wait(self, grace_s: float) -> None:
        """Let the runs in progress end; cancel those still running after `grace_s` seconds."""
        if not self.running:
            return
        _, pending = await asyncio.wait(set(self.running), timeout=grace_s)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)


def _build_scheduler(
    jobs: Iterable[Job], firings: _Firings, *, every_s: int | None
) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone=UTC)
    since = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=1)
    for job in jobs:
        trigger = trigger_for(job, every_s=every_s)
        firings.watch(job, trigger, since)
        scheduler.add_job(
            firings.fire,
            trigger,
            args=(job, trigger),
            id=job.name,
            name=job.name,
            coalesce=True,
            misfire_grace_time=MISFIRE_GRACE_S,
            max_instances=1,
        )
    return scheduler


async def scheduler_context(app: web.Application) -> AsyncIterator[None]:
    """The scheduler's lifetime, for app.cleanup_ctx (after the database's).

    Runs the jobs of app[SCHEDULED_JOBS], by default job_registry.JOBS, when jobs are enabled.
    """
    settings = app[SETTINGS]
    if not settings.jobs_enabled:
        yield
        return
    jobs = app.get(SCHEDULED_JOBS, job_registry.JOBS)
    firings = _Firings(app, settings.instance_name)
    _quiet_apscheduler()
    scheduler = _build_scheduler(jobs, firings, every_s=settings.jobs_every_s)
    scheduler.start()
    log.info("scheduler started: %d job(s) on %s", len(jobs), settings.instance_name)
    try:
        yield
    finally:
        scheduler.pause()  # no new firings while the running ones end
        firings.say_unfired(datetime.now(UTC))
        await firings.wait(STOP_GRACE_S)
        scheduler.shutdown(wait=False)
        await asyncio.sleep(0)  # AsyncIOScheduler shuts down in a callback on the loop


def _quiet_apscheduler() -> None:
    # APScheduler logs two INFO lines per firing in every instance; run_once logs the runs
    # that matter. Left alone if the operator configured that logger.
    logger = logging.getLogger("apscheduler")
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.WARNING)
