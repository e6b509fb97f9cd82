"""menu choices to confirm: a caller who pressed "médecin", "infirmier" or "autre
professionnel" and whom no referent has confirmed since was filed as a GP, a nurse libéral or
another health professional; they become what they said (doctor, nurse, professional: to
confirm). The tally triggers count the change, as they count any correction.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 10:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# What each key of the profession menu used to file, and what it said.
_MENU_KEYS = {"gp": "doctor_to_confirm", "nurse": "nurse_to_confirm",
              "other_health": "professional_to_confirm"}  # fmt: skip


def upgrade() -> None:
    for filed, said in _MENU_KEYS.items():
        op.execute(
            f"UPDATE requests SET referrer_type = '{said}' "
            f"WHERE referrer_source = 'menu' AND referrer_type = '{filed}'"
        )


def downgrade() -> None:
    for filed, said in _MENU_KEYS.items():
        op.execute(
            f"UPDATE requests SET referrer_type = '{filed}' "
            f"WHERE referrer_source = 'menu' AND referrer_type = '{said}'"
        )
