"""mailbox per department: a provider's id (a mail's Message-ID) unique per department in
messages, and a mail's other end (address); when each department last answered each sender
automatically (auto_answers); whether each department's mailbox logs in (mailbox_logins)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 20:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import frontdoor.store.types

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The name SQLite's batch mode gives the unnamed UNIQUE (provider_id) of 0003, to drop it.
_NAMING = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def _old_unique() -> str:
    """PostgreSQL named it itself; SQLite's batch mode names it by _NAMING."""
    return (
        "messages_provider_id_key"
        if op.get_bind().dialect.name == "postgresql"
        else "uq_messages_provider_id"
    )


def upgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("department", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True)
        )
        batch_op.add_column(
            sa.Column("address", sqlmodel.sql.sqltypes.AutoString(length=250), nullable=True)
        )
    # Every message already stored belongs to its request's department.
    op.execute(
        "UPDATE messages SET department = "
        "(SELECT requests.department FROM requests WHERE requests.id = messages.request_id)"
    )
    with op.batch_alter_table("messages", schema=None, naming_convention=_NAMING) as batch_op:
        batch_op.alter_column(
            "department", existing_type=sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False
        )
        batch_op.drop_constraint(_old_unique(), type_="unique")
        batch_op.create_unique_constraint(
            "uq_messages_department_provider_id", ["department", "provider_id"]
        )
    op.create_table(
        "auto_answers",
        sa.Column("department", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("sender", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("answered_at", frontdoor.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("department", "sender"),
    )
    op.create_index("ix_auto_answers_answered_at", "auto_answers", ["answered_at"], unique=False)
    op.create_table(
        "mailbox_logins",
        sa.Column("department", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("failure", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True),
        sa.Column("checked_at", frontdoor.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("failing_since", frontdoor.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("instance", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.PrimaryKeyConstraint("department"),
    )


def downgrade() -> None:
    op.drop_table("mailbox_logins")
    op.drop_index("ix_auto_answers_answered_at", table_name="auto_answers")
    op.drop_table("auto_answers")
    with op.batch_alter_table("messages", schema=None, naming_convention=_NAMING) as batch_op:
        batch_op.drop_constraint("uq_messages_department_provider_id", type_="unique")
        batch_op.create_unique_constraint(_old_unique(), ["provider_id"])
        batch_op.drop_column("address")
        batch_op.drop_column("department")
