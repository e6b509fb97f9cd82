"""deploy/bin/with-secrets: secret files named like variables become those variables."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.conftest import ROOT

WITH_SECRETS = ROOT / "deploy" / "bin" / "with-secrets"


def environment_seen(credentials: Path, **env: str) -> dict[str, str]:
    """The environment a command started through with-secrets gets."""
    result = subprocess.run(
        [str(WITH_SECRETS), "env", "-0"],
        env={"PATH": "/usr/bin:/bin", "CREDENTIALS_DIRECTORY": str(credentials), **env},
        capture_output=True,
        check=True,
        timeout=10,
    )
    pairs = (entry.partition("=") for entry in result.stdout.decode().split("\0") if entry)
    return {name: value for name, _, value in pairs}


def test_a_file_named_like_a_variable_becomes_it_without_its_trailing_newline(
    tmp_path: Path,
) -> None:
    (tmp_path / "TWILIO_AUTH_TOKEN").write_text("s3cret token\n", encoding="utf-8")

    assert environment_seen(tmp_path)["TWILIO_AUTH_TOKEN"] == "s3cret token"


def test_the_environment_wins_over_a_file(tmp_path: Path) -> None:
    (tmp_path / "FRONTDOOR_LOG_LEVEL").write_text("DEBUG\n", encoding="utf-8")

    assert environment_seen(tmp_path, FRONTDOOR_LOG_LEVEL="INFO")["FRONTDOOR_LOG_LEVEL"] == "INFO"


def test_certificates_and_other_files_stay_files(tmp_path: Path) -> None:
    for name in ("dac46-mssante-cert.pem", "lower_case", "1NUMBER_FIRST"):
        (tmp_path / name).write_text("-----BEGIN CERTIFICATE-----\n", encoding="utf-8")

    seen = environment_seen(tmp_path)

    assert not [value for value in seen.values() if "BEGIN CERTIFICATE" in value]


def test_a_value_is_taken_as_it_is_never_run(tmp_path: Path) -> None:
    (tmp_path / "FRONTDOOR_PSEUDONYM_KEY").write_text("$(touch pwned) `id` ; x", encoding="utf-8")

    seen = environment_seen(tmp_path)

    assert seen["FRONTDOOR_PSEUDONYM_KEY"] == "$(touch pwned) `id` ; x"
    assert not (Path.cwd() / "pwned").exists()
