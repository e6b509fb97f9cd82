"""Reading and writing outgoing events: subscriptions, the outbox's claims, the delivery log.

Delivered once: an event goes out only from the instance that holds its claim (`claim_due`,
one UPDATE, as the mail outbox's claims), and its attempt is recorded only by that instance.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import and_, col, delete, func, or_, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.core.events import SECRET_PREFIX, EventType, NewSubscription, Scope
from frontdoor.store.audit import record_access
from frontdoor.store.event_models import EventDelivery, EventSubscription, OutgoingEvent
from frontdoor.store.match import equal
from frontdoor.store.models import CallbackTaskRow, Request
from frontdoor.store.requests import public_request

JOURNALED_AS = "events:{id}"  # the audit trail's account for a subscription's deliveries


async def add_subscription(
    *, session: AsyncSession, department: str, subscription: NewSubscription, by: str,
    now: datetime,
) -> tuple[str, EventSubscription]:  # fmt: skip
    """A new subscription and its secret (shown once by the caller)."""
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    row = EventSubscription(
        department=department, url=subscription.url, secret=secret,
        scope=subscription.scope.value, event_types=[t.value for t in subscription.event_types],
        created_at=now, created_by=by,
    )  # fmt: skip
    session.add(row)
    await session.flush()
    return secret, row


async def subscriptions_of(
    *, session: AsyncSession, department: str
) -> Sequence[EventSubscription]:
    result = await session.exec(
        select(EventSubscription)
        .where(EventSubscription.department == department)
        .order_by(col(EventSubscription.id))
    )
    return result.all()


async def subscription_in(
    *, session: AsyncSession, departments: Collection[str], subscription_id: int | None
) -> EventSubscription | None:
    """The subscription of that id if it is one of `departments`'; None otherwise."""
    if subscription_id is None:
        return None
    row = await session.get(EventSubscription, subscription_id)
    return row if row is not None and row.department in departments else None


async def stop_subscription(
    *, session: AsyncSession, subscription: EventSubscription, at: datetime, account: str
) -> None:
    """Stop a subscription, journaled under `account`: nothing more is written for it (the
    triggers skip it) and nothing more leaves for it, not even what was waiting (its pending
    events are cancelled; the delivery job reads only active subscriptions' events). Stopping
    is what a coordinator does when a partner's contract ends or its endpoint is compromised."""
    if subscription.disabled_at is not None:
        return
    subscription.disabled_at = at
    session.add(subscription)
    await session.exec(
        update(OutgoingEvent)
        .where(col(OutgoingEvent.subscription_id) == subscription.id,
               col(OutgoingEvent.status) == "pending")
        .values(status="cancelled", next_attempt_at=None, claimed_by=None, claimed_until=None)
    )  # fmt: skip
    record_access(
        session=session, at=at, account=account, department=subscription.department,
        action="event_unsubscription", detail=f"abonnement n° {subscription.id}",
    )  # fmt: skip


