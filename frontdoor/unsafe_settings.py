"""What keeps the service from starting outside the development mode: public development
secrets, secrets short enough to guess, simulated time, demonstration accounts.

`unsafe_settings` is a plain function of the settings (and of the demonstration accounts
found in the database): the app factory, `frontdoor serve` and `/readyz` all ask it. Each
problem names the variable and says how to set it, for the operator reading the log.
"""

from __future__ import annotations

from collections.abc import Collection

from pydantic import SecretStr

from frontdoor.settings import (
    DEVELOPMENT_AUTH_TOKEN,
    DEVELOPMENT_PSEUDONYM_KEY,
    MIN_PSEUDONYM_KEY_CHARS,
    MIN_SECRET_CHARS,
    Settings,
)

RANDOM_SECRET = "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"
DEV_MODE_HINT = "or, on a development machine only, FRONTDOOR_DEV_MODE=true (./dev serve sets it)"


class UnsafeSettings(RuntimeError):
    """Raised by the app factory when `unsafe_settings` names problems."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(refusal_text(problems))
        self.problems = problems


def refusal_text(problems: list[str]) -> str:
    lines = [f"Frontdoor refuses to start: {len(problems)} problem(s) in its settings:"]
    lines += [f"  - {problem}" for problem in problems]
    lines.append(f"  ({DEV_MODE_HINT}; secrets as files: deploy/README.md)")
    return "\n".join(lines)


def _value(secret: SecretStr | None) -> str | None:
    return None if secret is None else secret.get_secret_value()


def unsafe_settings(settings: Settings, *, demo_accounts: Collection[str] = ()) -> list[str]:
    """The problems that forbid serving with these settings; empty when it may start.

    In the development mode the public development secrets, simulated time and the
    demonstration accounts are accepted; a half-configured OpenID provider never is.
    """
    problems = [*_oidc_problems(settings), *_browser_phone_problems(settings)]
    if settings.dev_mode:
        return problems
    token = _value(settings.twilio_auth_token) or ""
    if token in ("", DEVELOPMENT_AUTH_TOKEN):
        problems.append(
            f"TWILIO_AUTH_TOKEN is not set{_public(token, DEVELOPMENT_AUTH_TOKEN)}: anyone "
            "could forge webhooks. Set it to the auth token of the Twilio account (Twilio "
            "console, Account Info)."
        )
    elif len(token) < MIN_SECRET_CHARS:
        problems.append(
            f"TWILIO_AUTH_TOKEN is shorter than {MIN_SECRET_CHARS} characters: a Twilio auth "
            "token has 32. Set it to the account's token."
        )
    key = _value(settings.pseudonym_key) or ""
    if key in ("", DEVELOPMENT_PSEUDONYM_KEY):
        problems.append(
            f"FRONTDOOR_PSEUDONYM_KEY is not set{_public(key, DEVELOPMENT_PSEUDONYM_KEY)}: "
            "anyone could re-identify an erased number. Set it to a random secret of at least "
            f"{MIN_PSEUDONYM_KEY_CHARS} characters ({RANDOM_SECRET}) and keep it."
        )
    elif len(key) < MIN_PSEUDONYM_KEY_CHARS:
        problems.append(
            f"FRONTDOOR_PSEUDONYM_KEY is shorter than {MIN_PSEUDONYM_KEY_CHARS} characters: "
            f"set a random secret ({RANDOM_SECRET}) and keep it."
        )
    if settings.simulated_time:
        problems.append(
            "FRONTDOOR_SIMULATED_TIME is on: a caller could choose the time the service "
            "believes. Unset it (it is for the development mode only)."
        )
    if settings.stand_ins:
        problems.append(
            "FRONTDOOR_STAND_INS is on: SMS, calls and mails would go to local stand-ins "
            "instead of the callers and referents. Unset it (it is for the development mode "
            "only)."
        )
    metrics = _value(settings.metrics_token)
    if metrics is not None and len(metrics) < MIN_SECRET_CHARS:
        problems.append(
            f"FRONTDOOR_METRICS_TOKEN is shorter than {MIN_SECRET_CHARS} characters: set a "
            f"random secret ({RANDOM_SECRET}), or unset it to serve /metrics on loopback only."
        )
    short = sorted(grant for key, grant in settings.api_keys.items() if len(key) < MIN_SECRET_CHARS)
    if short:
        problems.append(
            f"FRONTDOOR_API_KEYS: the key(s) of {', '.join(short)} are shorter than "
            f"{MIN_SECRET_CHARS} characters: anyone could guess them. Give each a random "
            f"secret ({RANDOM_SECRET}), or an account's own token (console, Jetons d'API)."
        )
    if demo_accounts:
        problems.append(
            f"demonstration accounts exist in the database ({', '.join(sorted(demo_accounts))}), "
            "with a public password: disable each (frontdoor accounts disable LOGIN)."
        )
    return problems


def _public(value: str, development: str) -> str:
    return " (the public development value is in use)" if value == development else ""


def _browser_phone_problems(settings: Settings) -> list[str]:
    """The browser phone (console.browser_phone) needs its API key, its secret and its TwiML
    App together: a part of them is a mistake, not a choice."""
    parts = (
        ("FRONTDOOR_TWILIO_API_KEY_SID", settings.twilio_api_key_sid),
        ("FRONTDOOR_TWILIO_API_KEY_SECRET", _value(settings.twilio_api_key_secret)),
        ("FRONTDOOR_TWILIO_TWIML_APP_SID", settings.twilio_twiml_app_sid),
    )
    missing = [name for name, value in parts if not value]
    if not missing or len(missing) == len(parts):
        return []
    given = [name for name, value in parts if value]
    return [
        f"{given[0]} is set without {' and '.join(missing)}: the browser phone needs the "
        "account's API key, its secret and the TwiML App, or none of them."
    ]


def _oidc_problems(settings: Settings) -> list[str]:
    if not settings.oidc_issuer:
        return []
    missing = [
        name
        for name, value in (
            ("FRONTDOOR_OIDC_CLIENT_ID", settings.oidc_client_id),
            ("FRONTDOOR_OIDC_CLIENT_SECRET", _value(settings.oidc_client_secret)),
        )
        if not value
    ]
    if not missing:
        return []
    return [
        f"FRONTDOOR_OIDC_ISSUER is set without {' and '.join(missing)}: set them to the "
        "client id and secret the provider gave for this service, or unset the issuer."
    ]
