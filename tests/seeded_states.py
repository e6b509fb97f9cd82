"""Database states built once per test session and handed to every test that starts from them.

A matrix of tests (every console route × every role × own or other department) starts each of
its hundreds of cells from the same data: a voicemail placed through the webhooks, persons, a
closure, accounts signed in. Building that through the service takes longer than the cell
itself, so the first cell builds it and the others get a copy of what it left: the SQLite file
itself, or on PostgreSQL every row and every sequence, and the test's private folders (mail
attachments, recordings, journal). Each cell still runs on a database of its own.
"""

from __future__ import annotations

import shutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import MetaData, Table, select
from sqlalchemy.engine import make_url

from frontdoor.settings import Settings
from frontdoor.store.db import create_engine

T = TypeVar("T")


@dataclass(frozen=True)
class _State:
    facts: Any  # what the build returned: the ids and cookies the tests need
    folder: Path  # the SQLite file and the private folders, as the build left them
    tables: tuple[tuple[Table, list[dict[str, Any]]], ...] = ()  # PostgreSQL's rows
    sequences: tuple[tuple[str, int | None], ...] = ()


def _private_folders(settings: Settings) -> dict[str, Path]:
    return {
        "journal": settings.journal_dir,
        "recordings": settings.recordings_dir,
        "attachments": settings.mail_attachments_dir,
    }


def _sqlite_file(settings: Settings) -> Path | None:
    url = make_url(settings.database_url)
    return Path(url.database or "") if url.get_backend_name() == "sqlite" else None


class SeededStates:
    """The session's states by name: `given` builds one the first time it is asked for, then
    restores it into each later test's database and folders."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._states: dict[str, _State] = {}

    async def given(
        self, name: str, settings: Settings, build: Callable[[Settings], Awaitable[T]]
    ) -> T:
        """The state `name` in `settings`' empty database, before anything opens it; what
        `build` returned when it made the state."""
        state = self._states.get(name)
        if state is None:
            facts = await build(settings)
            self._states[name] = await self._taken(settings, facts)
            return facts
        await _restored(state, settings)
        return state.facts

    async def _taken(self, settings: Settings, facts: object) -> _State:
        folder = self._folder / f"state-{len(self._states)}"
        for part, source in _private_folders(settings).items():
            if source.exists():
                shutil.copytree(source, folder / part)
        folder.mkdir(parents=True, exist_ok=True)
        database = _sqlite_file(settings)
        engine = create_engine(settings.database_url)
        try:
            async with engine.connect() as connection:
                if database is not None:  # the whole state in the file itself, then copied
                    await connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                    shutil.copyfile(database, folder / "frontdoor.sqlite3")
                    return _State(facts=facts, folder=folder)
                metadata = MetaData()
                await connection.run_sync(metadata.reflect)
                tables = []
                for table in metadata.sorted_tables:
                    if table.name != "alembic_version":
                        rows = (await connection.execute(select(table))).mappings()
                        tables.append((table, [dict(row) for row in rows]))
                sequences = await connection.exec_driver_sql(
                    "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"
                )
                return _State(
                    facts,
                    folder,
                    tuple(tables),
                    tuple((str(name), value) for name, value in sequences),
                )
        finally:
            await engine.dispose()


async def _restored(state: _State, settings: Settings) -> None:
    for part, target in _private_folders(settings).items():
        if (state.folder / part).exists():
            shutil.copytree(state.folder / part, target, dirs_exist_ok=True)
    database = _sqlite_file(settings)
    if database is not None:
        for leftover in (database.with_name(database.name + "-wal"),
                         database.with_name(database.name + "-shm")):  # fmt: skip
            leftover.unlink(missing_ok=True)
        shutil.copyfile(state.folder / "frontdoor.sqlite3", database)
        return
    engine = create_engine(settings.database_url)
    try:
        async with engine.begin() as connection:
            # Rows as they were, triggers aside: the tallies' rows are part of the state.
            await connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
            for table, _rows in state.tables:
                await connection.execute(table.delete())
            for table, rows in state.tables:
                if rows:
                    await connection.execute(table.insert(), rows)
            for sequence, last_value in state.sequences:
                await connection.exec_driver_sql(
                    f"SELECT setval('\"{sequence}\"', {last_value or 1}, {last_value is not None})"
                )
    finally:
        await engine.dispose()
