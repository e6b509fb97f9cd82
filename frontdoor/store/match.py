"""Conditions on columns that may be NULL, built from values that may be missing.

`column == value` with `value = None` is not "no match" in SQLAlchemy: it becomes
`column IS NULL`, which matches every row without that value. A number asked alone then
matched every contact without a number. Every comparison of a nullable column with a value
goes through `equal` (tests/test_queries.py walks the package for any that does not).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, false, or_


def equal(column: Any, value: object) -> ColumnElement[bool]:
    """`column = value`; a missing value (None) matches nothing, never the NULL rows."""
    if value is None:
        return false()
    condition: ColumnElement[bool] = column == value
    return condition


def any_of(*conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    """Any of the conditions; none given matches nothing (an empty OR, never everything)."""
    return or_(false(), *conditions)
