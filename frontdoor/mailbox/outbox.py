"""The outbox of a department's secure mailbox: acknowledgements and referents' answers.

A mail to send is queued (its `messages` row, status "queued", and its `outbox` row) in the
transaction of what it answers, so a request is never committed without its acknowledgement
nor an acknowledgement sent for a request that was not. Whoever queued it claims it and
sends it right after the commit; what could not be sent is retried by the `mail-outbox` job,
with exponential backoff (core.mail.next_attempt).

Sent once: a mail is sent only by the instance that holds its claim (store.mail.claim_due),
and marked sent once the SMTP server has accepted it. If an instance dies between the
server's acceptance and that mark, the claim runs out and the mail goes again with the same
Message-ID — the one duplicate a receiving system can recognise.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import make_msgid

import aiosmtplib
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.core.failures import describe_failure
from frontdoor.core.mail import next_attempt
from frontdoor.outbound.errors import OutboundError
from frontdoor.outbound.mail import MailConnection, MailNotConfigured
from frontdoor.store.mail import Failure, Outgoing
from frontdoor.store.models import Message, OutboxMail

log = logging.getLogger(__name__)

# How long a claim holds: far longer than a round of sending takes.
LEASE = timedelta(minutes=10)
# A round stops when its claim has less than this left: the rest goes to the next round.
MARGIN = timedelta(minutes=1)


def queue(
    session: AsyncSession,
    *,
    department: str,
    sender: str,
    request_id: int,
    to: str,
    subject: str,
    body: str,
    headers: Mapping[str, str],
    kind: str,
    author: str,
    at: datetime,
    instance: str,
) -> Outgoing:
    """Add a mail to send to the session (committed with the caller's rows), claimed by
    `instance`, which sends it once committed. Its Message-ID is made now: what answers it
    threads under the request even before it leaves, and a second sending is recognisable."""
    message_id = make_msgid(domain=sender.rpartition("@")[2] or None)
    session.add(
        Message(request_id=request_id, department=department, channel="mail", direction="out",
                provider_id=message_id, address=to.lower()[:250], at=at, body=body,
                author=author, kind=kind, status="queued")
    )  # fmt: skip
    session.add(
        OutboxMail(department=department, message_id=message_id, recipient=to[:250],
                   subject=subject[:500], headers=dict(headers), created_at=at,
                   next_attempt_at=at, claimed_by=instance, claimed_until=at + LEASE)
    )  # fmt: skip
    return Outgoing(id=0, message_id=message_id, recipient=to, subject=subject, body=body,
                    headers=dict(headers), attempts=0, claimed_until=at + LEASE)  # fmt: skip


@dataclass(kw_only=True)
class Round:
    """What one round of sending did."""

    sent: list[Outgoing] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)

    @property
    def given_up(self) -> int:
        return sum(1 for failure in self.failed if failure.retry_at is None)


async def send_claimed(
    connection: MailConnection | None,
    mails: Sequence[Outgoing],
    *,
    clock: Callable[[], datetime],
    department: str,
) -> Round:
    """Send the claimed mails over one connection, oldest first. A refusal for good (5xx for
    the recipient or the message) gives that mail up; a server that cannot be reached fails
    this one and the rest alike, each to be retried later."""
    done = Round()
    for index, mail in enumerate(mails):
        now = clock()
        if now >= mail.claimed_until - MARGIN:
            break  # the claim runs out: left to the job, which claims it afresh
        if connection is None:
            error: OutboundError = MailNotConfigured("mail not sent: no SMTP server is configured")
        else:
            try:
                await connection.send(
                    to=mail.recipient,
                    subject=mail.subject,
                    body=mail.body,
                    headers={**mail.headers, "Message-ID": mail.message_id},
                )
            except OutboundError as failure:
                error = failure
            else:
                done.sent.append(mail)
                continue
        if _for_good(error):
            done.failed.append(_failure(mail, now, describe_failure(error), give_up=True))
            continue
        done.failed += [_failure(m, now, describe_failure(error)) for m in mails[index:]]
        log.warning("%s: %d mail(s) not sent, to retry: %s", department,
                    len(mails) - index, error)  # fmt: skip
        break
    if done.given_up:
        log.warning("%s: %d mail(s) refused for good by the SMTP server", department,
                    done.given_up)  # fmt: skip
    return done


def _failure(mail: Outgoing, now: datetime, error: str, *, give_up: bool = False) -> Failure:
    attempts = mail.attempts + 1
    retry_at = None if give_up else next_attempt(attempts, at=now)
    return Failure(message_id=mail.message_id, attempts=attempts, retry_at=retry_at, error=error)


def _for_good(error: OutboundError) -> bool:
    """Refused with a permanent (5xx) reply for its recipient or its content."""
    cause = error.__cause__
    if isinstance(cause, aiosmtplib.SMTPRecipientsRefused):
        return all(refusal.code >= 500 for refusal in cause.recipients)
    return isinstance(cause, aiosmtplib.SMTPDataError) and cause.code >= 500
