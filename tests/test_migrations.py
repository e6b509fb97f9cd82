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
from sqlmodel import SQLModel

import frontdoor.store.models  # noqa: F401
from frontdoor.directory.search_schema import include_object
from frontdoor.store.db import create_engine
from frontdoor.store.migrate import alembic_config, upgrade

AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


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
    url = postgres_database or f"sqlite+aiosqlite:///{tmp_path / 'before.sqlite3'}"
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            if postgres_database:
                await connection.execute(text("DROP SCHEMA public CASCADE"))
                await connection.execute(text("CREATE SCHEMA public"))
            await connection.run_sync(lambda sync: command.upgrade(alembic_config(sync), "0009"))
        async with engine.begin() as connection:
            for department in ("dac46", "dac57"):
                request_id = (
                    await connection.execute(
                        text(
                            "INSERT INTO requests (department, channel, referrer_type, "
                            "referrer_source, outcome, out_of_hours, callback_needed, attempts, "
                            "status, received_at, problems) VALUES (:d, 'mail', 'unknown', "
                            "'none', 'in_progress', false, false, 0, 'open', :at, '[]') "
                            "RETURNING id"
                        ),
                        {"d": department, "at": AT},
                    )
                ).scalar_one()
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
