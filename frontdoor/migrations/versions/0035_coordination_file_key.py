"""coordination file key: a request's random key in the coordination file

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-06 14:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0035"
down_revision: str | None = "0034"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "requests",
        sa.Column(
            "coordination_file_key", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True
        ),
    )
    op.create_index(
        op.f("ix_requests_coordination_file_key"), "requests", ["coordination_file_key"],
        unique=True,
    )  # fmt: skip


def downgrade() -> None:
    op.drop_index(op.f("ix_requests_coordination_file_key"), table_name="requests")
    op.drop_column("requests", "coordination_file_key")
