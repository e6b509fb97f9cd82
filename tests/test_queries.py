"""No query compares a nullable column with a value that may be missing.

`Model.column == value` turns into `column IS NULL` when the value is None, and then matches
every row without that value: an export asked for a number alone returned every contact
without a number. Such comparisons go through frontdoor.store.match.equal, for which a
missing value matches nothing. The nullable columns come from the models' metadata and the
comparisons from the package's source, so a new column or a new query is checked too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from sqlalchemy import false, select
from sqlmodel import SQLModel

import frontdoor.store.models  # noqa: F401  (every table on the metadata)
from frontdoor.store.match import any_of, equal
from frontdoor.store.models import KnownContact

PACKAGE = Path(__file__).resolve().parent.parent / "frontdoor"


def nullable_columns() -> dict[str, set[str]]:
    """Model class name → its nullable columns (the primary key excepted)."""
    return {
        mapper.class_.__name__: {
            column.name
            for column in mapper.local_table.columns
            if column.nullable and not column.primary_key
        }
        for mapper in SQLModel._sa_registry.mappers
    }


NULLABLE = nullable_columns()


def _nullable_column(node: ast.expr) -> str | None:
    """`Model.column` or `col(Model.column)` of a nullable column, as "Model.column"."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "col":
        node = node.args[0]
    if (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.attr in NULLABLE.get(node.value.id, set())
    ):
        return f"{node.value.id}.{node.attr}"
    return None


def _a_column(node: ast.expr) -> bool:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "col":
        return True
    return (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id in NULLABLE
    )


def comparisons_with_maybe_missing_values(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Compare) or len(node.ops) != 1:
            continue
        if not isinstance(node.ops[0], ast.Eq | ast.NotEq):
            continue
        left, right = node.left, node.comparators[0]
        for column, value in ((left, right), (right, left)):
            name = _nullable_column(column)
            # A literal is never missing; another column is a join.
            if name and not isinstance(value, ast.Constant) and not _a_column(value):
                found.append(f"line {node.lineno}: {ast.unparse(node)}")
    return found


def test_the_walk_finds_a_comparison_that_would_match_null_rows() -> None:
    source = (
        "select(KnownContact).where(col(KnownContact.number) == number)\n"
        "select(KnownContact).where(KnownContact.address != address)\n"
        "select(KnownContact).where(KnownContact.name == name)\n"  # not nullable
        "select(Message).join(OutboxMail, col(Message.provider_id) == col(OutboxMail.message_id))\n"
    )
    assert comparisons_with_maybe_missing_values(source) == [
        "line 1: col(KnownContact.number) == number",
        "line 2: KnownContact.address != address",
    ]


@pytest.mark.parametrize(
    "path", sorted(PACKAGE.rglob("*.py")), ids=lambda path: str(path.relative_to(PACKAGE))
)
def test_no_query_compares_a_nullable_column_with_a_value_that_may_be_missing(
    path: Path,
) -> None:
    found = comparisons_with_maybe_missing_values(path.read_text(encoding="utf-8"))
    assert found == [], "use frontdoor.store.match.equal:\n" + "\n".join(found)


def test_a_missing_value_matches_nothing_and_no_condition_matches_nothing() -> None:
    number_missing = select(KnownContact).where(equal(KnownContact.number, None))
    assert "IS NULL" not in str(number_missing)
    assert str(equal(KnownContact.number, None)) == str(false())
    assert str(any_of()) == str(false())
