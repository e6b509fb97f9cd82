"""directory sms

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 04:55:49.142025
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import frontdoor.store.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "resources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("source_id", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("finess_category", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
        sa.Column("address", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("postal_code", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
        sa.Column("commune_insee", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
        sa.Column("commune_name", sqlmodel.sql.sqltypes.AutoString(length=150), nullable=True),
        sa.Column("departement", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("phones", sa.JSON(), nullable=True),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("website", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("hours_text", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("hours", sa.JSON(), nullable=True),
        sa.Column("serves_communes", sa.JSON(), nullable=True),
        sa.Column("audience", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("checked_at", sa.Date(), nullable=True),
        sa.Column("edited_locally", sa.Boolean(), nullable=False),
        sa.Column("search_text", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("updated_at", frontdoor.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source", "source_id"),
    )
    with op.batch_alter_table("resources", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_resources_category"), ["category"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_resources_commune_insee"), ["commune_insee"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_resources_departement"), ["departement"], unique=False)
        batch_op.create_index(batch_op.f("ix_resources_postal_code"), ["postal_code"], unique=False)

    op.create_table(
        "sms_opt_outs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("department", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("number", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("opted_out_at", frontdoor.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("department", "number"),
    )
    op.create_table(
        "messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("direction", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("provider_id", sqlmodel.sql.sqltypes.AutoString(length=250), nullable=True),
        sa.Column("at", frontdoor.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("body", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("author", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True),
        sa.Column("segments", sa.Integer(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["requests.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("provider_id"),
    )
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_messages_request_id"), ["request_id"], unique=False)

    with op.batch_alter_table("requests", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("response_type", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("requests", schema=None) as batch_op:
        batch_op.drop_column("response_type")

    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_messages_request_id"))

    op.drop_table("messages")
    op.drop_table("sms_opt_outs")
    with op.batch_alter_table("resources", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_resources_postal_code"))
        batch_op.drop_index(batch_op.f("ix_resources_departement"))
        batch_op.drop_index(batch_op.f("ix_resources_commune_insee"))
        batch_op.drop_index(batch_op.f("ix_resources_category"))

    op.drop_table("resources")
