"""frontdoor.core decides and does nothing else: it imports the standard library, itself, and
a few libraries that compute without I/O. No web framework, database, provider or scheduler
(STYLE.md 1), so that each decision is tested as a plain function."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.source_imports import ROOT, Import, imports, modules

# Libraries the core may import besides the standard library, each a computation without I/O.
ALLOWED = {
    # France's public holidays, by department (Alsace-Moselle's own, overseas ones): a table
    # of dates computed from the year, which the calendar needs to say whether the DAC opens.
    "holidays",
    # iCalendar (RFC 5545) parsed from bytes the edge read, and its recurrences expanded: the
    # rota feeds are that format (core.ical_roster turns them into shifts).
    "icalendar",
    "recurring_ical_events",
    # String distances for the directory's typo-tolerant search, in C: the stdlib's difflib
    # is two orders of magnitude slower on a territory's thousands of resources.
    "rapidfuzz",
    # The numbering plans' metadata (Google's libphonenumber): whether a number is valid, a
    # mobile, in which territory — tables read from the package, no I/O beyond its import.
    "phonenumbers",
}


def allowed(name: str) -> bool:
    top = name.split(".")[0]
    if top == "frontdoor":
        return name == "frontdoor.core" or name.startswith("frontdoor.core.")
    return top in sys.stdlib_module_names or top in ALLOWED or top == "__future__"


def outside(found: Import) -> list[str]:
    """The module an import names when it is neither the standard library, the core, nor
    allowed (`from frontdoor import core` names frontdoor, but only to reach the core)."""
    base, *members = found.names
    if allowed(base) or (members and all(allowed(member) for member in members)):
        return []
    return [base]


CORE_MODULES = {
    name: path
    for name, path in modules(ROOT / "frontdoor").items()
    if name == "frontdoor.core" or name.startswith("frontdoor.core.")
}


@pytest.mark.parametrize("module", sorted(CORE_MODULES))
def test_a_core_module_imports_only_the_standard_library_the_core_and_the_allowed(
    module: str,
) -> None:
    wrong = [
        f"line {found.line}: {name}"
        for found in imports(module, CORE_MODULES[module])
        for name in outside(found)
    ]
    assert not wrong, f"{module} imports outside the core's allow-list: {wrong}"


def test_the_core_has_modules_to_check() -> None:
    assert "frontdoor.core.calendar" in CORE_MODULES
    assert len(CORE_MODULES) > 20


@pytest.mark.parametrize(
    ("source", "wrong"),
    [
        pytest.param("import datetime\nfrom zoneinfo import ZoneInfo\n", [], id="stdlib"),
        pytest.param("from frontdoor.core.calendar import Opening\n", [], id="core"),
        pytest.param("from . import calendar\nfrom .roster import Shift\n", [], id="relative"),
        pytest.param("import holidays\n", [], id="allowed"),
        pytest.param("from aiohttp import web\n", ["aiohttp"], id="a-web-framework"),
        pytest.param("import sqlmodel.sql\n", ["sqlmodel.sql"], id="a-database"),
        pytest.param(
            "from frontdoor.store.models import Request\n",
            ["frontdoor.store.models"],
            id="an-edge-of-frontdoor",
        ),
        pytest.param("from .. import settings\n", ["frontdoor"], id="relative-out-of-core"),
        pytest.param("from frontdoor import core\n", [], id="the-core-by-its-package"),
        pytest.param("def later():\n    import twilio\n", ["twilio"], id="inside-a-function"),
        pytest.param(
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from aiohttp import web\n",
            ["aiohttp"],
            id="for-types-only",
        ),
    ],
)
def test_the_check_tells_the_core_from_the_rest(
    tmp_path: Path, source: str, wrong: list[str]
) -> None:
    package = tmp_path / "frontdoor" / "core"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "example.py").write_text(source)
    found = [
        name for each in imports("frontdoor.core.example", package / "example.py")
        for name in outside(each)
    ]  # fmt: skip
    assert found == wrong
