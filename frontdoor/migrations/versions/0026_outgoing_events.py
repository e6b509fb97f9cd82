"""outgoing events: a department's subscriptions, the outbox the database fills in the
transaction of each change (events.triggers) and the log of delivery attempts

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-06 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import frontdoor.store.types
from frontdoor.events import triggers as event_triggers

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_String = sqlmodel.sql.sqltypes.AutoString
_Instant = frontdoor.store.types.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "event_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("department", _String(length=40), nullable=False),
        sa.Column("url", _String(length=500), nullable=False),
        sa.Column("secret", _String(length=100), nullable=False),
        sa.Column("scope", _String(length=30), nullable=False),
        sa.Column("event_types", sa.JSON(), nullable=True),
        sa.Column("created_at", _Instant(), nullable=False),
        sa.Column("created_by", _String(length=120), nullable=False),
        sa.Column("disabled_at", _Instant(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_event_subscriptions_department", "event_subscriptions", ["department"], unique=False
    )
    op.create_table(
        "outgoing_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("department", _String(length=40), nullable=False),
        sa.Column("event_type", _String(length=30), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("occurred_at", _Instant(), nullable=False),
        sa.Column("status", _String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", _Instant(), nullable=True),
        sa.Column("claimed_by", _String(length=120), nullable=True),
        sa.Column("claimed_until", _Instant(), nullable=True),
        sa.Column("delivered_at", _Instant(), nullable=True),
        sa.ForeignKeyConstraint(["subscription_id"], ["event_subscriptions.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_outgoing_events_subscription_id", "outgoing_events", ["subscription_id"], unique=False
    )
    op.create_index(
        "ix_outgoing_events_status_next_attempt",
        "outgoing_events",
        ["status", "next_attempt_at"],
        unique=False,
    )
    op.create_table(
        "event_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("at", _Instant(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("error", _String(length=200), nullable=True),
        sa.ForeignKeyConstraint(["event_id"], ["outgoing_events.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_event_deliveries_event_id", "event_deliveries", ["event_id"], unique=False)
    op.create_index(
        "ix_event_deliveries_subscription_id", "event_deliveries", ["subscription_id"], unique=False
    )
    for statement in event_triggers.trigger_ddl(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    for statement in event_triggers.drop_ddl(op.get_bind().dialect.name):
        op.execute(statement)
    op.drop_table("event_deliveries")
    op.drop_table("outgoing_events")
    op.drop_table("event_subscriptions")
