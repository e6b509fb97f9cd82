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
from frontdoor.cpu import WorkerLost
from frontdoor.jobs.base import JobContext
from frontdoor.keys import (
    CLOCK,
    CPU_PROCESSES,
    DEPARTMENTS,
    INTAKE_LAG,
    KNOWN_CALLERS,
    SESSIONS,
    SETTINGS,
    Clock,
)
from frontdoor.kit.twilio_accounts import twilio_api_for
from frontdoor.mailbox.imap import ImapMailbox, MailboxLoginError
from frontdoor.mailbox.intake import Intake, Notice, PollReport
from frontdoor.mailbox.texts import mail_texts
from frontdoor.mailbox.tls import MailboxConfigError, client_tls, tls_explainer
from frontdoor.mailbox.watch import MAILBOX_ERRORS, WATCHERS, Watchers, stop_watchers, watch
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
    app: web.Application, department: Department, mailbox: Mailbox
) -> AsyncIterator[ImapMailbox]:
    """The department's mailbox, open; whether it could be opened, and if not why, recorded
    for /readyz and the metrics (store.mail.record_mailbox_login), whichever instance tried."""
    async with AsyncExitStack() as stack:
        try:
            box = await stack.enter_async_context(imap_session(department, mailbox))
        except (MailboxLoginError, MailboxConfigError) as error:
            await _record_login(app, department, error.failure)
            raise
        await _record_login(app, department, None)
        yield box


async def _record_login(
    app: web.Application, department: Department, failure: LoginFailure | None
) -> None:
    try:
        async with app[SESSIONS]() as session:
            await record_mailbox_login(
                session=session, department=department.slug,
                failure=None if failure is None else str(failure), at=app[CLOCK](),
                instance=app[SETTINGS].instance_name,
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


def intake_for(app: web.Application, department: Department, mailbox: Mailbox) -> Intake:
    settings = app[SETTINGS]
    mailer = department_mailer(department, mailbox, clock=app[CLOCK])

    async def notify(notice: Notice) -> None:
        await notify_referents(app, notice, mailbox, mailer)

    return Intake(
        department=department,
        sessions=app[SESSIONS],
        texts=mail_texts(settings.templates_dir),
        attachments=FolderStore(settings.mail_attachments_dir),
        max_bytes=settings.mail_max_message_bytes,
        clock=app[CLOCK],
        mailer=mailer,
        pseudonym_key=settings.pseudonym_key.get_secret_value().encode(),
        processes=app[CPU_PROCESSES],
        notify=notify,
        batch=settings.mail_poll_batch,
        known=app[KNOWN_CALLERS].addresses(department.slug),
        instance=settings.instance_name,
        observe_lag=partial(app[INTAKE_LAG], "mail"),
    )


async def notify_referents(
    app: web.Application, notice: Notice, mailbox: Mailbox, mailer: Mailer
) -> None:
    """By SMS from the department's number, or one mail to notify_address: never the content."""
    text = notification(
        notice.department,
        request_id=notice.request_id,
        texts=mail_texts(app[SETTINGS].templates_dir),
    )
    try:
        if mailbox.notify == "mail" and mailbox.notify_address:
            await mailer.send(to=mailbox.notify_address, subject=text, body=text)
            return
        for referent_id in notice.referent_ids:
            referent = notice.department.referents.get(referent_id)
            if referent is not None:
                await twilio_api_for(app, notice.department.slug).send_sms(
                    to=referent.phone, from_=notice.department.number, body=text
                )
    except OutboundError as error:
        log.warning("request %s: referents not told of its mail: %s", notice.request_id, error)


async def mailbox_job(ctx: JobContext) -> str:
    """Every department's mailbox read: batch after batch while a burst lasts, for at most
    BURST_S seconds in all (the next minute goes on)."""
    total, failed = PollReport(), []
    deadline = time.monotonic() + BURST_S
    watchers = ctx.app.get(WATCHERS) or Watchers()
    for department in ctx.app[DEPARTMENTS]:
        mailbox = department.mailbox
        if mailbox is None:
            continue
        try:
            intake = intake_for(ctx.app, department, mailbox)
            async with logged_in(ctx.app, department, mailbox) as box:
                while True:
                    async with watchers.lock(department.slug):
                        report = await intake.poll(box)
                    total.add(report)
                    if report.read < intake.batch or time.monotonic() > deadline:
                        break
        # The others are read all the same (a lost worker: this one again at the next run).
        except (*MAILBOX_ERRORS, WorkerLost) as error:
            why = str(error) or type(error).__name__
            failure = getattr(error, "failure", None)
            cause = f" [{failure}]" if failure else ""
            log.warning("%s: mailbox not read%s: %s", department.slug, cause, why)
            failed.append(department.slug + cause)
    return f"{total}" + (f"; not read: {', '.join(failed)}" if failed else "")


async def watchers_context(app: web.Application) -> AsyncIterator[None]:
    """For app.cleanup_ctx: a watcher per department with a mailbox, stopped with the app."""
    watchers = app[WATCHERS] = Watchers()
    settings = app[SETTINGS]
    if settings.jobs_enabled and settings.mail_idle:
        for department in app[DEPARTMENTS]:
            mailbox = department.mailbox
            if mailbox is None:
                continue

            def open_box(
                department: Department = department,
            ) -> AbstractAsyncContextManager[ImapMailbox]:
                assert department.mailbox is not None
                return logged_in(app, department, department.mailbox)

            async def poll(box: ImapMailbox, department: Department = department) -> PollReport:
                assert department.mailbox is not None
                return await intake_for(app, department, department.mailbox).poll(box)

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
