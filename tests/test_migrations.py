"""The Alembic revisions build exactly the schema the models describe."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlmodel import SQLModel

import frontdoor.store.models  # noqa: F401
from frontdoor.directory.search_schema import include_object
from frontdoor.store.db import create_engine
from frontdoor.store.migrate import alembic_config, upgrade

AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


async def _schema_at(revision: str, tmp_path: Path, postgres_database: str | None) -> AsyncEngine:
    """An empty database migrated up to `revision` only, as an older Frontdoor left it."""
    url = postgres_database or f"sqlite+aiosqlite:///{tmp_path / 'before.sqlite3'}"
    engine = create_engine(url)
    async with engine.begin() as connection:
        if postgres_database:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
        await connection.run_sync(lambda sync: command.upgrade(alembic_config(sync), revision))
    return engine


async def _old_request(connection: AsyncConnection, department: str) -> int:
    """A mail request written with the columns every revision since 0009 has."""
    result = await connection.execute(
        text(
            "INSERT INTO requests (department, channel, referrer_type, referrer_source, "
            "outcome, out_of_hours, callback_needed, attempts, status, received_at, problems) "
            "VALUES (:d, 'mail', 'unknown', 'none', 'in_progress', false, false, 0, 'open', "
            ":at, '[]') RETURNING id"
        ),
        {"d": department, "at": AT},
    )
    return int(result.scalar_one())


async def test_the_migrated_schema_matches_the_models(database_url: str) -> None:
    engine = create_engine(database_url)
    async with engine.connect() as connection:
        differences = await connection.run_sync(
            lambda sync: compare_metadata(
                MigrationContext.configure(sync, opts={"include_object": include_object}),
                SQLModel.metadata,
            )
        )
    await engine.dispose()

    assert differences == []


async def test_an_upgrade_to_per_department_messages_keeps_every_message_under_its_department(
    tmp_path: Path, postgres_database: str | None
) -> None:
    """0013: messages stored before it get their request's department, none is lost, and the
    Message-ID one department holds no longer stops another from storing it."""
    engine = await _schema_at("0009", tmp_path, postgres_database)
    try:
        async with engine.begin() as connection:
            for department in ("dac46", "dac57"):
                request_id = await _old_request(connection, department)
                await connection.execute(
                    text(
                        "INSERT INTO messages (request_id, channel, direction, provider_id, at) "
                        "VALUES (:r, 'mail', 'in', :p, :at)"
                    ),
                    {"r": request_id, "p": f"<before@{department}>", "at": AT},
                )

        await upgrade(engine)

        async with engine.begin() as connection:
            rows = await connection.execute(
                text("SELECT department, provider_id FROM messages ORDER BY id")
            )
            assert [tuple(row) for row in rows] == [
                ("dac46", "<before@dac46>"),
                ("dac57", "<before@dac57>"),
            ]
            request_id = (
                await connection.execute(text("SELECT id FROM requests WHERE department = 'dac57'"))
            ).scalar_one()
            await connection.execute(
                text(
                    "INSERT INTO messages (request_id, department, channel, direction, "
                    "provider_id, at) VALUES (:r, 'dac57', 'mail', 'in', '<before@dac46>', :at)"
                ),
                {"r": request_id, "at": AT},
            )
            with pytest.raises(IntegrityError):
                async with connection.begin_nested():
                    await connection.execute(
                        text(
                            "INSERT INTO messages (request_id, department, channel, direction, "
                            "provider_id, at) VALUES (:r, 'dac57', 'mail', 'in', "
                            "'<before@dac57>', :at)"
                        ),
                        {"r": request_id, "at": AT},
                    )
    finally:
        await engine.dispose()


async def test_an_upgrade_to_persons_keeps_every_non_opposition_on_its_request(
    tmp_path: Path, postgres_database: str | None
) -> None:
    """0014: non-oppositions recorded per request before persons existed stay on their request
    (no person yet: nobody can say who they were about), and known contacts keep their rows."""
    engine = await _schema_at("0013", tmp_path, postgres_database)
    try:
        async with engine.begin() as connection:
            request_id = await _old_request(connection, "dac46")
            await connection.execute(
                text(
                    "INSERT INTO non_oppositions (request_id, kind, stance, recorded_by, "
                    "recorded_at) VALUES (:r, 'data_processing', 'opposed', 'claire', :at)"
                ),
                {"r": request_id, "at": AT},
            )
            await connection.execute(
                text(
                    "INSERT INTO known_contacts (department, number, name, referrer_type) "
                    "VALUES ('dac46', '+33565000001', 'Dr Martin', 'gp')"
                )
            )

        await upgrade(engine)

        async with engine.begin() as connection:
            stances = await connection.execute(
                text("SELECT request_id, person_id, kind, stance FROM non_oppositions")
            )
            assert [tuple(row) for row in stances] == [
                (request_id, None, "data_processing", "opposed")
            ]
            contacts = await connection.execute(text("SELECT name, rpps FROM known_contacts"))
            assert [tuple(row) for row in contacts] == [("Dr Martin", None)]
    finally:
        await engine.dispose()


async def test_an_upgrade_to_funding_by_source_keeps_the_figures_entered(
    tmp_path: Path, postgres_database: str | None
) -> None:
    """0017: a funding total entered before the split stays whole, as not split by source;
    a GP count entered is kept with the source "saisie", by whoever entered it, then."""
    engine = await _schema_at("0016", tmp_path, postgres_database)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO department_figures (department, year, staff_fte, funding_eur, "
                    "territory_gps, updated_by, updated_at) VALUES "
                    "('dac46', 2026, 4.5, 350000, 180, 'coord@dac46.fr', :at), "
                    "('dac57', 2026, 3, NULL, NULL, 'coord@dac57.fr', :at)"
                ),
                {"at": AT},
            )

        await upgrade(engine)

        async with engine.begin() as connection:
            rows = await connection.execute(
                text(
                    "SELECT department, staff_fte, funding_non_reparti, funding_ars_fir, "
                    "territory_gps, territory_gps_source, territory_gps_by "
                    "FROM department_figures ORDER BY department"
                )
            )
            assert [tuple(row) for row in rows] == [
                ("dac46", 4.5, 350_000, None, 180, "saisie", "coord@dac46.fr"),
                ("dac57", 3, None, None, None, None, None),
            ]
    finally:
        await engine.dispose()
