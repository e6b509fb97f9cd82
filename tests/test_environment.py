"""Every FRONTDOOR_ variable is declared once (frontdoor/settings.py), and one that is not
is refused with the closest declared name: a misspelling is never silently ignored."""

from __future__ import annotations

import re
import subprocess

import pytest

from frontdoor.environment import known_variables, unknown_variables
from frontdoor.settings import TOOL_VARIABLES, Settings
from tests.conftest import ROOT

# Undeclared on purpose: the misspellings of these tests and of the refusal's documentation.
MISSPELT = {
    "FRONTDOOR_DATABSE_URL",
    "FRONTDOOR_PUBLICURL",
    "FRONTDOOR_SMTP_PASS",
    "FRONTDOOR_COLOUR",
}


@pytest.mark.parametrize(
    ("environ", "problems"),
    [
        pytest.param(
            {"FRONTDOOR_DATABASE_URL": "…", "FRONTDOOR_DEV_MODE": "true", "PATH": "/bin"},
            [],
            id="settings",
        ),
        pytest.param(
            {"TWILIO_AUTH_TOKEN": "…", "FRONTDOOR_TWILIO_AUTH_TOKEN": "…"}, [], id="aliases"
        ),
        pytest.param(
            {"FRONTDOOR_TEST_POSTGRES_URL": "…", "FRONTDOOR_NEW_PASSWORD": "…"},
            [],
            id="read-by-tools-and-tests",
        ),
        pytest.param({"frontdoor_port": "8081"}, [], id="in-lower-case-as-pydantic-reads-it"),
        pytest.param(
            {"DAC46_MSSANTE_CERT": "/run/secrets/cert.pem", "TWILIO_TOKEN_DAC46": "…"},
            [],
            id="named-by-department-files",
        ),
        pytest.param(
            {"FRONTDOOR_DATABSE_URL": "postgresql+asyncpg://db/frontdoor"},
            [
                "FRONTDOOR_DATABSE_URL is not a Frontdoor setting "
                "(did you mean FRONTDOOR_DATABASE_URL?)"
            ],
            id="a-letter-missing",
        ),
        pytest.param(
            {"FRONTDOOR_SMTP_PASS": "…", "FRONTDOOR_PUBLICURL": "https://…"},
            [
                "FRONTDOOR_PUBLICURL is not a Frontdoor setting "
                "(did you mean FRONTDOOR_PUBLIC_URL?)",
                "FRONTDOOR_SMTP_PASS is not a Frontdoor setting "
                "(did you mean FRONTDOOR_SMTP_PASSWORD?)",
            ],
            id="each-named-in-order",
        ),
        pytest.param(
            {"FRONTDOOR_COLOUR": "blue"},
            ["FRONTDOOR_COLOUR is not a Frontdoor setting (no setting has a similar name)"],
            id="nothing-close",
        ),
    ],
)
def test_only_undeclared_frontdoor_variables_are_refused(
    environ: dict[str, str], problems: list[str]
) -> None:
    assert unknown_variables(environ) == problems


def test_each_variable_is_declared_once() -> None:
    names = known_variables()
    assert len(names) == len(set(names))
    assert "FRONTDOOR_DATABASE_URL" in names
    assert "FRONTDOOR_VENV" in names


def test_every_frontdoor_variable_the_repository_names_is_declared() -> None:
    """Whoever reads a new variable (the service, ./dev, a test, compose) declares it."""
    files = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.split(b"\0")
    named: dict[str, str] = {}
    for file in filter(None, files):
        path = ROOT / file.decode()
        if not path.is_file() or path.suffix in {".png", ".xlsx", ".pdf", ".ico"}:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for name in re.findall(r"\bFRONTDOOR_[A-Z0-9_]*[A-Z0-9]", text):
            named.setdefault(name, file.decode())
    undeclared = {
        name: file
        for name, file in named.items()
        if name not in known_variables() and name not in MISSPELT
    }
    assert not undeclared, f"declare them in frontdoor/settings.py: {undeclared}"


def test_every_declaration_has_one_sentence_of_help() -> None:
    helps = [field.description or "" for field in Settings.model_fields.values()]
    helps += [variable.help for variable in TOOL_VARIABLES]
    for help_text in helps:
        assert help_text.endswith((".", ".)")), help_text
        assert "|" not in help_text, help_text
        assert "\n" not in help_text, help_text
