"""person period counts: persons accompanied counted per month, quarter and year by the fold

`person_period_counts` keeps, per department and standard period, how many distinct persons
count in each band and problem (frontdoor.indicators.person_periods); the persons' monthly
tallies get a table of their own, `person_tallies`, indexed by person. The persons' tallies
folded in `request_tallies` go back to `request_tally_changes` (one minute in the middle of
their local month, which is the same month in every zone): the indicator-tallies job folds
them again into both new tables, and the table reads them as changes not folded yet
meanwhile, exactly.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05 14:00:00.000000
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PERSONS = "measure LIKE 'person.%'"


def upgrade() -> None:
    op.create_table(
        "person_period_counts",
        sa.Column("department", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("measure", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("department", "period", "measure"),
    )
    op.create_table(
        "person_tallies",
        sa.Column("department", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("measure", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("value", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("department", "month", "measure", "value"),
    )
    op.create_index(
        "ix_person_tallies_department_value",
        "person_tallies",
        ["department", "value"],
        unique=False,
    )
    months = op.get_bind().execute(
        sa.text(f"SELECT DISTINCT month FROM request_tallies WHERE {_PERSONS}")
    )
    for (month,) in months.all():
        middle = datetime(month // 100, month % 100, 15, 12, tzinfo=UTC)
        op.execute(
            "INSERT INTO request_tally_changes (department, minute, measure, value, n) "
            f"SELECT department, {int(middle.timestamp()) // 60}, measure, value, n "
            f"FROM request_tallies WHERE month = {int(month)} AND {_PERSONS}"
        )
    op.execute(f"DELETE FROM request_tallies WHERE {_PERSONS}")


def downgrade() -> None:
    # The persons' tallies folded since go back to request_tallies, where 0020 keeps them.
    op.execute(
        "INSERT INTO request_tallies (department, month, measure, value, n) "
        "SELECT department, month, measure, value, n FROM person_tallies"
    )
    op.drop_index("ix_person_tallies_department_value", table_name="person_tallies")
    op.drop_table("person_tallies")
    op.drop_table("person_period_counts")
