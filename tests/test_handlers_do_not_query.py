"""The console's and the API's handler modules translate: they parse, call one action (or a
store function), and render or answer JSON. None runs a query itself: no `select` imported
from sqlmodel or SQLAlchemy, no `session.exec`/`execute` (store queries live in
frontdoor/store/, request actions in frontdoor/actions/). There is no exception.
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
    assert not found, f"{name(path)} queries itself: {found}"


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
