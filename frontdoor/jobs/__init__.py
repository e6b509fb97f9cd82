"""Scheduled jobs: what runs on a clock, once per slot across every instance.

`base` holds the types and `lease` makes sure one instance only runs each slot; the app lists
the jobs (frontdoor.web.job_registry, with those of the channels: the mailbox's) and wakes them
up (frontdoor.web.scheduler).
"""

from frontdoor.jobs.base import Job, JobContext

__all__ = ["Job", "JobContext"]
