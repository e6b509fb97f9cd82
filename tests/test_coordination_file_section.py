"""The `[coordination_file]` table of a department file: the FHIR base URL of the region's
coordination tool, the variable holding its token and the identifier system the region
assigned the DAC, refused in English for the operator when the URL or the system is not one
or the variable is not set."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from frontdoor.department_file.coordination_file import read_token
from frontdoor.department_file.load import load_department
from frontdoor.department_file.reader import ConfigError

ROOT = Path(__file__).parents[1]
PROMPTS: dict[str, str] = {}


def lot_with(tmp_path: Path, table: str) -> Path:
    path = tmp_path / "dac46.toml"
    shutil.copy(ROOT / "flows" / "dac46.toml", path)
    with path.open("a", encoding="utf-8") as file:
        file.write(f"\n[coordination_file]\n{table}\n")
    return path


def test_a_lot_file_names_its_coordination_file_and_the_variable_of_its_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EPARCOURS_TOKEN_DAC46", "secret-token\n")
    path = lot_with(
        tmp_path,
        'fhir_base_url = "https://e-parcours.example.fr/fhir/"\n'
        'token_env = "EPARCOURS_TOKEN_DAC46"\n'
        'identifier_system = "urn:oid:1.2.250.1.999.46.1"',
    )

    lot = load_department(path, PROMPTS)

    assert lot.coordination_file is not None
    assert lot.coordination_file.fhir_base_url == "https://e-parcours.example.fr/fhir"
    assert read_token(lot.coordination_file) == "secret-token"
    assert lot.coordination_file.identifier_system == "urn:oid:1.2.250.1.999.46.1"


def test_without_an_identifier_system_requests_go_by_their_key_alone(tmp_path: Path) -> None:
    path = lot_with(tmp_path, 'fhir_base_url = "https://e-parcours.example.fr/fhir"')

    lot = load_department(path, PROMPTS)

    assert lot.coordination_file is not None
    assert lot.coordination_file.identifier_system is None


def test_a_department_without_the_table_hands_nothing_over(tmp_path: Path) -> None:
    path = tmp_path / "dac46.toml"
    shutil.copy(ROOT / "flows" / "dac46.toml", path)

    assert load_department(path, PROMPTS).coordination_file is None


@pytest.mark.parametrize(
    ("table", "problem"),
    [
        pytest.param('fhir_base_url = "e-parcours.example.fr"',
                     "coordination_file.fhir_base_url: 'e-parcours.example.fr': expected an "
                     "http(s) URL", id="not-a-url"),
        pytest.param('fhir_base_url = "https://e-parcours.example.fr/fhir"\n'
                     'token_env = "NOT_SET_ANYWHERE_46"',
                     "coordination_file.token_env: 'NOT_SET_ANYWHERE_46' is not set in the "
                     "environment", id="token-variable-not-set"),
        pytest.param('token_env = "HOME"', "coordination_file.fhir_base_url: missing",
                     id="no-url"),
        pytest.param('fhir_base_url = "https://e-parcours.example.fr/fhir"\n'
                     'identifier_system = "1.2.250.1.999.46.1"',
                     "coordination_file.identifier_system: '1.2.250.1.999.46.1': expected a "
                     "URI", id="system-not-a-uri"),
    ],
)  # fmt: skip
def test_a_coordination_file_that_cannot_be_reached_is_refused(
    tmp_path: Path, table: str, problem: str
) -> None:
    with pytest.raises(ConfigError) as refused:
        load_department(lot_with(tmp_path, table), PROMPTS)

    assert problem in str(refused.value)
