"""Schema migrations (Alembic), run by `frontdoor migrate` and before `frontdoor serve`."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncEngine

_SCRIPTS = Path(__file__).resolve().parent.parent / "migrations"
# Any constant works: it only has to be the same for every instance of Frontdoor.
_ADVISORY_LOCK = 4_624_657


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_SCRIPTS))
    config.attributes["connection"] = connection
    return config


async def upgrade(engine: AsyncEngine) -> None:
    """Bring the schema to the latest revision; safe when several instances start together."""
    async with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Alembic's batch mode rebuilds a table that others reference (requests): SQLite
            # wants foreign keys off meanwhile, set outside any transaction; they are checked
            # once the migrations ran, before their commit.
            await connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            await connection.commit()
        try:
            async with connection.begin():
                if not sqlite:
                    await connection.execute(
                        text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_LOCK}
                    )
                await connection.run_sync(_upgrade)
                if sqlite:
                    broken = (await connection.exec_driver_sql("PRAGMA foreign_key_check")).all()
                    if broken:
                        raise RuntimeError(f"migration left rows without their parent: {broken}")
        finally:
            if sqlite:
                await connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                await connection.commit()


def _upgrade(connection: Connection) -> None:
    command.upgrade(alembic_config(connection), "head")
