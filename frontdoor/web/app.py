"""The aiohttp application factory."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from functools import partial

from aiohttp import web

from frontdoor.console import browser_phone
from frontdoor.console.app import console_app
from frontdoor.console.live_feed import end_live_streams
from frontdoor.console.live_looks import GATHER_S, LIVE_LOOKS, LiveLooks
from frontdoor.console.live_streams import LIVE_STREAMS, LiveStreams
from frontdoor.console.passwords import hashing_threads
from frontdoor.cpu import CpuProcesses
from frontdoor.departments import Departments
from frontdoor.directory import api as directory_api
from frontdoor.keys import (
    CLOCK,
    COUNTERS,
    CPU_PROCESSES,
    CPU_THREADS,
    DEPARTMENTS,
    ENGINE,
    INTAKE_LAG,
    KNOWN_CALLERS,
    MAILER,
    NEW_CALLS,
    SESSIONS,
    SETTINGS,
    STAND_INS,
    STORE_COPIES,
    TWILIO_API,
    Clock,
)
from frontdoor.kit import bodies, loop_load, rate_limits
from frontdoor.kit.failures import unhandled_errors
from frontdoor.kit.loop_load import LOOP_LOAD
from frontdoor.kit.patience import STORE_WORK, StoreWork
from frontdoor.kit.runtime import JOB_RUNTIME, JobRuntime
from frontdoor.kit.twilio_accounts import (
    TWILIO_ACCOUNTS,
    TWILIO_CLIENTS,
    Account,
    TwilioAccounts,
    subaccount_clients,
)
from frontdoor.kit.twilio_webhook import JOURNAL
from frontdoor.kit.unavailable import CONSOLE, busy_answers
from frontdoor.logs import request_ids
from frontdoor.mailbox.job import watchers_context
from frontdoor.mailbox.watch import WATCHERS, Watchers
from frontdoor.outbound.mail import Mailer
from frontdoor.outbound.twilio_api import TwilioApi
from frontdoor.settings import Settings
from frontdoor.sms import webhooks as sms_webhooks
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.known_callers import KnownCallers
from frontdoor.store.new_calls import NewCallWriter
from frontdoor.store.refresh import Refresher
from frontdoor.store.roster_overrides import stored_overrides
from frontdoor.store.team_changes import stored_team_changes
from frontdoor.unsafe_settings import UnsafeSettings, unsafe_settings
from frontdoor.voice import replay, webhooks
from frontdoor.voice.queue_offers import OFFERING
from frontdoor.web import (
    api,
    api_tokens,
    coordination_file_api,
    duty_api,
    follow_ups_api,
    health,
    indicators_api,
    lists_api,
    mail_api,
    metrics,
    openapi,
    persons_api,
    sms_api,
    tasks_api,
    transfer_api,
    work_api,
)
from frontdoor.web.scheduler import scheduler_context


def utc_now() -> datetime:
    return datetime.now(UTC)


def create_app(
    settings: Settings, departments: Departments, *, clock: Clock = utc_now
) -> web.Application:
    """The service; UnsafeSettings, naming each problem, when the settings forbid serving
    (development secrets or simulated time outside the development mode)."""
    if problems := unsafe_settings(settings):
        raise UnsafeSettings(problems)
    app = web.Application(client_max_size=256 * 1024)
    app[SETTINGS] = settings
    app[DEPARTMENTS] = departments
    app[CLOCK] = clock
    app[COUNTERS] = Counter()
    app[OFFERING] = {}
    app[TWILIO_ACCOUNTS] = TwilioAccounts(
        Account(
            sid=settings.twilio_account_sid, token=settings.twilio_auth_token.get_secret_value()
        ),
        departments,
    )
    app.cleanup_ctx.append(_cpu)
    app.cleanup_ctx.append(_database)
    app.cleanup_ctx.append(replay.journal_context)  # calls kept while the store was away
    if settings.runs_stand_ins:  # the development mode's
        app.cleanup_ctx.append(_stand_ins)  # before the outbound side, which they answer
    app.cleanup_ctx.append(_outbound)
    app.cleanup_ctx.append(_job_runtime)  # what the jobs are given, once everything is up
    app.cleanup_ctx.append(watchers_context)  # mailboxes held open in IDLE
    metrics.add_to(app)  # before the scheduler: counts the runs of the jobs it starts
    app.cleanup_ctx.append(scheduler_context)  # last: stops first
    webhooks.add_routes(app)
    api.add_routes(app)
    persons_api.add_routes(app)
    lists_api.add_routes(app)
    indicators_api.add_routes(app)
    duty_api.add_routes(app)
    work_api.add_routes(app)
    coordination_file_api.add_routes(app)
    follow_ups_api.add_routes(app)
    tasks_api.add_routes(app)
    transfer_api.add_routes(app)
    sms_webhooks.add_routes(app)
    sms_api.add_routes(app)
    directory_api.add_routes(app)
    mail_api.add_routes(app)
    health.add_routes(app)
    app.middlewares.insert(0, request_ids)  # first: every line of the request carries it
    # Next: whatever fails below is logged without its message and answered in French.
    app.middlewares.insert(1, unhandled_errors)
    loop_load.add_to(app)  # before it: a request held back while callers wait costs nothing
    app[LOOP_LOAD].never_held.add(CONSOLE + browser_phone.TOKEN_PATH)
    rate_limits.add_to(app)  # before the tokens: a guesser is stopped before any lookup
    app.middlewares.append(busy_answers)
    app.middlewares.append(bodies.refuse_oversized)  # 413 before a byte of it is read
    app.middlewares.append(bodies.refuse_nul)
    app.middlewares.append(api_tokens.account_tokens)
    openapi.add_routes(app)
    app.on_response_prepare.append(api.not_stored)
    app.add_subapp(CONSOLE, console_app(settings.templates_dir))
    app[LIVE_STREAMS] = LiveStreams()
    app[LIVE_LOOKS] = LiveLooks(gather_s=min(GATHER_S, settings.console_live_every_s / 4))
    app.on_shutdown.append(end_live_streams)
    return app


async def _cpu(app: web.Application) -> AsyncIterator[None]:
    app[CPU_THREADS] = hashing_threads(counters=app[COUNTERS])
    app[CPU_PROCESSES] = CpuProcesses(counters=app[COUNTERS])
    app[CPU_PROCESSES].start()  # in the background: the service listens meanwhile
    yield
    # Both wait for their running tasks, off the loop.
    await asyncio.gather(asyncio.to_thread(app[CPU_THREADS].close), app[CPU_PROCESSES].aclose())


async def _database(app: web.Application) -> AsyncIterator[None]:
    engine = create_engine(app[SETTINGS].database_url)
    app[ENGINE] = engine
    app[SESSIONS] = session_maker(engine)
    app[STORE_WORK] = StoreWork()
    app[NEW_CALLS] = NewCallWriter(engine)
    app[NEW_CALLS].start()
    app[KNOWN_CALLERS] = KnownCallers(engine, key=app[SETTINGS].pseudonym_secret)
    app[STORE_COPIES] = Refresher(
        "known contacts, roster overrides and team changes",
        partial(_refresh_copies, app),
        every_s=app[SETTINGS].store_copies_refresh_s,
    )
    await app[STORE_COPIES].start()
    yield
    await app[STORE_COPIES].stop()
    await app[NEW_CALLS].stop()
    await app[STORE_WORK].drain()  # what webhooks stopped waiting for, still closing
    await engine.dispose()


async def _refresh_copies(app: web.Application) -> None:
    """What calls read from memory: known contacts, and departments with their stored roster
    overrides and team changes."""
    await app[KNOWN_CALLERS].refresh()
    async with app[SESSIONS]() as session:
        app[DEPARTMENTS].apply_stored(
            await stored_overrides(session=session), await stored_team_changes(session=session)
        )


async def _stand_ins(app: web.Application) -> AsyncIterator[None]:
    """The development mode's local Twilio REST API and SMTP server. Imported here only:
    they need aiosmtpd, a development dependency the production image does not install."""
    from frontdoor.standins.running import start_stand_ins

    app[STAND_INS] = await start_stand_ins(app[SETTINGS])
    yield
    await app[STAND_INS].close()


async def _outbound(app: web.Application) -> AsyncIterator[None]:
    """Twilio's REST API (SMS, click-to-call, recordings) and the mail sender: the providers
    the settings name, or the development mode's stand-ins."""
    settings = app[SETTINGS]
    stand_ins = app.get(STAND_INS)
    api_url = stand_ins.twilio_api_url(settings) if stand_ins else settings.twilio_api_url
    account_sid, auth_token = (
        stand_ins.twilio_account(settings)
        if stand_ins
        else (settings.twilio_account_sid, settings.twilio_auth_token.get_secret_value())
    )
    app[TWILIO_API] = TwilioApi(
        account_sid=account_sid, auth_token=auth_token, api_base_url=api_url
    )
    app[TWILIO_CLIENTS] = subaccount_clients(app[TWILIO_ACCOUNTS], api_url)
    app[MAILER] = Mailer(stand_ins.smtp_settings(settings) if stand_ins else settings.smtp)
    yield
    for client in (app[TWILIO_API], *app[TWILIO_CLIENTS].values()):
        await client.close()


async def _job_runtime(app: web.Application) -> AsyncIterator[None]:
    """The jobs' runtime (frontdoor.kit.runtime), and the mailbox locks the job shares with
    the watchers (frontdoor.mailbox.watch)."""
    app[WATCHERS] = Watchers()
    clients: dict[str, TwilioApi] = app[TWILIO_CLIENTS]
    app[JOB_RUNTIME] = JobRuntime(
        settings=app[SETTINGS],
        departments=app[DEPARTMENTS],
        engine=app[ENGINE],
        sessions=app[SESSIONS],
        clock=app[CLOCK],
        mailer=app[MAILER],
        twilio_api=app[TWILIO_API],
        twilio_clients=clients,
        journal=app[JOURNAL],
        cpu_processes=app[CPU_PROCESSES],
        known_callers=app[KNOWN_CALLERS],
        intake_lag=app[INTAKE_LAG],
        mailbox_locks=app[WATCHERS],
    )
    yield
