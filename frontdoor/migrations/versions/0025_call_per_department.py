"""call per department: a call is its department's and its CallSid, never the CallSid alone

The same CallSid arriving for two departments is two calls: the unique key of requests on
call_sid becomes one on (department, call_sid).

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The name SQLite's batch mode gives the unnamed UNIQUE (call_sid) of 0001, to drop it.
_NAMING = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def _old_unique() -> str:
    """PostgreSQL named it itself; SQLite's batch mode names it by _NAMING."""
    return (
        "requests_call_sid_key"
        if op.get_bind().dialect.name == "postgresql"
        else "uq_requests_call_sid"
    )


def _sqlite_triggers() -> list[tuple[str, str]]:
    """SQLite's triggers (name, DDL): its batch mode rebuilds `requests` under another name,
    which a trigger naming `requests` refuses; they are dropped around it, then restored."""
    if op.get_bind().dialect.name != "sqlite":
        return []
    rows = op.get_bind().execute(
        sa.text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND sql IS NOT NULL")
    )
    triggers = [(name, sql) for name, sql in rows]
    for name, _ in triggers:
        op.execute(f'DROP TRIGGER IF EXISTS "{name}"')
    return triggers


def _restore(triggers: list[tuple[str, str]]) -> None:
    for _, sql in triggers:
        op.execute(sql)


def upgrade() -> None:
    triggers = _sqlite_triggers()
    with op.batch_alter_table("requests", schema=None, naming_convention=_NAMING) as batch_op:
        batch_op.drop_constraint(_old_unique(), type_="unique")
        batch_op.create_unique_constraint(
            "uq_requests_department_call_sid", ["department", "call_sid"]
        )
    _restore(triggers)


def downgrade() -> None:
    triggers = _sqlite_triggers()
    with op.batch_alter_table("requests", schema=None, naming_convention=_NAMING) as batch_op:
        batch_op.drop_constraint("uq_requests_department_call_sid", type_="unique")
        batch_op.create_unique_constraint(_old_unique(), ["call_sid"])
    _restore(triggers)
