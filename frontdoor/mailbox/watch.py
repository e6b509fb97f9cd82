"""Each department's mailbox kept open in IDLE (RFC 2177): a new mail is taken in within
seconds instead of at the next minute's `mailbox-poll`.

One watcher per department with a [mailbox], started with the app (`watchers_context` of
frontdoor.mailbox.job, in app.cleanup_ctx) when jobs run in this instance and
FRONTDOOR_MAIL_IDLE is on. It opens the mailbox, takes in what is waiting, then IDLEs; each
EXISTS the server pushes runs the same poll as the job, in the same session. When the server
goes away it connects again with backoff (core.mailbox.reconnect_delay). A server that does
not offer IDLE is left to the scheduled poll, which keeps reading every mailbox anyway: a
connection that died without a word (a network cut sends no BYE) is only noticed when the
IDLE is renewed.

In one instance the watcher and the job take turns (a lock per department). Across
instances, each may watch the same mailbox: the Message-ID, unique in `messages` per
department, makes the second taking of a mail a no-op, and its acknowledgement is queued
only with the first.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field

from aiohttp import web
from aioimaplib import AioImapException

from frontdoor.core.department import Department
from frontdoor.core.failures import describe_failure
from frontdoor.core.mailbox import RECONNECT_FIRST_S, reconnect_delay
from frontdoor.mailbox.imap import ImapMailbox, MailboxError
from frontdoor.mailbox.intake import PollReport
from frontdoor.mailbox.tls import MailboxConfigError

log = logging.getLogger(__name__)

# What a mailbox that went away (or was misconfigured) raises; said as such in the log.
MAILBOX_ERRORS = (MailboxError, MailboxConfigError, AioImapException, OSError, TimeoutError)


def mailbox_failure(error: BaseException) -> str:
    """Why a mailbox could not be read, for the log: frontdoor's own errors in their words (a
    server, a setting, a code: never the server's), any other by its kinds and codes (an IMAP
    library's or OpenSSL's message may quote what the server answered)."""
    if isinstance(error, MailboxError | MailboxConfigError) and str(error):
        return str(error)
    return describe_failure(error)


# An IDLE is renewed this often (RFC 2177: at most 29 min); a silently dead connection is
# found then, when the server does not answer the renewal.
RENEW_S = 10 * 60.0
# How long the app waits for its watchers to log out when it stops.
SHUTDOWN_WAIT_S = 10.0
RECANCEL_EVERY_S = 1.0


@dataclass
class Watchers:
    """What the job and the watchers of one instance share."""

    locks: dict[str, asyncio.Lock] = field(default_factory=dict)
    idling: set[str] = field(default_factory=set)  # departments connected and watching now
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def lock(self, slug: str) -> asyncio.Lock:
        return self.locks.setdefault(slug, asyncio.Lock())


WATCHERS = web.AppKey("mailbox_watchers", Watchers)


async def watch(
    department: Department,
    *,
    open_box: Callable[[], AbstractAsyncContextManager[ImapMailbox]],
    poll: Callable[[ImapMailbox], Awaitable[PollReport]],
    watchers: Watchers,
    renew_s: float = RENEW_S,
    first_delay_s: float = RECONNECT_FIRST_S,
) -> None:
    """Watch one mailbox until cancelled, or until it turns out not to offer IDLE."""
    slug, failures = department.slug, 0
    while True:
        try:
            async with open_box() as box:
                if not box.offers_idle:
                    log.info("%s: the IMAP server does not offer IDLE; mailbox-poll reads it "
                             "every minute", slug)  # fmt: skip
                    return
                if failures:
                    log.info("%s: mailbox connected again after %d failure(s)", slug, failures)
                failures = 0
                watchers.idling.add(slug)
                await _take_in(box, poll, watchers.lock(slug), slug)
                while True:
                    if await box.wait_for_new(renew_s):
                        await _take_in(box, poll, watchers.lock(slug), slug)
        except Exception as error:  # noqa: BLE001  (a database down too: retried, never dead)
            failures += 1
            delay = reconnect_delay(failures, first_s=first_delay_s)
            why = mailbox_failure(error)
            failure = getattr(error, "failure", None)
            cause = f" [{failure}]" if failure else ""
            log.warning("%s: mailbox watch interrupted%s (%s); connecting again in %.0f s",
                        slug, cause, why, delay)  # fmt: skip
        finally:
            watchers.idling.discard(slug)
        await asyncio.sleep(delay)


async def _take_in(
    box: ImapMailbox,
    poll: Callable[[ImapMailbox], Awaitable[PollReport]],
    lock: asyncio.Lock,
    slug: str,
) -> None:
    """Poll until the mailbox is empty: a burst larger than a batch is taken in at once."""
    while True:
        async with lock:
            report = await poll(box)
        if report.taken or report.parked:
            log.info("%s: %s", slug, report)
        if not report.read:
            return


async def stop_watchers(tasks: list[asyncio.Task[None]]) -> set[asyncio.Task[None]]:
    """Cancel the watchers, again each second while one goes on: on Python 3.11 a
    cancellation that meets a completing `asyncio.wait_for` inside the IMAP client can be
    swallowed, and the watcher would IDLE on for minutes. A watcher saying goodbye to a
    server that no longer answers must not hold the app's shutdown either: the ones still
    running after SHUTDOWN_WAIT_S are left behind (their connection goes with the process)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + SHUTDOWN_WAIT_S
    running = set(tasks)
    while running and (left := deadline - loop.time()) > 0:
        for task in running:
            task.cancel()
        _done, running = await asyncio.wait(running, timeout=min(RECANCEL_EVERY_S, left))
    return running