async def claim_due(
    *, session: AsyncSession, instance: str, now: datetime, until: datetime, limit: int
) -> list[int]:
    """Claim up to `limit` pending events that are due and unclaimed (or whose claim ran out)
    for `instance` until `until`; the ids it got. On PostgreSQL rows another instance is
    claiming are skipped (and one claimed meanwhile fails the re-checked WHERE); on SQLite
    writers take turns: an event is never claimed twice."""
    free = or_(col(OutgoingEvent.claimed_until).is_(None), col(OutgoingEvent.claimed_until) < now)
    due = or_(
        col(OutgoingEvent.next_attempt_at).is_(None), col(OutgoingEvent.next_attempt_at) <= now
    )
    pending = (
        select(OutgoingEvent.id)
        .where(OutgoingEvent.status == "pending", due, free)
        .order_by(col(OutgoingEvent.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    result = await session.exec(
        update(OutgoingEvent)
        .where(col(OutgoingEvent.id).in_(pending.scalar_subquery()),
               col(OutgoingEvent.status) == "pending", free)
        .values(claimed_by=instance, claimed_until=until)
        .returning(col(OutgoingEvent.id))
    )  # fmt: skip
    return sorted(result.scalars().all())


@dataclass(kw_only=True, frozen=True)
class Claimed:
    """An event this instance holds, with where it goes and what it is about (as the API
    shows it; None once it is gone)."""

    event: OutgoingEvent
    subscription: EventSubscription
    subject: dict[str, Any] | None

    @property
    def event_type(self) -> EventType:
        return EventType(self.event.event_type)

    @property
    def scope(self) -> Scope:
        return Scope(self.subscription.scope)


async def claimed(*, session: AsyncSession, ids: Sequence[int], instance: str) -> list[Claimed]:
    """The events of `ids` this instance holds, oldest first."""
    if not ids:
        return []
    result = await session.exec(
        select(OutgoingEvent, EventSubscription)
        .join(EventSubscription, col(EventSubscription.id) == col(OutgoingEvent.subscription_id))
        .where(col(OutgoingEvent.id).in_(list(ids)), equal(OutgoingEvent.claimed_by, instance),
               OutgoingEvent.status == "pending",
               # Claimed before its subscription was stopped: it stays here.
               col(EventSubscription.disabled_at).is_(None))
        .order_by(col(OutgoingEvent.id))
    )  # fmt: skip
    return [
        Claimed(event=event, subscription=subscription, subject=await _subject(session, event))
        for event, subscription in result.all()
    ]


async def _subject(session: AsyncSession, event: OutgoingEvent) -> dict[str, Any] | None:
    if event.task_id is not None:
        task = await session.get(CallbackTaskRow, event.task_id)
        return None if task is None else task.model_dump(mode="json")
    request = None if event.request_id is None else await session.get(Request, event.request_id)
    return None if request is None else public_request(request)


def journal_delivery(session: AsyncSession, sent: Claimed, *, at: datetime) -> None:
    """A request's personal data sent to an endpoint is a read: journaled as one, whatever
    the endpoint answered."""
    if sent.scope is Scope.PERSONAL and sent.subject is not None:
        record_access(
            session=session, at=at, account=JOURNALED_AS.format(id=sent.subscription.id),
            department=sent.event.department, request_id=sent.event.request_id,
            action="event_delivery",
        )  # fmt: skip


async def record_attempt(
    *, session: AsyncSession, sent: Claimed, instance: str, at: datetime,
    status_code: int | None, duration_ms: int, error: str | None, delivered: bool,
    next_attempt_at: datetime | None, sent_out: bool,
) -> bool:  # fmt: skip
    """Log one attempt and settle the event: delivered, due again at `next_attempt_at`, or
    dead (neither); journal it when its body may have reached the endpoint (`sent_out`).
    False when this instance no longer held it (nothing written)."""
    event = sent.event
    attempt = event.attempts + 1
    status = "delivered" if delivered else ("pending" if next_attempt_at else "dead")
    result = await session.exec(
        update(OutgoingEvent)
        .where(col(OutgoingEvent.id) == event.id, equal(OutgoingEvent.claimed_by, instance),
               col(OutgoingEvent.status) == "pending")
        .values(status=status, attempts=attempt, next_attempt_at=next_attempt_at,
                claimed_by=None, claimed_until=None, delivered_at=at if delivered else None)
    )  # fmt: skip
    if result.rowcount != 1:
        return False
    session.add(
        EventDelivery(
            event_id=event.id or 0, subscription_id=event.subscription_id, attempt=attempt,
            at=at, status_code=status_code, duration_ms=duration_ms, error=error,
        )
    )  # fmt: skip
    if sent_out:
        journal_delivery(session, sent, at=at)
    return True


async def release(*, session: AsyncSession, ids: Sequence[int], instance: str) -> None:
    """Give back the claims this instance still holds among `ids` (events it did not try):
    the next run of any instance takes them."""
    if ids:
        await session.exec(
            update(OutgoingEvent)
            .where(col(OutgoingEvent.id).in_(list(ids)), equal(OutgoingEvent.claimed_by, instance),
                   col(OutgoingEvent.status) == "pending")
            .values(claimed_by=None, claimed_until=None)
        )  # fmt: skip


@dataclass(kw_only=True, frozen=True)
class LoggedAttempt:
    delivery: EventDelivery
    event_type: str
    event_status: str


async def deliveries_of(
    *, session: AsyncSession, subscription_id: int, limit: int = 100
) -> list[LoggedAttempt]:
    """A subscription's latest attempts, newest first, with their event's type and state."""
    result = await session.exec(
        select(EventDelivery, OutgoingEvent.event_type, OutgoingEvent.status)
        .join(OutgoingEvent, col(OutgoingEvent.id) == col(EventDelivery.event_id))
        .where(EventDelivery.subscription_id == subscription_id)
        .order_by(col(EventDelivery.id).desc())
        .limit(limit)
    )
    return [
        LoggedAttempt(delivery=delivery, event_type=kind, event_status=status)
        for delivery, kind, status in result.all()
    ]


async def event_counts(*, session: AsyncSession, subscription_id: int) -> dict[str, int]:
    """How many of a subscription's events are pending, delivered, dead, cancelled."""
    result = await session.exec(
        select(OutgoingEvent.status, OutgoingEvent.id).where(
            OutgoingEvent.subscription_id == subscription_id
        )
    )
    counts = {"pending": 0, "delivered": 0, "dead": 0, "cancelled": 0}
    for status, _ in result.all():
        counts[status] = counts.get(status, 0) + 1
    return counts


async def purge_settled(*, session: AsyncSession, before: datetime) -> int:
    """Delete the events delivered or given up whose last attempt was before `before`, and
    those cancelled that occurred before it, with their attempts; how many events went.
    Pending ones stay, however old."""
    last_attempts = (
        select(EventDelivery.event_id)
        .group_by(col(EventDelivery.event_id))
        .having(func.max(EventDelivery.at) < before)
    )
    settled = select(OutgoingEvent.id).where(
        or_(
            and_(col(OutgoingEvent.status).in_(("delivered", "dead")),
                 col(OutgoingEvent.id).in_(last_attempts)),
            and_(col(OutgoingEvent.status) == "cancelled", col(OutgoingEvent.occurred_at) < before),
        )
    )  # fmt: skip
    ids = list((await session.exec(settled)).all())
    if not ids:
        return 0
    await session.exec(delete(EventDelivery).where(col(EventDelivery.event_id).in_(ids)))
    await session.exec(delete(OutgoingEvent).where(col(OutgoingEvent.id).in_(ids)))
    return len(ids)
