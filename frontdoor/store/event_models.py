"""The tables of outgoing events: a department's subscriptions, the outbox the database fills
itself (triggers, frontdoor.events.triggers), and the log of delivery attempts.

Neither the outbox nor the log holds personal data: an event names its request or task by id;
what is posted is built when it is delivered (core.events), from the request as it stands.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from frontdoor.store.types import UTCDateTime


class EventSubscription(SQLModel, table=True):
    """An HTTPS endpoint a department's coordinator subscribed to some event types."""

    __tablename__ = "event_subscriptions"

    id: int | None = Field(default=None, primary_key=True)
    department: str = Field(index=True, max_length=40)
    url: str = Field(max_length=500)
    # The signing key, shown once when the subscription is made; never logged nor shown again.
    secret: str = Field(max_length=100)
    scope: str = Field(max_length=30)  # core.events.Scope
    event_types: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    created_by: str = Field(max_length=120)
    disabled_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))


class OutgoingEvent(SQLModel, table=True):
    """One event for one subscription, written by the database in the transaction of the
    change; delivered by whoever holds its claim (frontdoor.jobs.events)."""

    __tablename__ = "outgoing_events"
    # What the delivery job reads: the pending events due.
    __table_args__ = (Index("ix_outgoing_events_status_next_attempt", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    subscription_id: int = Field(foreign_key="event_subscriptions.id", index=True)
    department: str = Field(max_length=40)
    event_type: str = Field(max_length=30)  # core.events.EventType
    request_id: int | None = Field(default=None)
    task_id: int | None = Field(default=None)
    occurred_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    # "pending", "delivered", "dead" (given up), "cancelled" (its subscription stopped)
    status: str = Field(default="pending", max_length=10)
    attempts: int = 0
    next_attempt_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    claimed_by: str | None = Field(default=None, max_length=120)  # an instance's name
    claimed_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    delivered_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))


class EventDelivery(SQLModel, table=True):
    """One attempt at delivering an event: its answer, never what was posted."""

    __tablename__ = "event_deliveries"

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="outgoing_events.id", index=True)
    subscription_id: int = Field(index=True)
    attempt: int
    at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    status_code: int | None = None  # None: no answer (refused, timed out)
    duration_ms: int
    error: str | None = Field(default=None, max_length=200)  # "timeout", "connection refused"
