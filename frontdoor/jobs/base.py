"""What a scheduled job is, and what it is given when it runs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from frontdoor.kit.runtime import JobRuntime


@dataclass(kw_only=True, frozen=True)
class JobContext:
    # Settings, departments, sessions, clock, mailer, Twilio clients… (never the app).
    runtime: JobRuntime
    # The aware UTC instant this run is for: its scheduled fire time, to the second. Jobs
    # compute what is due at `slot`, not at the moment they happen to run.
    slot: datetime


@dataclass(kw_only=True, frozen=True)
class Job:
    name: str  # kebab-case, unique: the `job` column of job_runs
    description: str  # one English sentence, for the README's jobs table
    # Five-field crontab in UTC: "* * * * *", "0 6 * * *". Days of the week by name
    # ("mon-fri"): APScheduler 3 numbers them from Monday = 0, cron from Sunday = 0. With both
    # day fields restricted, APScheduler wants both to match (cron: either).
    crontab: str
    # Returns a short detail for job_runs.detail ("3 task(s) created"); no personal data.
    run: Callable[[JobContext], Awaitable[str | None]]
