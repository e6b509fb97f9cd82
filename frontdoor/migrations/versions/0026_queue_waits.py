"""queue waits: how long a call waited in its department's queue, and whether it was abandoned

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-06 14:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("queue_wait_s", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("queue_abandoned", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("requests", schema=None) as batch_op:
        batch_op.drop_column("queue_abandoned")
        batch_op.drop_column("queue_wait_s")
