"""persons: who requests are about, their links, their file's events; non-oppositions carried
by the person; known contacts' RPPS numbers

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 00:14:13.518927
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import frontdoor.store.types

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "persons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("department", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("family_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("given_names", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("name_key", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("birth_year", sa.Integer(), nullable=True),
        sa.Column("sex", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
        sa.Column("commune_insee", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
        sa.Column("commune_name", sqlmodel.sql.sqltypes.AutoString(length=150), nullable=True),
        sa.Column("ins", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("gp_contact_id", sa.Integer(), nullable=True),
        sa.Column("referrer_contact_id", sa.Integer(), nullable=True),
        sa.Column("created_at", frontdoor.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("updated_at", frontdoor.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("merged_into", sa.Integer(), nullable=True),
        sa.Column(
            "pseudonymised_at", frontdoor.store.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.ForeignKeyConstraint(
            ["gp_contact_id"],
            ["known_contacts.id"],
        ),
        sa.ForeignKeyConstraint(
            ["merged_into"],
            ["persons.id"],
        ),
        sa.ForeignKeyConstraint(
            ["referrer_contact_id"],
            ["known_contacts.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.create_index(
            "ix_persons_department_name_key", ["department", "name_key"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_persons_merged_into"), ["merged_into"], unique=False)

    op.create_table(
        "person_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("at", frontdoor.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("account", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("detail", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["requests.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("person_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_person_events_person_id"), ["person_id"], unique=False)

    op.create_table(
        "request_persons",
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("linked_at", frontdoor.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("linked_by", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["requests.id"],
        ),
        sa.PrimaryKeyConstraint("request_id", "person_id"),
    )
    with op.batch_alter_table("request_persons", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_request_persons_person_id"), ["person_id"], unique=False
        )

    with op.batch_alter_table("known_contacts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("rpps", sqlmodel.sql.sqltypes.AutoString(length=11), nullable=True)
        )
        batch_op.create_index(batch_op.f("ix_known_contacts_rpps"), ["rpps"], unique=False)

    with op.batch_alter_table("non_oppositions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("person_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("informed_how", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True)
        )
        batch_op.alter_column("request_id", existing_type=sa.INTEGER(), nullable=True)
        batch_op.create_index(
            batch_op.f("ix_non_oppositions_person_id"), ["person_id"], unique=False
        )
        batch_op.create_foreign_key(
            "fk_non_oppositions_person_id_persons", "persons", ["person_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("non_oppositions", schema=None) as batch_op:
        batch_op.drop_constraint("fk_non_oppositions_person_id_persons", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_non_oppositions_person_id"))
        batch_op.alter_column("request_id", existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column("informed_how")
        batch_op.drop_column("person_id")

    with op.batch_alter_table("known_contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_known_contacts_rpps"))
        batch_op.drop_column("rpps")

    with op.batch_alter_table("request_persons", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_request_persons_person_id"))

    op.drop_table("request_persons")
    with op.batch_alter_table("person_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_events_person_id"))

    op.drop_table("person_events")
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_persons_merged_into"))
        batch_op.drop_index("ix_persons_department_name_key")

    op.drop_table("persons")
