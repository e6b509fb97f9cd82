"""Alembic environment: runs on the connection frontdoor.store.migrate hands it."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import frontdoor.store.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from frontdoor.directory.search_schema import include_object

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `frontdoor migrate`, not the alembic command")

context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    include_object=include_object,  # the directory's search objects live outside the models
)
with context.begin_transaction():
    context.run_migrations()
