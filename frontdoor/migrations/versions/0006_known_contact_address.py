"""known contact address

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 05:41:10.541239
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("known_contacts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("address", sqlmodel.sql.sqltypes.AutoString(length=250), nullable=True)
        )
        batch_op.alter_column("number", existing_type=sa.VARCHAR(length=40), nullable=True)
        batch_op.create_unique_constraint(
            "uq_known_contacts_department_address", ["department", "address"]
        )


def downgrade() -> None:
    with op.batch_alter_table("known_contacts", schema=None) as batch_op:
        batch_op.drop_constraint("uq_known_contacts_department_address", type_="unique")
        batch_op.alter_column("number", existing_type=sa.VARCHAR(length=40), nullable=False)
        batch_op.drop_column("address")
