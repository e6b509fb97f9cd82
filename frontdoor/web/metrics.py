"""Prometheus metrics at /metrics, for the operator's supervision; never public.

What each instance counts itself: request latency by route (a middleware), the operator
counters of app[COUNTERS] (refused signatures, degraded answers), the job runs this instance
won and their failures. What is read from the store at scrape time, the same in every
instance (aggregate with max, not sum): overdue callback tasks, the last 24 hours' calls
by outcome, whether each department's mailbox logs in (and if not, why), and the deletions
of Twilio's records given up (left for the operator). The intake
lags: how long an SMS kept in the outage journal, or a mail in its mailbox, waited before
its request was committed (app[INTAKE_LAG], observed where that is). Labels name routes,
jobs, departments, outcomes and reasons only: no personal data.

/metrics answers a request carrying `Authorization: Bearer <FRONTDOOR_METRICS_TOKEN>`; with
no token set, only a request from loopback that did not come through a proxy.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import timedelta

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily, Metric
from prometheus_client.exposition import generate_latest
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from frontdoor.jobs.base import Job, JobContext
from frontdoor.keys import CLOCK, COUNTERS, DEPARTMENTS, ENGINE, INTAKE_LAG, SESSIONS
from frontdoor.kit.operators import is_operator
from frontdoor.kit.patience import patiently
from frontdoor.store.mail import mailbox_logins
from frontdoor.store.models import CallbackTaskRow, MailboxLogin, Request
from frontdoor.store.provider_deletions import given_up_by_department
from frontdoor.web import job_registry
from frontdoor.web.job_registry import SCHEDULED_JOBS

log = logging.getLogger(__name__)

METRICS_PATH = "/metrics"
# Twilio gives up on a webhook after 15 s: the buckets stop there.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 15.0)
CALLS_WINDOW = timedelta(hours=24)
# From a mail's arrival in the mailbox (seconds with IDLE, a minute's poll without) or an SMS's
# in the outage journal (an outage: minutes, hours) to its request in the store.
LAG_BUCKETS = (1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 900.0, 1800.0, 3600.0, 7200.0,
               21600.0, 86400.0)  # fmt: skip
# The channels whose intake lag is observed, and what it measures.
LAG_CHANNELS = {
    "sms": "Time from an SMS's arrival to its request in the store, for SMS kept in the "
    "outage journal (the others are committed before Twilio's answer).",
    "mail": "Time from a mail's arrival in the department's mailbox (IMAP INTERNALDATE) to "
    "its request in the store.",
}
# The app[COUNTERS] keys known today, exported at 0 before their first increment.
OPERATOR_COUNTERS = {
    "webhook_signature_refused": "Webhooks refused for a missing or wrong X-Twilio-Signature.",
    "webhook_ownership_refused": "Webhooks refused for touching a department (its number, a "
    "call, callback task, message or recording) that the signing account does not own.",
    "webhook_degraded": "Webhooks answered without the store (unreachable), kept in the journal.",
    "console_yielded": "Console and API requests answered 503 while the event loop was "
    "overloaded, so that webhooks went first.",
}
_METRIC_NAME = re.compile(r"[a-z_][a-z0-9_]*")


@dataclass(kw_only=True)
class Metrics:
    """One app's registry and instruments (a registry per app: tests build many apps)."""

    registry: CollectorRegistry
    request_seconds: Histogram
    job_runs: Counter
    job_failures: Counter
    callbacks_overdue: Gauge
    calls: Gauge
    mailbox_login_ok: Gauge
    mailbox_login_failed: Gauge
    mailbox_login_age: Gauge
    twilio_deletions_given_up: Gauge
    store_up: Gauge
    intake_lag: dict[str, Histogram]

    @classmethod
    def create(cls, app: web.Application) -> Metrics:
        registry = CollectorRegistry(auto_describe=True)
        registry.register(_OperatorCounters(app))
        return cls(
            registry=registry,
            request_seconds=Histogram(
                "frontdoor_http_request_duration_seconds",
                "Time to answer an HTTP request (webhooks included), by method and route.",
                ["method", "route"],
                buckets=LATENCY_BUCKETS,
                registry=registry,
            ),
            job_runs=Counter(
                "frontdoor_job_runs",
                "Scheduled job runs done by this instance (the slots it won).",
                ["job"],
                registry=registry,
            ),
            job_failures=Counter(
                "frontdoor_job_failures",
                "Scheduled job runs of this instance that ended with an error.",
                ["job"],
                registry=registry,
            ),
            callbacks_overdue=Gauge(
                "frontdoor_callback_tasks_overdue",
                "Open callback tasks past their deadline, by department (read from the store).",
                ["department"],
                registry=registry,
            ),
            calls=Gauge(
                "frontdoor_calls_last_24h",
                "Voice calls received in the last 24 hours, by department and outcome "
                "(in_progress until the call ends; read from the store).",
                ["department", "outcome"],
                registry=registry,
            ),
            twilio_deletions_given_up=Gauge(
                "frontdoor_twilio_deletions_given_up",
                "Twilio records (calls, SMS) of erased or purged requests whose deletion at "
                "Twilio was given up, by department: left for the operator (read from the "
                "store; the provider_deletions table holds their SIDs).",
                ["department"],
                registry=registry,
            ),
            mailbox_login_ok=Gauge(
                "frontdoor_mailbox_login_ok",
                "1 when the last attempt to open the department's mailbox (by any instance) "
                "logged in, 0 when it failed; absent before the first (read from the store).",
                ["department"],
                registry=registry,
            ),
            mailbox_login_failed=Gauge(
                "frontdoor_mailbox_login_failed",
                "1 for the reason the department's mailbox cannot log in (expired, revoked, "
                "untrusted-issuer, wrong-key, no-certificate, server-refused…), while it fails.",
                ["department", "reason"],
                registry=registry,
            ),
            mailbox_login_age=Gauge(
                "frontdoor_mailbox_login_age_seconds",
                "Seconds since the department's mailbox was last opened or tried, by any "
                "instance (the poll tries each minute).",
                ["department"],
                registry=registry,
            ),
            store_up=Gauge(
                "frontdoor_store_up",
                "1 when the store answered this scrape's queries, else 0.",
                registry=registry,
            ),
            intake_lag={
                channel: Histogram(
                    f"frontdoor_{channel}_intake_lag_seconds",
                    help_text,
                    buckets=LAG_BUCKETS,
                    registry=registry,
                )
                for channel, help_text in LAG_CHANNELS.items()
            },
        )

    def observe_lag(self, channel: str, seconds: float) -> None:
        """A contact committed `seconds` after it arrived (never below 0: clocks differ)."""
        self.intake_lag[channel].observe(max(seconds, 0.0))


