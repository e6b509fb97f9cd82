"""The console's and the API's handler modules translate: they parse, call one action (or a
store function), and render or answer JSON. None runs a query itself: no `select` imported
from sqlmodel or SQLAlchemy, no `session.exec`/`execute` (store queries live in
frontdoor/store/, request actions in frontdoor/actions/).

The modules that still do are listed below, each with why; the list only shrinks.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.source_imports import ROOT

FRONTDOOR = ROOT / "frontdoor"
HANDLER_MODULES = sorted(
    {
        *(FRONTDOOR / "console").glob("*.py"),
        *(FRONTDOOR / "web").glob("*_api.py"),
        FRONTDOOR / "web" / "api.py",
        FRONTDOOR / "directory" / "api.py",
    }
)
# Still querying, and why; remove a line when its module is moved onto the store.
STILL_QUERYING = {
    "frontdoor/console/accounts_command.py": "a CLI verb (frontdoor accounts), not a handler",
    "frontdoor/console/directory_pages.py": "the directory's pages list resources themselves",
    "frontdoor/console/duty.py": "the duty page reads overrides itself (being reworked)",
}
QUERY_MODULES = ("sqlmodel", "sqlalchemy")


def queries_in(source: str) -> list[str]:
    """What in a module's source runs a query: `select` imported, `.exec(` or `.execute(`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in QUERY_MODULES:
            found += [f"imports {node.module}.select" for a in node.names if a.name == "select"]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("exec", "execute")
        ):
            found.append(f"line {node.lineno}: .{node.func.attr}()")
    return found


def name(path: Path) -> str:
    return str(path.relative_to(ROOT))


@pytest.mark.parametrize("path", HANDLER_MODULES, ids=name)
def test_no_handler_module_runs_a_query(path: Path) -> None:
    found = queries_in(path.read_text())
    if name(path) in STILL_QUERYING:
        assert found, f"{name(path)} no longer queries: remove it from STILL_QUERYING"
    else:
        assert not found, f"{name(path)} queries itself: {found}"


def test_the_exceptions_name_modules_that_exist() -> None:
    assert {name(path) for path in HANDLER_MODULES} >= set(STILL_QUERYING)


@pytest.mark.parametrize(
    ("source", "found"),
    [
        pytest.param(
            "from sqlmodel import col, select\n", ["imports sqlmodel.select"], id="select"
        ),
        pytest.param(
            "from sqlalchemy.sql import select\n",
            ["imports sqlalchemy.sql.select"],
            id="sqlalchemy",
        ),  # fmt: skip
        pytest.param("async def f(s):\n    await s.exec(q)\n", ["line 2: .exec()"], id="exec"),
        pytest.param(
            "async def f(s):\n    await s.execute(q)\n", ["line 2: .execute()"], id="execute"
        ),  # fmt: skip
        pytest.param("from sqlmodel import col\nfrom x import select\n", [], id="not-a-query"),
    ],
)
def test_what_counts_as_a_query(source: str, found: list[str]) -> None:
    assert queries_in(source) == found
