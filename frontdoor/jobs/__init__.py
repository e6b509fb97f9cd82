"""Scheduled jobs: what runs on a clock, once per slot across every instance.

`base` holds the types, `registry.JOBS` the list, `scheduler` wakes them up and `lease` makes
sure one instance only runs each slot.
"""

from frontdoor.jobs.base import Job, JobContext

__all__ = ["Job", "JobContext"]
