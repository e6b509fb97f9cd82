"""directory search: full-text index, served communes, coordinates

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 05:10:00

The database only selects candidates; frontdoor.core.directory_search ranks them, so both
backends give the same answers.

- SQLite: `resources_fts`, an FTS5 external-content table over resources.search_text
  (unicode61, diacritics removed), kept in step by triggers.
- PostgreSQL: a GIN index on to_tsvector('simple', search_text): the column is already
  normalised (lower case, no accents, words of [a-z0-9]), so the 'simple' configuration
  tokenises it as unicode61 does, and prefix queries (`figea:*`) match the same rows.
- Both: `resource_serves` (resource id, INSEE code), one row per served commune, written by
  triggers from resources.serves_communes, to find "who serves this commune" by index; and
  indexes on the coordinates for the nearest-first box queries.
- The GIN index is built without its pending list (fastupdate off): the directory is read
  far more than written, and a pending list left by a bulk import slows every search until
  a vacuum (bench: p95 ×30 on 10 000 fresh rows).
These objects are not in the models (frontdoor.directory.search_schema names them).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SQLITE_UP = [
    """CREATE VIRTUAL TABLE resources_fts USING fts5(
        search_text, content='resources', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER resources_fts_insert AFTER INSERT ON resources BEGIN
        INSERT INTO resources_fts(rowid, search_text) VALUES (new.id, new.search_text);
    END""",
    """CREATE TRIGGER resources_fts_delete AFTER DELETE ON resources BEGIN
        INSERT INTO resources_fts(resources_fts, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
    END""",
    """CREATE TRIGGER resources_fts_update AFTER UPDATE OF search_text ON resources BEGIN
        INSERT INTO resources_fts(resources_fts, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
        INSERT INTO resources_fts(rowid, search_text) VALUES (new.id, new.search_text);
    END""",
    "INSERT INTO resources_fts(resources_fts) VALUES ('rebuild')",
    """CREATE TRIGGER resource_serves_insert AFTER INSERT ON resources
    WHEN json_valid(new.serves_communes) AND json_type(new.serves_communes) = 'array' BEGIN
        INSERT OR IGNORE INTO resource_serves(resource_id, insee)
        SELECT new.id, value FROM json_each(new.serves_communes) WHERE type = 'text';
    END""",
    """CREATE TRIGGER resource_serves_update AFTER UPDATE OF serves_communes ON resources BEGIN
        DELETE FROM resource_serves WHERE resource_id = old.id;
        INSERT OR IGNORE INTO resource_serves(resource_id, insee)
        SELECT new.id, value FROM json_each(
            CASE WHEN json_valid(new.serves_communes)
                  AND json_type(new.serves_communes) = 'array'
                 THEN new.serves_communes ELSE '[]' END)
        WHERE type = 'text';
    END""",
    """CREATE TRIGGER resource_serves_delete AFTER DELETE ON resources BEGIN
        DELETE FROM resource_serves WHERE resource_id = old.id;
    END""",
    """INSERT OR IGNORE INTO resource_serves(resource_id, insee)
    SELECT resources.id, j.value FROM resources, json_each(resources.serves_communes) AS j
    WHERE json_valid(resources.serves_communes)
      AND json_type(resources.serves_communes) = 'array' AND j.type = 'text'""",
]
_SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS resource_serves_delete",
    "DROP TRIGGER IF EXISTS resource_serves_update",
    "DROP TRIGGER IF EXISTS resource_serves_insert",
    "DROP TRIGGER IF EXISTS resources_fts_update",
    "DROP TRIGGER IF EXISTS resources_fts_delete",
    "DROP TRIGGER IF EXISTS resources_fts_insert",
    "DROP TABLE IF EXISTS resources_fts",
]
_POSTGRES_UP = [
    """CREATE INDEX ix_resources_search_tsv ON resources
    USING gin (to_tsvector('simple', search_text)) WITH (fastupdate = off)""",
    """CREATE FUNCTION resource_serves_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            DELETE FROM resource_serves WHERE resource_id = OLD.id;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') AND json_typeof(NEW.serves_communes) = 'array' THEN
            INSERT INTO resource_serves(resource_id, insee)
            SELECT NEW.id, j.item #>> '{}' FROM json_array_elements(NEW.serves_communes) AS j(item)
            WHERE json_typeof(j.item) = 'string'
            ON CONFLICT DO NOTHING;
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER resource_serves_sync
    AFTER INSERT OR DELETE OR UPDATE OF serves_communes ON resources
    FOR EACH ROW EXECUTE FUNCTION resource_serves_sync()""",
    """INSERT INTO resource_serves(resource_id, insee)
    SELECT r.id, j.item #>> '{}' FROM resources AS r,
        json_array_elements(r.serves_communes) AS j(item)
    WHERE json_typeof(r.serves_communes) = 'array' AND json_typeof(j.item) = 'string'
    ON CONFLICT DO NOTHING""",
]
_POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS resource_serves_sync ON resources",
    "DROP FUNCTION IF EXISTS resource_serves_sync()",
    "DROP INDEX IF EXISTS ix_resources_search_tsv",
]


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.create_table(
        "resource_serves",
        sa.Column("insee", sa.String(length=10), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("insee", "resource_id"),
    )
    op.create_index("ix_resource_serves_resource_id", "resource_serves", ["resource_id"])
    op.create_index("ix_resources_search_geo", "resources", ["category", "latitude", "longitude"])
    op.create_index("ix_resources_search_lat", "resources", ["latitude", "longitude"])
    for statement in _SQLITE_UP if dialect == "sqlite" else _POSTGRES_UP:
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in _SQLITE_DOWN if dialect == "sqlite" else _POSTGRES_DOWN:
        op.execute(statement)
    op.drop_index("ix_resources_search_lat", table_name="resources")
    op.drop_index("ix_resources_search_geo", table_name="resources")
    op.drop_index("ix_resource_serves_resource_id", table_name="resource_serves")
    op.drop_table("resource_serves")
