"""One poll of every department's mailbox: the `mailbox_job` the scheduler runs. It also
reads the mailboxes a watcher holds open in IDLE (frontdoor.mailbox.watch), taking turns
with it: a connection that died without a word is not noticed at once, the minute's poll
catches what it missed.

Each department is read in its own IMAP session with its own client certificate; the
acknowledgements leave from its own address through its operator's SMTP server with the same
certificate. A department whose mailbox fails is logged (what to check, no mail content) and
the others go on.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from functools import partial

from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from frontdoor.core.department import Department
from frontdoor.core.mail import notification
from frontdoor.core.mailbox import LoginFailure, Mailbox
from frontdoor.core.notice_budget import Verdict
from frontdoor.cpu import WorkerLost
from frontdoor.jobs.base import JobContext
from frontdoor.keys import Clock
from frontdoor.kit.referent_notices import NOTIFY_ADDRESS, send_summaries, spent, tell, worded
from frontdoor.kit.referent_notices import Notice as ReferentNotice
from frontdoor.kit.runtime import JOB_RUNTIME, JobRuntime
from frontdoor.mailbox.imap import ImapMailbox, MailboxLoginError
from frontdoor.mailbox.intake import Intake, Notice, PollReport
from frontdoor.mailbox.texts import mail_texts
from frontdoor.mailbox.tls import MailboxConfigError, client_tls, tls_explainer
from frontdoor.mailbox.watch import (
    MAILBOX_ERRORS,
    WATCHERS,
    mailbox_failure,
    stop_watchers,
    watch,
)
from frontdoor.outbound.errors import OutboundError
from frontdoor.outbound.mail import Mailer, SmtpSettings
from frontdoor.store.attachments import FolderStore
from frontdoor.store.mail import record_mailbox_login

log = logging.getLogger(__name__)

# A job run reads batch after batch while a mailbox has more (a burst), this long at most.
BURST_S = 40.0


def imap_session(department: Department, mailbox: Mailbox) -> ImapMailbox:
    tls = client_tls(department.slug, mailbox)
    password = os.environ.get(mailbox.password_env) if mailbox.password_env else None
    return ImapMailbox(
        host=mailbox.imap_host,
        port=mailbox.imap_port,
        tls=mailbox.imap_tls,
        context=tls.context,
        folder=mailbox.folder,
        has_certificate=tls.has_certificate,
        certificate=lambda: tls.certificate,
        login=mailbox.login,
        password=password,
    )


@asynccontextmanager
async def logged_in(
    runtime: JobRuntime, department: Department, mailbox: Mailbox
) -> AsyncIterator[ImapMailbox]:
    """The department's mailbox, open; whether it could be opened, and if not why, recorded
    for /readyz and the metrics (store.mail.record_mailbox_login), whichever instance tried."""
    async with AsyncExitStack() as stack:
        try:
            box = await stack.enter_async_context(imap_session(department, mailbox))
        except (MailboxLoginError, MailboxConfigError) as error:
            await _record_login(runtime, department, error.failure)
            raise
        await _record_login(runtime, department, None)
        yield box


async def _record_login(
    runtime: JobRuntime, department: Department, failure: LoginFailure | None
) -> None:
    try:
        async with runtime.sessions() as session:
            await record_mailbox_login(
                session=session, department=department.slug,
                failure=None if failure is None else str(failure), at=runtime.clock(),
                instance=runtime.settings.instance_name,
            )  # fmt: skip
            await session.commit()
    except (SQLAlchemyError, OSError) as error:  # the store down: the mail waits anyway
        log.warning("%s: mailbox login not recorded (%s)", department.slug, type(error).__name__)


def department_mailer(department: Department, mailbox: Mailbox, *, clock: Clock) -> Mailer:
    """SMTP from the department's own address, TLS with its client certificate."""
    tls = client_tls(department.slug, mailbox)
    smtp = SmtpSettings(
        host=mailbox.smtp_host, port=mailbox.smtp_port, tls=mailbox.smtp_tls, sender=mailbox.address
    )
    return Mailer(smtp, tls_context=tls.context, clock=clock, explain_tls=tls_explainer(tls))


def intake_for(runtime: JobRuntime, department: Department, mailbox: Mailbox) -> Intake:
    settings = runtime.settings
    mailer = department_mailer(department, mailbox, clock=runtime.clock)

    async def notify(notice: Notice) -> None:
        await notify_referents(runtime, notice, mailbox, mailer)

    return Intake(
        department=department,
        sessions=runtime.sessions,
        texts=mail_texts(settings.templates_dir),
        attachments=FolderStore(settings.mail_attachments_dir),
        max_bytes=settings.mail_max_message_bytes,
        clock=runtime.clock,
        mailer=mailer,
        pseudonym_key=settings.pseudonym_key.get_secret_value().encode(),
        processes=runtime.cpu_processes,
        notify=notify,
        batch=settings.mail_poll_batch,
        known=runtime.known_callers.addresses(department.slug),
        instance=settings.instance_name,
        observe_lag=partial(runtime.intake_lag, "mail"),
    )


