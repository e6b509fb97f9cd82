"""request repeats: a request may be marked a repeat of an earlier request of the same
situation (requests.repeat_of), counted once as a sollicitation; the tally triggers set
repeats apart from the national measures and count them in a measure of their own

The tallies need no rebuild: no request stored before is a repeat, so each counts in the
same values as before, and in no repeat.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from frontdoor.indicators.tally_triggers import (
    CALLBACK_TASKS,
    Measure,
    Source,
    drop_ddl,
    trigger_ddl,
)

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_IS_REQUEST = "{r}.referrer_type NOT IN ('silent', 'test', 'wrong_number')"
_IS_VOICE_REQUEST = _IS_REQUEST + " AND {r}.channel = 'voice'"
_IS_SOLLICITATION = _IS_REQUEST + " AND {r}.repeat_of IS NULL"
_GP_CONTACT = "coalesce({r}.caller_number, {r}.contact_address)"
# The requests' measures as this revision made them (0019 moved age bands and problems to
# the person tallies): today's measures are not those this revision's database counted.
REQUESTS_0018 = Source(
    table="requests",
    placed_by="received_at",
    columns_read=("department", "received_at", "referrer_type", "response_kinds", "age_band",
                  "channel", "outcome", "out_of_hours", "problems", "answered_at",
                  "caller_number", "contact_address", "repeat_of"),
    measures=(
        Measure(name="referrer", value="{r}.referrer_type",
                counts="{r}.repeat_of IS NULL OR NOT (" + _IS_REQUEST + ")"),
        Measure(name="response", value="''",
                counts=_IS_SOLLICITATION + " AND {empty:response_kinds}"),
        Measure(name="age_band", value="coalesce({r}.age_band, '')", counts=_IS_SOLLICITATION),
        Measure(name="repeat", value="''", counts=_IS_REQUEST + " AND {r}.repeat_of IS NOT NULL"),
        Measure(name="channel", value="{r}.channel", counts=_IS_REQUEST),
        Measure(name="voice_outcome", value="{r}.outcome", counts=_IS_VOICE_REQUEST),
        Measure(name="out_of_hours", value="''", counts=_IS_REQUEST + " AND {r}.out_of_hours"),
        Measure(name="request", value="''", counts=_IS_REQUEST),
        Measure(name="wait", value="CAST({epoch:answered_at} - {epoch:received_at} AS TEXT)",
                counts=_IS_VOICE_REQUEST + " AND {r}.answered_at IS NOT NULL"),
        Measure(name="gp_contact", value=_GP_CONTACT,
                counts="{r}.referrer_type = 'gp' AND " + _GP_CONTACT + " IS NOT NULL"),
        Measure(name="without_problem", value="''",
                counts=_IS_SOLLICITATION + " AND {empty:problems}"),
    ),
    lists=(("problem", "problems"), ("response", "response_kinds")),
    lists_count=_IS_SOLLICITATION,
)  # fmt: skip
SOURCES_0018 = (REQUESTS_0018, CALLBACK_TASKS)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in drop_ddl(dialect, SOURCES_0018):
        op.execute(statement)
    if dialect == "sqlite":
        # Plain ADD COLUMN (no batch copy): other tables refer to requests.
        op.execute("ALTER TABLE requests ADD COLUMN repeat_of INTEGER REFERENCES requests (id)")
    else:
        op.add_column("requests", sa.Column("repeat_of", sa.Integer(), nullable=True))
        op.create_foreign_key(None, "requests", "requests", ["repeat_of"], ["id"])
    op.create_index(op.f("ix_requests_repeat_of"), "requests", ["repeat_of"], unique=False)
    for statement in trigger_ddl(dialect, SOURCES_0018):
        op.execute(statement)


def downgrade() -> None:
    raise NotImplementedError("0018 keeps every repeat: restore the backup taken before it")
