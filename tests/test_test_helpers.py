"""Tests share helpers through helper modules, never by importing another test module: a
test module imported by another is imported twice by pytest (its tests collected in one
place, its helpers reached from another), and a helper's home is then where nobody looks."""

from __future__ import annotations

from tests.source_imports import ROOT, imports, modules


def is_test_module(name: str) -> bool:
    return name.rpartition(".")[2].startswith("test_")


def test_no_test_module_is_imported_by_another_module() -> None:
    found = modules(ROOT / "tests")
    reached = [
        f"{importer} ({path.relative_to(ROOT)}:{each.line}) imports {each.names[0]}"
        for importer, path in found.items()
        for each in imports(importer, path)
        if is_test_module(each.names[0]) and each.names[0] in found
    ]
    assert not reached, "move what is shared into a helper module:\n" + "\n".join(reached)


def test_the_rule_sees_a_test_module_imported() -> None:
    assert is_test_module("tests.web.test_api")
    assert not is_test_module("tests.web.api_keys")
    assert not is_test_module("tests.conftest")
