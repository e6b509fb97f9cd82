"""sign-in throttle per login and client, and known devices; the per-account lock goes

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import frontdoor.store.types

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sign_in_tallies",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("first_at", frontdoor.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_at", frontdoor.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("sign_in_tallies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sign_in_tallies_last_at"), ["last_at"], unique=False)
    op.create_table(
        "sign_in_devices",
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("created_at", frontdoor.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", frontdoor.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"]),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    with op.batch_alter_table("sign_in_devices", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sign_in_devices_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_sign_in_devices_last_used_at"), ["last_used_at"], unique=False
        )
    # The lock was per account: anyone could keep any account locked. Counts start afresh.
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_column("locked_until")
        batch_op.drop_column("failed_sign_ins")


def downgrade() -> None:
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("failed_sign_ins", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column(
                "locked_until", frontdoor.store.types.UTCDateTime(timezone=True), nullable=True
            )
        )
    with op.batch_alter_table("sign_in_devices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sign_in_devices_last_used_at"))
        batch_op.drop_index(batch_op.f("ix_sign_in_devices_account_id"))
    op.drop_table("sign_in_devices")
    with op.batch_alter_table("sign_in_tallies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sign_in_tallies_last_at"))
    op.drop_table("sign_in_tallies")