METRICS = web.AppKey("metrics", Metrics)


def add_to(app: web.Application) -> None:
    """/metrics, the latency middleware, and the counting of job runs.

    Call it before the scheduler's cleanup context is added: the jobs must be counted before
    the scheduler starts them.
    """
    app[METRICS] = Metrics.create(app)
    app[INTAKE_LAG] = app[METRICS].observe_lag
    app.middlewares.append(_timed)
    app.router.add_get(METRICS_PATH, metrics_page)
    app.cleanup_ctx.append(_counted_jobs)


@web.middleware
async def _timed(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    metrics, started = request.app[METRICS], time.perf_counter()
    try:
        return await handler(request)
    finally:
        # Unmatched paths (scanners, 404s) are not timed: their paths would be unbounded labels.
        resource = request.match_info.route.resource
        if resource is not None:
            metrics.request_seconds.labels(request.method, resource.canonical).observe(
                time.perf_counter() - started
            )


async def metrics_page(request: web.Request) -> web.Response:
    if not is_operator(request):
        # Same answer for a wrong token and a non-loopback peer: nothing to probe.
        raise web.HTTPForbidden(text="metrics: Authorization: Bearer <FRONTDOOR_METRICS_TOKEN>")
    app = request.app
    metrics = app[METRICS]
    read = await _read_store(app)
    for gauge in (metrics.callbacks_overdue, metrics.calls, metrics.mailbox_login_ok,
                  metrics.mailbox_login_failed, metrics.mailbox_login_age,
                  metrics.twilio_deletions_given_up):  # fmt: skip
        gauge.clear()
    metrics.store_up.set(1 if read is not None else 0)
    if read is not None:
        overdue, calls, logins, given_up = read
        for department in app[DEPARTMENTS]:
            metrics.callbacks_overdue.labels(department.slug).set(overdue.get(department.slug, 0))
            metrics.twilio_deletions_given_up.labels(department.slug).set(
                given_up.get(department.slug, 0)
            )
        for (slug, outcome), count in calls.items():
            metrics.calls.labels(slug, outcome).set(count)
        now = app[CLOCK]()
        for department in app[DEPARTMENTS]:
            login = logins.get(department.slug)
            if department.mailbox is None or login is None:
                continue
            metrics.mailbox_login_ok.labels(department.slug).set(1 if login.ok else 0)
            if not login.ok:
                metrics.mailbox_login_failed.labels(department.slug, login.failure or "?").set(1)
            age = (now - login.checked_at).total_seconds()
            metrics.mailbox_login_age.labels(department.slug).set(max(age, 0.0))
    return web.Response(
        body=generate_latest(metrics.registry), headers={"Content-Type": CONTENT_TYPE_LATEST}
    )


StoreFigures = tuple[
    dict[str, int], dict[tuple[str, str], int], dict[str, MailboxLogin], dict[str, int]
]


async def _read_store(app: web.Application) -> StoreFigures | None:
    """Overdue callback tasks by department, the window's calls by department and outcome,
    each mailbox's last login, and the Twilio deletions given up by department; None when
    the store does not answer in time."""
    # A scrape waits no longer than a webhook would; past that, the store-read gauges are left
    # out.
    try:
        return await patiently(app, _store_figures(app))
    except Exception as error:  # noqa: BLE001  (a scrape reports the store down, never fails)
        log.warning("metrics: store not read (%s)", type(error).__name__)
        return None


async def _store_figures(app: web.Application) -> StoreFigures:
    tasks, requests = CallbackTaskRow.__table__.c, Request.__table__.c  # type: ignore[attr-defined]
    now = app[CLOCK]()
    overdue_query = (
        select(tasks.department, func.count())
        .where(tasks.status == "open", tasks.due_at < now)
        .group_by(tasks.department)
    )
    calls_query = (
        select(requests.department, requests.outcome, func.count())
        .where(requests.channel == "voice", requests.received_at >= now - CALLS_WINDOW)
        .group_by(requests.department, requests.outcome)
    )
    async with app[ENGINE].connect() as connection:
        overdue = {row[0]: int(row[1]) for row in await connection.execute(overdue_query)}
        calls = {(row[0], row[1]): int(row[2]) for row in await connection.execute(calls_query)}
    async with app[SESSIONS]() as session:
        logins = await mailbox_logins(session=session)
        given_up = await given_up_by_department(session=session)
    return overdue, calls, logins, given_up


class _OperatorCounters(Collector):
    """app[COUNTERS], exported as frontdoor_<key>_total counters."""

    def __init__(self, app: web.Application) -> None:
        self._app = app

    def collect(self) -> Iterable[Metric]:
        found = self._app.get(COUNTERS)  # absent before the app starts
        counted: Mapping[str, int] = found if found is not None else {}
        for key in sorted({*OPERATOR_COUNTERS, *counted}):
            if not _METRIC_NAME.fullmatch(key):
                continue  # keys are code, not data; a malformed one is a bug, not a metric
            help_text = OPERATOR_COUNTERS.get(key, f"Counted by Frontdoor: {key}.")
            yield CounterMetricFamily(f"frontdoor_{key}", help_text, value=counted.get(key, 0))

    def describe(self) -> Iterable[Metric]:
        return []  # dynamic: the keys are known at collection


async def _counted_jobs(app: web.Application) -> AsyncIterator[None]:
    """Before the scheduler starts: each job's runs and failures counted in this instance."""
    metrics = app[METRICS]
    jobs = app.get(SCHEDULED_JOBS, job_registry.JOBS)
    for job in jobs:  # exported at 0 from the start, so that rates and alerts see them
        metrics.job_runs.labels(job.name)
        metrics.job_failures.labels(job.name)
    app[SCHEDULED_JOBS] = tuple(_counted(job, metrics) for job in jobs)
    yield


def _counted(job: Job, metrics: Metrics) -> Job:
    run = job.run

    async def counted_run(ctx: JobContext) -> str | None:
        metrics.job_runs.labels(job.name).inc()
        try:
            return await run(ctx)
        except Exception:
            metrics.job_failures.labels(job.name).inc()
            raise

    return replace(job, run=counted_run)