async def notify_referents(
    runtime: JobRuntime, notice: Notice, mailbox: Mailbox, mailer: Mailer
) -> None:
    """By SMS from the department's number, or one mail to notify_address: never the content.
    Either way within the recipient's notice budget (kit.referent_notices)."""
    department, at = notice.department, runtime.clock()
    text = notification(
        department, request_id=notice.request_id, texts=mail_texts(runtime.settings.templates_dir)
    )
    if mailbox.notify == "mail" and mailbox.notify_address:
        choice = (await spent(runtime, department.slug, [NOTIFY_ADDRESS], at=at)).get(
            NOTIFY_ADDRESS
        )
        if choice is not None and choice.verdict is Verdict.HOLD:
            return
        body = text if choice is None else worded(department, choice, text, at)
        try:
            await mailer.send(to=mailbox.notify_address, subject=body, body=body)
        except OutboundError as error:
            log.warning("request %s: referents not told of its mail: %s", notice.request_id,
                        error)  # fmt: skip
        return
    await tell(
        runtime,
        ReferentNotice(department=department, request_id=notice.request_id,
                       referent_ids=notice.referent_ids, text=text, at=at, kind="mail-notified"),
    )  # fmt: skip


async def send_mail_summaries(
    runtime: JobRuntime, department: Department, mailbox: Mailbox, mailer: Mailer
) -> int:
    """The summary of the mail notices held back from the department's notify_address, if
    one is due (sent by SMS to referents, they are the `notice-summaries` job's)."""
    if mailbox.notify != "mail" or not mailbox.notify_address:
        return 0
    address = mailbox.notify_address

    async def send(_: Department, __: str, text: str) -> None:
        await mailer.send(to=address, subject=text, body=text)

    try:
        return await send_summaries(
            runtime, at=runtime.clock(), send=send,
            wanted=lambda slug, recipient: (slug, recipient) == (department.slug, NOTIFY_ADDRESS),
        )  # fmt: skip
    except SQLAlchemyError as error:  # the store down: the next poll sends it
        log.warning("%s: mail notices' summary not sent (%s)", department.slug,
                    type(error).__name__)  # fmt: skip
        return 0


async def mailbox_job(ctx: JobContext) -> str:
    """Every department's mailbox read: batch after batch while a burst lasts, for at most
    BURST_S seconds in all (the next minute goes on)."""
    total, failed = PollReport(), []
    deadline = time.monotonic() + BURST_S
    locks = ctx.runtime.mailbox_locks
    for department in ctx.runtime.departments:
        mailbox = department.mailbox
        if mailbox is None:
            continue
        try:
            intake = intake_for(ctx.runtime, department, mailbox)
            async with logged_in(ctx.runtime, department, mailbox) as box:
                while True:
                    async with locks.lock(department.slug):
                        report = await intake.poll(box)
                    total.add(report)
                    if report.read < intake.batch or time.monotonic() > deadline:
                        break
            if intake.mailer is not None:
                await send_mail_summaries(ctx.runtime, department, mailbox, intake.mailer)
        # The others are read all the same (a lost worker: this one again at the next run).
        except (*MAILBOX_ERRORS, WorkerLost) as error:
            why = mailbox_failure(error)
            failure = getattr(error, "failure", None)
            cause = f" [{failure}]" if failure else ""
            log.warning("%s: mailbox not read%s: %s", department.slug, cause, why)
            failed.append(department.slug + cause)
    return f"{total}" + (f"; not read: {', '.join(failed)}" if failed else "")


async def watchers_context(app: web.Application) -> AsyncIterator[None]:
    """For app.cleanup_ctx, after the runtime's (frontdoor.web.app, which makes app[WATCHERS]):
    a watcher per department with a mailbox, stopped with the app."""
    watchers, runtime = app[WATCHERS], app[JOB_RUNTIME]
    settings = runtime.settings
    if settings.jobs_enabled and settings.mail_idle:
        for department in runtime.departments:
            mailbox = department.mailbox
            if mailbox is None:
                continue

            def open_box(
                department: Department = department,
            ) -> AbstractAsyncContextManager[ImapMailbox]:
                assert department.mailbox is not None
                return logged_in(runtime, department, department.mailbox)

            async def poll(box: ImapMailbox, department: Department = department) -> PollReport:
                assert department.mailbox is not None
                return await intake_for(runtime, department, department.mailbox).poll(box)

            watchers.tasks.append(
                asyncio.create_task(
                    watch(department, open_box=open_box, poll=poll, watchers=watchers),
                    name=f"mailbox-watch-{department.slug}",
                )
            )
    try:
        yield
    finally:
        stuck = await stop_watchers(watchers.tasks)
        for task in stuck:
            log.warning("%s did not stop in time; left behind", task.get_name())
