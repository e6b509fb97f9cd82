"""request search: requests found by caller number or contact address, messages by address

The console's and the API's search (frontdoor.store.request_search) and the persons' rights
find a department's requests by the caller's number or the contact's address, and the mails
a person wrote under other requests by their address: indexed, as the inbox's department and
date are.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06 10:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_requests_department_caller_number", "requests", ["department", "caller_number"]
    )
    op.create_index(
        "ix_requests_department_contact_address", "requests", ["department", "contact_address"]
    )
    op.create_index("ix_messages_department_address", "messages", ["department", "address"])


def downgrade() -> None:
    op.drop_index("ix_messages_department_address", table_name="messages")
    op.drop_index("ix_requests_department_contact_address", table_name="requests")
    op.drop_index("ix_requests_department_caller_number", table_name="requests")
