"""On PostgreSQL, a statement trigger returns before its statement when that statement has
nothing to write: an update that changed no column the trigger reads, an event trigger while
no subscription is active. Every webhook that updates its call fires the requests' update
triggers; their statements (a dozen SELECTs each) ran for nothing.

An alarm shows whether a trigger's statement ran: a statement trigger BEFORE INSERT on the
table it writes to fires even when the statement inserts no row."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from frontdoor.store.db import create_engine

AT = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)
WRITTEN_BY_TRIGGERS = ("request_tally_changes", "outgoing_events")


@pytest.fixture
async def connection(database_url: str) -> AsyncIterator[AsyncConnection]:
    """A connection in a transaction, on a database holding one call, with the alarms set."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite's row triggers skip by their WHEN, checked by the tally tests")
    engine = create_engine(database_url)
    async with engine.connect() as opened:
        await opened.execute(
            text(
                "INSERT INTO requests (department, channel, referrer_type, referrer_source, "
                "outcome, out_of_hours, callback_needed, attempts, status, received_at, "
                "problems, call_sid) VALUES ('dac46', 'voice', 'unknown', 'none', "
                "'in_progress', false, false, 0, 'open', :at, '[]', 'CA-idle')"
            ),
            {"at": AT},
        )
        for table in WRITTEN_BY_TRIGGERS:
            await opened.execute(
                text(
                    f"CREATE FUNCTION alarm_{table}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                    f"BEGIN RAISE EXCEPTION 'a trigger wrote to {table}'; END $$"
                )
            )
            await opened.execute(
                text(
                    f"CREATE TRIGGER alarm_{table} BEFORE INSERT ON {table} "
                    f"FOR EACH STATEMENT EXECUTE FUNCTION alarm_{table}()"
                )
            )
        yield opened
    await engine.dispose()


async def update_call(connection: AsyncConnection, assignments: str) -> None:
    await connection.execute(text(f"UPDATE requests SET {assignments} WHERE call_sid = 'CA-idle'"))


async def subscribe(connection: AsyncConnection) -> None:
    await connection.execute(
        text(
            "INSERT INTO event_subscriptions (department, url, secret, scope, event_types, "
            "created_at, created_by) VALUES ('dac46', 'https://integrator.example/hook', "
            "'secret', 'requests', '[\"request.updated\"]', :at, 'test')"
        ),
        {"at": AT},
    )


async def test_a_call_updated_in_columns_no_trigger_reads_runs_no_trigger_statement(
    connection: AsyncConnection,
) -> None:
    # What a status callback writes beside its outcome: how long the call lasted, when.
    await update_call(connection, "duration_s = 42, ended_at = now()")


async def test_a_call_updated_in_a_column_a_tally_reads_still_runs_its_statement(
    connection: AsyncConnection,
) -> None:
    with pytest.raises(DBAPIError, match="a trigger wrote to request_tally_changes"):
        await update_call(connection, "referrer_type = 'hospital'")


async def test_an_update_an_integrator_follows_writes_no_event_while_nobody_subscribes(
    connection: AsyncConnection,
) -> None:
    # taken_by: followed by integrators (events.triggers.FOLLOWED), read by no tally.
    await update_call(connection, "taken_by = 'ref-1'")


async def test_the_same_update_writes_its_event_once_a_subscription_is_active(
    connection: AsyncConnection,
) -> None:
    await subscribe(connection)

    with pytest.raises(DBAPIError, match="a trigger wrote to outgoing_events"):
        await update_call(connection, "taken_by = 'ref-1'")
