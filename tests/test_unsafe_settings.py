"""Outside the development mode the service refuses to start on public development secrets,
secrets short enough to guess, simulated time or demonstration accounts, and names each
problem with the variable to set; `./dev serve` declares the development mode and starts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from frontdoor.cli import main
from frontdoor.departments import Departments
from frontdoor.settings import DEVELOPMENT_AUTH_TOKEN, DEVELOPMENT_PSEUDONYM_KEY, Settings
from frontdoor.unsafe_settings import UnsafeSettings, unsafe_settings
from frontdoor.web.app import create_app
from tests.conftest import ROOT

REAL_TOKEN = "0123456789abcdef0123456789abcdef"
REAL_KEY = "a-pseudonym-key-of-forty-three-characters-x"
PRODUCTION: dict[str, Any] = {
    "twilio_auth_token": REAL_TOKEN,
    "pseudonym_key": REAL_KEY,
}


def settings_of(**values: Any) -> Settings:
    return Settings(**{**PRODUCTION, **values})


def named(problems: list[str]) -> list[str]:
    """The variable each problem is about (its first word)."""
    return [problem.split()[0].rstrip(":") for problem in problems]


# (id, settings given, the variables whose problems are expected)
CASES: list[tuple[str, dict[str, Any], list[str]]] = [
    ("real secrets", {}, []),
    ("no Twilio token", {"twilio_auth_token": DEVELOPMENT_AUTH_TOKEN}, ["TWILIO_AUTH_TOKEN"]),
    ("an empty Twilio token", {"twilio_auth_token": ""}, ["TWILIO_AUTH_TOKEN"]),
    ("a short Twilio token", {"twilio_auth_token": "abc123"}, ["TWILIO_AUTH_TOKEN"]),
    ("no pseudonym key", {"pseudonym_key": DEVELOPMENT_PSEUDONYM_KEY}, ["FRONTDOOR_PSEUDONYM_KEY"]),
    ("a short pseudonym key", {"pseudonym_key": "s3cret"}, ["FRONTDOOR_PSEUDONYM_KEY"]),
    ("simulated time asked for", {"simulated_time": True}, ["FRONTDOOR_SIMULATED_TIME"]),
    ("simulated time refused", {"simulated_time": False}, []),
    ("stand-ins asked for", {"stand_ins": True}, ["FRONTDOOR_STAND_INS"]),
    ("stand-ins refused", {"stand_ins": False}, []),
    ("a short metrics token", {"metrics_token": "1234"}, ["FRONTDOOR_METRICS_TOKEN"]),
    ("an empty metrics token", {"metrics_token": ""}, ["FRONTDOOR_METRICS_TOKEN"]),
    ("a long metrics token", {"metrics_token": "m" * 24}, []),
    ("a guessable API key", {"api_keys": {"1234": "dac46:amartin"}}, ["FRONTDOOR_API_KEYS"]),
    ("a long API key", {"api_keys": {"k" * 24: "dac46:amartin"}}, []),
    (
        "an OIDC issuer without its secret",
        {"oidc_issuer": "https://psc.example.fr", "oidc_client_id": "frontdoor"},
        ["FRONTDOOR_OIDC_ISSUER"],
    ),
    (
        "a whole OIDC client",
        {
            "oidc_issuer": "https://psc.example.fr",
            "oidc_client_id": "frontdoor",
            "oidc_client_secret": "client-secret-0123456789",
        },
        [],
    ),
    (
        "a browser phone's API key without its secret nor its TwiML App",
        {"twilio_api_key_sid": "SK" + "1" * 32},
        ["FRONTDOOR_TWILIO_API_KEY_SID"],
    ),
    (
        "a whole browser phone",
        {
            "twilio_api_key_sid": "SK" + "1" * 32,
            "twilio_api_key_secret": "api-key-secret-0123456789abcdef",
            "twilio_twiml_app_sid": "AP" + "2" * 32,
        },
        [],
    ),
    (
        "the development mode still wants a whole browser phone",
        {"dev_mode": True, "twilio_twiml_app_sid": "AP" + "2" * 32},
        ["FRONTDOOR_TWILIO_TWIML_APP_SID"],
    ),
    (
        "nothing set at all",
        {"twilio_auth_token": DEVELOPMENT_AUTH_TOKEN, "pseudonym_key": DEVELOPMENT_PSEUDONYM_KEY},
        ["TWILIO_AUTH_TOKEN", "FRONTDOOR_PSEUDONYM_KEY"],
    ),
    (
        "the development mode accepts the development secrets and simulated time",
        {
            "dev_mode": True,
            "twilio_auth_token": DEVELOPMENT_AUTH_TOKEN,
            "pseudonym_key": DEVELOPMENT_PSEUDONYM_KEY,
            "simulated_time": True,
            "stand_ins": True,
            "api_keys": {"1234": "dac46:amartin"},
        },
        [],
    ),
    (
        "the development mode still wants a whole OIDC client",
        {"dev_mode": True, "oidc_issuer": "https://psc.example.fr"},
        ["FRONTDOOR_OIDC_ISSUER"],
    ),
]


@pytest.mark.parametrize(("given", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_unsafe_setting_is_named(given: dict[str, Any], expected: list[str]) -> None:
    assert named(unsafe_settings(settings_of(**given))) == expected


def test_demonstration_accounts_forbid_a_start_outside_the_development_mode() -> None:
    demo = ["referent@dac46.demo"]

    [problem] = unsafe_settings(settings_of(), demo_accounts=demo)

    assert "referent@dac46.demo" in problem
    assert "frontdoor accounts disable" in problem
    assert unsafe_settings(settings_of(dev_mode=True), demo_accounts=demo) == []


def test_each_problem_says_how_to_set_it_and_never_shows_a_secret() -> None:
    problems = unsafe_settings(
        settings_of(
            twilio_auth_token="short-token",
            pseudonym_key="short-key",
            metrics_token="tiny",
            api_keys={"guessme": "dac46:amartin"},
        )
    )

    text = "\n".join(problems)
    assert len(problems) == 4
    for secret in ("short-token", "short-key", "tiny", "guessme"):
        assert secret not in text
    assert "secrets.token_urlsafe" in text  # how to make one


def test_simulated_time_is_accepted_only_in_the_development_mode() -> None:
    assert settings_of(dev_mode=True).accepts_simulated_time
    assert not settings_of(dev_mode=True, simulated_time=False).accepts_simulated_time
    assert not settings_of().accepts_simulated_time
    assert not settings_of(simulated_time=True).accepts_simulated_time


def test_the_app_factory_refuses_unsafe_settings(
    settings: Settings, departments: Departments
) -> None:
    unsafe = settings.model_copy(update={"dev_mode": False})  # simulated time, development key

    with pytest.raises(UnsafeSettings) as refused:
        create_app(unsafe, departments)

    assert named(refused.value.problems) == ["FRONTDOOR_PSEUDONYM_KEY", "FRONTDOOR_SIMULATED_TIME"]


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in ("TWILIO_AUTH_TOKEN", "FRONTDOOR_PSEUDONYM_KEY", "FRONTDOOR_DEV_MODE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FRONTDOOR_FLOWS_DIR", str(ROOT / "flows"))
    monkeypatch.setenv("FRONTDOOR_TEMPLATES_DIR", str(ROOT / "templates"))
    database = tmp_path / "db.sqlite3"
    monkeypatch.setenv("FRONTDOOR_DATABASE_URL", f"sqlite+aiosqlite:///{database}")
    return database


def test_serve_without_secrets_says_which_and_writes_nothing(
    environment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve"]) == 2

    err = capsys.readouterr().err
    assert "Frontdoor refuses to start: 2 problem(s)" in err
    assert "TWILIO_AUTH_TOKEN is not set" in err
    assert "FRONTDOOR_PSEUDONYM_KEY is not set" in err
    assert "FRONTDOOR_DEV_MODE=true" in err
    assert not environment.exists()  # not even migrated


def test_serve_refuses_while_demonstration_accounts_exist(
    environment: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FRONTDOOR_DEV_MODE", "true")
    assert main(["accounts", "demo"]) == 0
    monkeypatch.delenv("FRONTDOOR_DEV_MODE")
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", REAL_TOKEN)
    monkeypatch.setenv("FRONTDOOR_PSEUDONYM_KEY", REAL_KEY)
    capsys.readouterr()

    assert main(["serve"]) == 2

    err = capsys.readouterr().err
    assert "demonstration accounts exist in the database" in err
    assert "referent@dac46.demo" in err


def test_demonstration_accounts_are_refused_outside_the_development_mode(
    environment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["accounts", "demo"]) == 1

    assert "FRONTDOOR_DEV_MODE=true" in capsys.readouterr().err
    assert not environment.exists()


def test_dev_serve_declares_the_development_mode() -> None:
    script = (ROOT / "dev").read_text(encoding="utf-8")
    serve = script[script.index("  serve)") : script.index(";;", script.index("  serve)"))]

    assert "export FRONTDOOR_DEV_MODE=true" in serve
    assert serve.index("FRONTDOOR_DEV_MODE") < serve.index("accounts demo")


def test_secret_values_are_secret_strings() -> None:
    """Every setting named like a secret is a SecretStr: never printed by accident."""
    secretish = [
        name
        for name in Settings.model_fields
        if any(word in name for word in ("token", "secret", "password", "key"))
        and name != "api_keys"  # a map of key to grant, checked above
        # An API key's SID names the key (its secret is apart); a token's lifetime is none.
        and not name.endswith(("_sid", "_ttl_s"))
    ]
    settings = settings_of(
        metrics_token="m" * 20, oidc_client_secret="o" * 20, smtp_password="p" * 20,
        twilio_api_key_secret="k" * 20,
    )  # fmt: skip
    assert secretish
    assert all(isinstance(getattr(settings, name), SecretStr) for name in secretish)
