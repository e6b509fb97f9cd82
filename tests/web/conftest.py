from __future__ import annotations

from pathlib import Path

import pytest

from frontdoor.department_file.load import load_departments
from frontdoor.departments import Departments
from frontdoor.settings import Settings
from tests.web.subaccounts import (
    MOSELLE_TOKEN,
    MOSELLE_TOKEN_ENV,
    PROMPTS,
    flows_with_moselle_subaccount,
)


@pytest.fixture
def app_settings(settings: Settings) -> Settings:
    """The webhooks' tests reach no provider: the app runs on the plain settings."""
    return settings


@pytest.fixture
def subaccount_departments(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Departments:
    """The example departments, the Moselle on a subaccount of its own (tests/web/subaccounts)."""
    monkeypatch.setenv(MOSELLE_TOKEN_ENV, MOSELLE_TOKEN)
    folder = tmp_path / "flows"
    folder.mkdir()
    flows_with_moselle_subaccount(folder, f'auth_token_env = "{MOSELLE_TOKEN_ENV}"')
    return Departments(load_departments(folder, PROMPTS).values())
