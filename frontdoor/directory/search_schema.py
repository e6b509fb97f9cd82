"""The search objects migration 0004 adds beside the models, for schema comparisons to skip."""

from __future__ import annotations

from typing import Any

# FTS5 makes shadow tables named after its virtual table (resources_fts_data, _idx…).
SEARCH_TABLE_PREFIXES = ("resources_fts", "resource_serves")
SEARCH_INDEX_PREFIXES = ("ix_resources_search_", "ix_resource_serves_")


def is_search_object(name: str | None, type_: str) -> bool:
    if not name:
        return False
    if type_ == "table":
        return name.startswith(SEARCH_TABLE_PREFIXES)
    if type_ == "index":
        return name.startswith(SEARCH_INDEX_PREFIXES)
    return False


def include_object(
    _object: Any, name: str | None, type_: str, reflected: bool, _compare_to: Any
) -> bool:
    """Alembic's `include_object` hook: leave the search objects to their own migration."""
    return not (reflected and is_search_object(name, type_))
