"""The Alembic revisions build exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import frontdoor.store.models  # noqa: F401
from frontdoor.directory.search_schema import include_object
from frontdoor.store.db import create_engine


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
