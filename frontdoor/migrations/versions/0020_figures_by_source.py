"""entered figures: funding by source, the territory's GP count with its source

The single funding figure moves to "non réparti" (a total entered before the split: it was
not said which source paid what); a GP count already entered gets the source "saisie",
by whoever last saved the figures, then.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05 11:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import frontdoor.store.types

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SOURCES = ("ars_fir", "conseil_departemental", "assurance_maladie", "autre", "non_reparti")


def upgrade() -> None:
    with op.batch_alter_table("department_figures", schema=None) as batch_op:
        for source in _SOURCES:
            batch_op.add_column(sa.Column(f"funding_{source}", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "territory_gps_source",
                sqlmodel.sql.sqltypes.AutoString(length=200),
                nullable=True,
            )
        )
        batch_op.add_column(
            sa.Column(
                "territory_gps_by", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True
            )
        )
        batch_op.add_column(
            sa.Column(
                "territory_gps_at",
                frontdoor.store.types.UTCDateTime(timezone=True),
                nullable=True,
            )
        )
    op.execute("UPDATE department_figures SET funding_non_reparti = funding_eur")
    op.execute(
        "UPDATE department_figures SET territory_gps_source = 'saisie', "
        "territory_gps_by = updated_by, territory_gps_at = updated_at "
        "WHERE territory_gps IS NOT NULL"
    )
    with op.batch_alter_table("department_figures", schema=None) as batch_op:
        batch_op.drop_column("funding_eur")


def downgrade() -> None:
    with op.batch_alter_table("department_figures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("funding_eur", sa.Integer(), nullable=True))
    total = " + ".join(f"coalesce(funding_{source}, 0)" for source in _SOURCES)
    any_entered = " OR ".join(f"funding_{source} IS NOT NULL" for source in _SOURCES)
    op.execute(f"UPDATE department_figures SET funding_eur = {total} WHERE {any_entered}")
    with op.batch_alter_table("department_figures", schema=None) as batch_op:
        for column in ("territory_gps_at", "territory_gps_by", "territory_gps_source"):
            batch_op.drop_column(column)
        for source in reversed(_SOURCES):
            batch_op.drop_column(f"funding_{source}")
