"""browser reach: where a referent chose to be rung, and her browser's identity at Twilio

Two columns of `team_changes` for core.team's REACH_CHANGED (core.browser_phone).

Revision ID: 0032
Revises: 0030
Create Date: 2026-12-06 14:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0032"
down_revision: str | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "team_changes",
        sa.Column("reach", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
    )
    op.add_column(
        "team_changes",
        sa.Column("client", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    )


def downgrade() -> None:
    op.drop_column("team_changes", "client")
    op.drop_column("team_changes", "reach")
