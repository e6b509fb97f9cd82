"""Settings from the environment: FRONTDOOR_* plus Twilio's own TWILIO_* variables.

Built once and passed to the app factory; never imported as a global.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Literal, Self

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from frontdoor.outbound.mail import SmtpSettings

# The token `frontdoor serve` and `frontdoor call` share when no Twilio account is configured,
# so that a newcomer can place calls locally. Never valid against Twilio itself, and refused
# outside the development mode (`unsafe_settings`).
DEVELOPMENT_AUTH_TOKEN = "frontdoor-development-token"
# The pseudonym key of the development mode: public, so anyone could re-identify a number
# pseudonymised with it. Refused outside the development mode.
DEVELOPMENT_PSEUDONYM_KEY = "frontdoor-development-pseudonym-key"
# Shortest secret accepted outside the development mode (a Twilio token has 32 characters).
MIN_SECRET_CHARS = 16
MIN_PSEUDONYM_KEY_CHARS = 32


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="FRONTDOOR_", extra="ignore", populate_by_name=True
    )

    dev_mode: bool = Field(
        default=False,
        description="The development mode of `./dev serve`: the public development Twilio "
        "token and pseudonym key, the terminal phone's simulated time and the demonstration "
        "accounts are accepted. Off, the service refuses to start without real secrets.",
    )
    database_url: str = Field(
        default="sqlite+aiosqlite:///var/frontdoor.sqlite3",
        description="SQLAlchemy URL: sqlite+aiosqlite:///path or postgresql+asyncpg://…",
    )
    public_url_setting: str | None = Field(
        default=None,
        validation_alias=AliasChoices("FRONTDOOR_PUBLIC_URL", "public_url"),
        description="The base URL Twilio calls (scheme and host, as Twilio sees them); webhook "
        "signatures are checked against it. Default: http://FRONTDOOR_HOST:FRONTDOOR_PORT.",
    )
    host: str = Field(default="127.0.0.1", description="Address `frontdoor serve` listens on.")
    port: int = Field(default=8080, description="Port `frontdoor serve` listens on.")
    flows_dir: Path = Field(default=Path("flows"), description="Folder of department files.")
    templates_dir: Path = Field(
        default=Path("templates"), description="Folder of prompt, SMS, mail and page texts."
    )
    twilio_account_sid: str = Field(
        default="",
        validation_alias=AliasChoices("TWILIO_ACCOUNT_SID", "FRONTDOOR_TWILIO_ACCOUNT_SID"),
        description="Twilio account SID (TWILIO_ACCOUNT_SID).",
    )
    twilio_auth_token: SecretStr = Field(
        default=SecretStr(DEVELOPMENT_AUTH_TOKEN),
        validation_alias=AliasChoices("TWILIO_AUTH_TOKEN", "FRONTDOOR_TWILIO_AUTH_TOKEN"),
        description="Twilio auth token (TWILIO_AUTH_TOKEN), used to check webhook signatures.",
    )
    simulated_time: bool | None = Field(
        default=None,
        description="Accept a signed SimulatedAt field as the current time (the terminal "
        "phone's --at). Default: in the development mode only, and never outside it.",
    )
    api_keys: dict[str, str] = Field(
        default_factory=dict,
        description='JSON map of API key to "department:referent", e.g. '
        '{"s3cret": "dac46:amartin"}: the key reads and corrects that department\'s requests.',
    )
    store_copies_refresh_s: float = Field(
        default=30.0,
        description="Seconds between refreshes of each instance's copy of the known contacts "
        "and stored roster overrides.",
    )
    jobs_enabled: bool = Field(
        default=True,
        description="Run the scheduled jobs in this instance; each slot of a job runs once "
        "across all the instances that share the database.",
    )
    jobs_every_s: int | None = Field(
        default=None,
        ge=1,
        le=59,
        description="For tests and demos: fire every job every N seconds (aligned on the "
        "clock) instead of on its crontab.",
    )
    instance_name: str = Field(
        default_factory=lambda: f"{socket.gethostname()}-{os.getpid()}",
        min_length=1,
        max_length=120,
        description="This instance's name in the record of job runs. Default: <hostname>-<pid>.",
    )
    access_log: bool = Field(
        default=False,
        description="Log every HTTP request (method, path, status); off by default: the "
        "service logs what happens to each call instead.",
    )
    pseudonym_key: SecretStr = Field(
        default=SecretStr(DEVELOPMENT_PSEUDONYM_KEY),
        description="Secret key of the pseudonyms that replace callers' numbers after the "
        "retention period or an erasure, and under which SMS opt-outs are kept; set one per "
        "deployment and keep it.",
    )
    log_level: str = Field(default="INFO", description="Logging level.")
    rate_limits: bool = Field(
        default=True,
        description="Limit sign-in attempts and API calls per client (429 beyond); off only "
        "for load tests.",
    )
    trusted_proxies: set[str] = Field(
        default_factory=lambda: {"127.0.0.1", "::1"},
        description="Addresses or networks (CIDR) of the reverse proxies whose X-Forwarded-For "
        "names the client (rate limits count per client).",
    )
    log_format: Literal["text", "json"] = Field(
        default="text",
        description='"json" writes one JSON object per line (time, level, logger, request_id, '
        "message) for a log collector; numbers and addresses are masked in either.",
    )
    console_session_hours: float = Field(
        default=10.0,
        gt=0,
        description="How long a console sign-in lasts (hours) before signing in again.",
    )
    oidc_issuer: str | None = Field(
        default=None,
        description="OpenID Connect provider for console sign-in (its issuer URL, e.g. Pro "
        "Santé Connect's); unset, accounts sign in with their password only.",
    )
    oidc_client_id: str | None = Field(default=None, description="Client id at the provider.")
    oidc_client_secret: SecretStr | None = Field(
        default=None, description="Client secret at the provider (client_secret_basic)."
    )
    oidc_scopes: str = Field(default="openid", description="Scopes asked of the provider.")
    oidc_acr_values: str | None = Field(
        default=None, description='Authentication level asked (Pro Santé Connect: "eidas1").'
    )
    oidc_login_claim: str = Field(
        default="preferred_username",
        description="The ID token claim that is a Frontdoor account's login (e.g. the RPPS "
        "number, or the mail address).",
    )
    oidc_label: str = Field(
        default="Pro Santé Connect",
        description="The provider's name on the sign-in button.",
    )
    console_live_every_s: float = Field(
        default=2.0,
        gt=0,
        description="Seconds between two looks at the store for the console's live inbox "
        "(works the same whichever instance a browser is connected to).",
    )
    twilio_api_url: str | None = Field(
        default=None,
        description="Base URL that replaces https://api.twilio.com (and every other *.twilio.com "
        "host) for outgoing SMS, calls and recording deletions, e.g. a local fake. Default: "
        "Twilio itself.",
    )
    smtp_host: str | None = Field(
        default=None, description="SMTP server for outgoing mail; unset, no mail is sent."
    )
    smtp_port: int = Field(
        default=587, description="SMTP server port: 587 for STARTTLS, 465 for implicit TLS."
    )
    smtp_tls: Literal["none", "starttls", "implicit"] = Field(
        default="starttls",
        description='How the SMTP connection is secured: "starttls", "implicit" (SMTPS) or '
        '"none" (only for a relay on the same host).',
    )
    smtp_username: str | None = Field(
        default=None, description="SMTP login; unset, mail is sent without logging in."
    )
    smtp_password: SecretStr | None = Field(default=None, description="SMTP password.")
    mail_from: str | None = Field(
        default=None,
        description="Sender address of outgoing mail; required when FRONTDOOR_SMTP_HOST is set.",
    )

    mail_max_message_bytes: int = Field(
        default=25_000_000,
        ge=10_000,
        description="Largest mail taken in from a department's mailbox, attachments included "
        "(bytes); a larger one is parked in the Frontdoor-Quarantaine folder.",
    )
    mail_attachments_dir: Path = Field(
        default=Path("var/attachments"),
        description="Folder where the attachments of received mails are kept.",
    )
    recordings_dir: Path = Field(
        default=Path("var/recordings"),
        description="Folder where voicemails are kept once fetched from Twilio (and deleted "
        "there).",
    )
    mail_idle: bool = Field(
        default=True,
        description="Keep each department's mailbox open in IMAP IDLE, where the server offers "
        "it, so that a new mail is taken in within seconds (with the scheduled jobs only).",
    )
    mail_poll_batch: int = Field(
        default=200,
        ge=1,
        description="Most mails taken in from one mailbox at each poll; the rest wait for "
        "the next one.",
    )
    journal_dir: Path = Field(
        default=Path("var/journal"),
        description="Folder of this instance's outage journal: calls answered while the "
        "database was unreachable, kept (with callers' numbers: personal data, files 0600) "
        "until they are written to it. Persistent storage, one per instance.",
    )
    metrics_token: SecretStr | None = Field(
        default=None,
        description="Bearer token that opens /metrics (Authorization: Bearer <token>). "
        "Unset, /metrics answers only requests from loopback that did not come through a proxy.",
    )

    @model_validator(mode="after")
    def _mail_has_a_sender(self) -> Self:
        if self.smtp_host and not self.mail_from:
            raise ValueError("FRONTDOOR_MAIL_FROM is required when FRONTDOOR_SMTP_HOST is set")
        return self

    @property
    def public_url(self) -> str:
        return (self.public_url_setting or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def accepts_simulated_time(self) -> bool:
        """Only in the development mode, where it is on unless turned off."""
        return self.dev_mode and self.simulated_time is not False

    @property
    def pseudonym_secret(self) -> bytes:
        """The key of the pseudonyms (core.retention.pseudonym), as bytes."""
        return self.pseudonym_key.get_secret_value().encode()

    @property
    def prompts_path(self) -> Path:
        return self.templates_dir / "voice" / "prompts.toml"

    @property
    def smtp(self) -> SmtpSettings | None:
        """The SMTP server to send mail through, or None when mail is off."""
        if not self.smtp_host or not self.mail_from:
            return None
        return SmtpSettings(
            host=self.smtp_host,
            port=self.smtp_port,
            tls=self.smtp_tls,
            username=self.smtp_username,
            password=self.smtp_password.get_secret_value() if self.smtp_password else None,
            sender=self.mail_from,
        )
