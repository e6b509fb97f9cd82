"""Keyset pages for the API's lists: newest first by an instant and an id, the page after a
mark (core.listing.Mark) holding only rows strictly older, so a row that arrives between two
pages never shifts the next one."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, or_
from sqlmodel import col

from frontdoor.core.listing import Mark


def older_than(at: Any, row_id: Any, mark: Mark) -> ColumnElement[bool]:
    """Rows sorting after `mark` in the order (at desc, id desc)."""
    return or_(col(at) < mark.at, and_(col(at) == mark.at, col(row_id) < mark.id))


def newest_first(at: Any, row_id: Any) -> tuple[Any, Any]:
    return col(at).desc(), col(row_id).desc()
