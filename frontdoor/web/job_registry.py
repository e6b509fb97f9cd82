"""Every scheduled job of the service, in one table.

Add a job by appending a `Job` to JOBS, then paste `jobs_table(JOBS)` into the README's
"Scheduled jobs" section (tests/test_docs.py fails until the README shows every job).
"""

from __future__ import annotations

from collections.abc import Sequence

from aiohttp import web

from frontdoor.jobs.base import Job
from frontdoor.jobs.callbacks import create_missing_tasks, escalate_overdue
from frontdoor.jobs.digest import send_digests
from frontdoor.jobs.events import deliver_events
from frontdoor.jobs.housekeeping import purge_job_runs
from frontdoor.jobs.missed_calls import text_missed_calls
from frontdoor.jobs.notice_summaries import send_notice_summaries
from frontdoor.jobs.notifications import announce_shifts
from frontdoor.jobs.provider_records import delete_provider_records
from frontdoor.jobs.recordings import fetch_recordings
from frontdoor.jobs.retention import purge_expired
from frontdoor.jobs.roster_feeds import import_feeds
from frontdoor.jobs.tallies import fold_tallies
from frontdoor.mailbox.job import mailbox_job
from frontdoor.mailbox.outbox_job import send_outbox

JOBS: tuple[Job, ...] = (
    Job(
        name="callback-tasks-sweep",
        description="Gives a callback task to every missed contact that has none yet "
        "(a call whose status callback never came).",
        crontab="*/5 * * * *",
        run=create_missing_tasks,
    ),
    Job(
        name="callback-escalation",
        description="Tells the coordinator (SMS or mail) about each callback past its "
        "deadline, once.",
        crontab="* * * * *",
        run=escalate_overdue,
    ),
    Job(
        name="missed-call-sms",
        description="Tells each caller from a mobile whose call nobody took, once the call "
        "has settled, when she will be called back (`[callbacks] missed_call_sms`), once.",
        crontab="* * * * *",
        run=text_missed_calls,
    ),
    Job(
        name="shift-start-notices",
        description="Sends each referent an SMS when their duty begins, with the callbacks "
        "waiting for them.",
        crontab="* * * * *",
        run=announce_shifts,
    ),
    Job(
        name="notice-summaries",
        description="Sends each referent, by SMS, the one summary of the notices (or alerts "
        "of late callbacks) held back past their budget (six an hour: a flood of contacts), "
        "once their hour has room again and no new contact brought it.",
        crontab="* * * * *",
        run=send_notice_summaries,
    ),
    Job(
        name="daily-digest",
        description="Mails each coordinator at 7 h local time yesterday's calls, the callbacks "
        "due and the opening hours with nobody on duty in the next 14 days.",
        crontab="0 * * * *",
        run=send_digests,
    ),
    Job(
        name="retention-purge",
        description="Past each department's retention of each class (`[retention]`), "
        "removes it: recordings, call metadata (numbers, names), messages (texts, notes, "
        "attachments, outbox mails), persons' identity traits; requests stay, pseudonymised; "
        "whatever was written since under a purged request or person goes too; drops old "
        "webhook answers and refused journal entries.",
        crontab="41 2 * * *",
        run=purge_expired,
    ),
    Job(
        name="recordings-fetch",
        description="Fetches each voicemail still at Twilio (its status callback lost, or a "
        "fetch that failed) into the DAC's own store, then deletes it at Twilio.",
        crontab="*/5 * * * *",
        run=fetch_recordings,
    ),
    Job(
        name="twilio-records-deletion",
        description="Deletes at Twilio the Call and Message records (numbers, SMS texts, MMS "
        "media) of the calls, legs and SMS of each request an erasure or the retention purge "
        "reached, queued in its transaction; a call in progress, a message not yet final or "
        "Twilio unreachable is tried again with backoff for about 16 days, then given up and "
        "left for the operator (`frontdoor_twilio_deletions_given_up`).",
        crontab="*/5 * * * *",
        run=delete_provider_records,
    ),
    Job(
        name="roster-feeds-import",
        description="Imports each department's iCalendar feed of who is on duty "
        "(`[roster] ical_feed`) for the next 60 days.",
        crontab="*/15 * * * *",
        run=import_feeds,
    ),
    Job(
        name="mailbox-poll",
        description="Takes in each department's secure mailbox: new mails become or join "
        "requests, are acknowledged, and the referents on duty are told.",
        crontab="* * * * *",
        run=mailbox_job,
    ),
    Job(
        name="mail-outbox",
        description="Sends the acknowledgements and referents' answers that could not leave "
        "at once (SMTP server down), with exponential backoff; each is claimed by one "
        "instance and sent once.",
        crontab="* * * * *",
        run=send_outbox,
    ),
    Job(
        name="event-delivery",
        description="Posts each department's outgoing events (request created, updated, "
        "closed, callback overdue) to the endpoints subscribed, signed, with exponential "
        "backoff and jitter until a 2xx, then gives up; each is claimed by one instance and "
        "delivered once. Delivered and given-up events go 30 days after, with their log.",
        crontab="* * * * *",
        run=deliver_events,
    ),
    Job(
        name="indicator-tallies",
        description="Folds the counts the database wrote for each new or changed request into "
        "the monthly tallies the indicator table reads (a year is then a few thousand rows).",
        crontab="* * * * *",
        run=fold_tallies,
    ),
    Job(
        name="job-runs-purge",
        description="Deletes the records of job runs older than 30 days, the expired console "
        "sign-ins, the counts of failed sign-ins that hold nobody any more and the devices "
        "unused for 180 days.",
        crontab="17 3 * * *",
        run=purge_job_runs,
    ),
)


def jobs_table(jobs: Sequence[Job]) -> str:
    """The README's table of jobs (Markdown)."""
    lines = ["| job | when (UTC, crontab) | what it does |", "| --- | --- | --- |"]
    lines += [f"| `{job.name}` | `{job.crontab}` | {job.description} |" for job in jobs]
    return "\n".join(lines) + "\n"


# The jobs the scheduler runs; absent, JOBS (tests set their own).
SCHEDULED_JOBS: web.AppKey[tuple[Job, ...]] = web.AppKey("scheduled_jobs")
