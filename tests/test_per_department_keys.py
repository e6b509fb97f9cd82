"""Departments share one database (a region's 13 DACs): a unique key of a department's table
names the department, or says here why the value is unique across departments by nature.

Walks every table of the models, so a table or a unique column added later is checked
without anyone remembering to: a key that silently spans departments makes one department's
row stop another's (the same mail sent to two DACs taken in by one only).
"""

from __future__ import annotations

import pytest
from sqlalchemy import Table, UniqueConstraint
from sqlmodel import SQLModel

import frontdoor.store.models  # noqa: F401  (registers every table)

# (table, columns): why no department is needed.
UNIQUE_ACROSS_DEPARTMENTS = {
    ("callback_tasks", ("request_id",)): "a request's id, itself one department's",
    ("follow_ups", ("response_id",)): "a response's id, itself one request's of one department",
    ("outbox", ("message_id",)): "Message-IDs Frontdoor makes itself (make_msgid: time, "
    "process and 64 random bits, at the department's own domain); no sender chooses them",
    ("requests", ("coordination_file_key",)): "random UUIDs Frontdoor draws itself (uuid4) "
    "at a request's first hand-off; nobody outside chooses them",
}


def _department_tables() -> list[Table]:
    return [t for t in SQLModel.metadata.sorted_tables if "department" in t.columns]


def _unique_keys(table: Table) -> list[tuple[str, ...]]:
    keys = [tuple(c.name for c in table.primary_key.columns)]
    keys += [
        tuple(c.name for c in constraint.columns)
        for constraint in table.constraints
        if isinstance(constraint, UniqueConstraint)
    ]
    keys += [tuple(c.name for c in index.columns) for index in table.indexes if index.unique]
    keys += [(c.name,) for c in table.columns if c.unique]
    return [key for key in dict.fromkeys(keys) if key != ("id",)]  # a surrogate key is global


@pytest.mark.parametrize("table", _department_tables(), ids=lambda table: table.name)
def test_every_unique_key_of_a_department_table_names_the_department_or_says_why(
    table: Table,
) -> None:
    spanning = [
        key
        for key in _unique_keys(table)
        if "department" not in key and (table.name, key) not in UNIQUE_ACROSS_DEPARTMENTS
    ]

    assert spanning == [], f"{table.name}: unique across departments: {spanning}"


def test_the_list_of_keys_unique_across_departments_names_only_existing_keys() -> None:
    tables = {table.name: table for table in _department_tables()}
    for name, key in UNIQUE_ACROSS_DEPARTMENTS:
        assert key in _unique_keys(tables[name]), (name, key)


def test_messages_are_unique_per_department_and_provider_id() -> None:
    messages = SQLModel.metadata.tables["messages"]

    assert ("department", "provider_id") in _unique_keys(messages)
    assert ("provider_id",) not in _unique_keys(messages)
