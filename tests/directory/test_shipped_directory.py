"""The example directories shipped in directory/ import cleanly and show every category."""

from __future__ import annotations

from pathlib import Path

import pytest

from frontdoor.core.taxonomy import Category
from frontdoor.directory.importers.plain_csv import parse_plain_csv

DIRECTORY = Path(__file__).resolve().parents[2] / "directory"


@pytest.mark.parametrize(("name", "departement"), [("dac46", "46"), ("dac57", "57")])
def test_each_example_department_imports_cleanly_with_every_category(
    name: str, departement: str
) -> None:
    resources, problems = parse_plain_csv((DIRECTORY / f"{name}.csv").read_bytes())
    assert [str(p) for p in problems] == []
    assert {r.departement for r in resources} == {departement}
    assert {r.category for r in resources} == set(Category)
    ssiads = [r for r in resources if r.category is Category.SSIAD]
    assert all(r.serves_communes for r in ssiads)
    assert any(r.audience == "professionals" for r in resources)
    assert all(r.phones for r in resources)
