"""Settings from the environment: FRONTDOOR_* plus Twilio's own TWILIO_* variables.

Built once and passed to the app factory; never imported as a global. Every FRONTDOOR_
variable is declared here once: the service's settings as the fields of `Settings`, the
variables that only the tools and tests read in `TOOL_VARIABLES`. frontdoor.environment
checks the environment against them and writes the README's tables from them.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any, Literal, Self

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from frontdoor.outbound.mail import SmtpSettings

# The token `frontdoor serve` and `frontdoor call` share when no Twilio account is configured,
# so that a newcomer can place calls locally. Never valid against Twilio itself, and refused
# outside the development mode (`unsafe_settings`).
DEVELOPMENT_AUTH_TOKEN = "frontdoor-development-token"
# The account SID the terminal phone and the development mode's stand-in for Twilio's REST API
# share when TWILIO_ACCOUNT_SID is unset (frontdoor.standins.running).
DEVELOPMENT_ACCOUNT_SID = "AC" + "de" * 16
# The pseudonym key of the development mode: public, so anyone could re-identify a number
# pseudonymised with it. Refused outside the development mode.
DEVELOPMENT_PSEUDONYM_KEY = "frontdoor-development-pseudonym-key"
# Shortest secret accepted outside the development mode (a Twilio token has 32 characters).
MIN_SECRET_CHARS = 16
MIN_PSEUDONYM_KEY_CHARS = 32
PREFIX = "FRONTDOOR_"
# The texts installed with the package (the repository's templates/, package data): the
# default, whatever the working directory.
PACKAGED_TEMPLATES = Path(str(files("frontdoor") / "templates"))


def shown(default: str) -> dict[str, Any]:
    """A setting's default as the README says it, where the value itself would not tell (a
    default computed at start, a development secret, a default that depends on another)."""
    return {"shown_default": default}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="FRONTDOOR_", extra="ignore", populate_by_name=True
    )

    dev_mode: bool = Field(
        default=False,
        description="`true` (set by `./dev serve`, never on a server): the development Twilio "
        "token and pseudonym key, the terminal phone's simulated time and the demonstration "
        "accounts are accepted; `false`: `frontdoor serve` refuses to start without real "
        "secrets and names each missing one.",
    )
    database_url: str = Field(
        default="sqlite+aiosqlite:///var/frontdoor.sqlite3",
        description="SQLAlchemy URL of the database: `sqlite+aiosqlite:///path`, or "
        "`postgresql+asyncpg://user@host/db` for real deployments.",
    )
    public_url_setting: str | None = Field(
        default=None,
        validation_alias=AliasChoices("FRONTDOOR_PUBLIC_URL", "public_url"),
        description="The base URL Twilio calls (scheme and host, as Twilio sees them); webhook "
        "signatures are checked against it.",
        json_schema_extra=shown("`http://FRONTDOOR_HOST:FRONTDOOR_PORT`"),
    )
    host: str = Field(default="127.0.0.1", description="Address `frontdoor serve` listens on.")
    port: int = Field(default=8080, description="Port `frontdoor serve` listens on.")
    flows_dir: Path = Field(default=Path("flows"), description="Folder of the department files.")
    templates_dir: Path = Field(
        default=PACKAGED_TEMPLATES,
        description="Folder of prompt, SMS, mail and page texts.",
        json_schema_extra=shown("the texts installed with Frontdoor (`templates/` here)"),
    )
    twilio_account_sid: str = Field(
        default="",
        validation_alias=AliasChoices("TWILIO_ACCOUNT_SID", "FRONTDOOR_TWILIO_ACCOUNT_SID"),
        description="The Twilio account's SID.",
    )
    twilio_auth_token: SecretStr = Field(
        default=SecretStr(DEVELOPMENT_AUTH_TOKEN),
        validation_alias=AliasChoices("TWILIO_AUTH_TOKEN", "FRONTDOOR_TWILIO_AUTH_TOKEN"),
        description="The Twilio account's auth token: it checks webhook signatures (required "
        "outside the development mode).",
        json_schema_extra=shown("a development token (development mode only)"),
    )
    twilio_api_key_sid: str = Field(
        default="",
        description="An API key of the Twilio account (`SK…`): it signs the access tokens of "
        "the console's browser phone ([Answering in the browser](#answering-in-the-browser)); "
        "unset, referents are rung on their mobiles only.",
    )
    twilio_api_key_secret: SecretStr | None = Field(
        default=None, description="That API key's secret."
    )
    twilio_twiml_app_sid: str = Field(
        default="",
        description="The TwiML App (`AP…`) whose Voice URL is `/twilio/voice/browser`: where "
        "the calls a referent places from her browser are sent.",
    )
    browser_token_ttl_s: int = Field(
        default=600,
        ge=60,
        le=3600,
        description="Seconds an access token of a referent's browser lasts; the console asks "
        "for the next one before it ends.",
    )
    voice_sdk_dir: Path = Field(
        default=Path("var/voice-sdk"),
        description="Folder holding `twilio.min.js`, Twilio's Voice JavaScript SDK built from "
        "npm by `scripts/voice-sdk.sh` (the image has it in `/opt/frontdoor/voice-sdk`); the "
        "console serves it itself, never from a CDN.",
    )
    simulated_time: bool | None = Field(
        default=None,
        description="Accept the terminal phone's signed `SimulatedAt` (its `--at`) as the "
        "current time; `true` outside the development mode stops the start.",
        json_schema_extra=shown("on in the development mode only"),
    )
    stand_ins: bool | None = Field(
        default=None,
        description="Run local stand-ins for Twilio's REST API and an SMTP server in place of "
        "those FRONTDOOR_TWILIO_API_URL and FRONTDOOR_SMTP_HOST leave unset, so that every SMS, "
        "call and mail of a demonstration answers; the console shows what they received "
        "(*Envoyés (démonstration)*); `true` outside the development mode stops the start.",
        json_schema_extra=shown("on in the development mode only"),
    )
    api_keys: dict[str, str] = Field(
        default_factory=dict,
        description='JSON map of API key to `"department:referent"`, e.g. '
        '`{"s3cret…": "dac46:amartin"}`: the key reads and corrects that department\'s '
        "requests; each key at least 16 characters outside the development mode.",
    )
    store_copies_refresh_s: float = Field(
        default=30.0,
        description="Seconds before an imported known contact, a roster change or a change of "
        "the team or the line made in the console is applied by every running instance (each "
        "refreshes its copy this often).",
    )
    jobs_enabled: bool = Field(
        default=True,
        description="Run the scheduled jobs in this instance (see [Scheduled jobs]"
        "(#scheduled-jobs)): each slot of a job runs once across the instances that share the "
        "database; `false` for an instance that only answers webhooks.",
    )
    jobs_every_s: int | None = Field(
        default=None,
        ge=1,
        le=59,
        description="For tests and demos: fire every job every N seconds (aligned on the "
        "clock) instead of on its crontab.",
        json_schema_extra=shown("each job's crontab"),
    )
    instance_name: str = Field(
        default_factory=lambda: f"{socket.gethostname()}-{os.getpid()}",
        min_length=1,
        max_length=120,
        description="This instance's name in `job_runs`, to tell which instance ran each job, "
        "and in its outage journal.",
        json_schema_extra=shown("`<hostname>-<pid>`"),
    )
    access_log: bool = Field(
        default=False,
        description="`true` logs every HTTP request (method, path, status; paths carry no "
        "personal data); off, the service logs what happens to each call instead.",
    )
    pseudonym_key: SecretStr = Field(
        default=SecretStr(DEVELOPMENT_PSEUDONYM_KEY),
        description="Secret key of the pseudonyms that replace callers' numbers after the "
        "retention period or an erasure, and under which SMS opt-outs are kept, at least 32 "
        "characters: set one per deployment and keep it (required outside the development "
        "mode).",
        json_schema_extra=shown("a development key (development mode only)"),
    )
    log_level: str = Field(
        default="INFO",
        description="Logging level; callers' numbers and messages are never logged.",
    )
    rate_limits: bool = Field(
        default=True,
        description="Limit sign-in attempts, API calls and failed authentications per client "
        "(429 beyond); `false` "
        "only for load tests.",
    )
    trusted_proxies: set[str] = Field(
        default_factory=lambda: {"127.0.0.1", "::1"},
        description="JSON list of the addresses or networks (CIDR) of the reverse proxies "
        "whose `X-Forwarded-For` names the client: sign-in (10 at once, then one per 6 s), "
        "the API (60 at once, then 2 per second) and failed authentications (an API key or a "
        "console session cookie unknown or expired: 10, then one a minute) are limited per "
        "client, answered 429 with `Retry-After` beyond.",
        json_schema_extra=shown('`["127.0.0.1", "::1"]`'),
    )
    event_private_networks: set[str] = Field(
        default_factory=set,
        description="JSON list of the private networks (CIDR) where an outgoing-event endpoint "
        "may be, for a partner reached over a private link: a coordinator may subscribe public "
        "addresses only, never this machine nor an internal network the operator did not list "
        "(outside the development mode).",
        json_schema_extra=shown("`[]`"),
    )
    log_format: Literal["text", "json"] = Field(
        default="text",
        description="`json`: one JSON object per line (time, level, logger, request id, "
        "message) for a log collector; every line carries the request's id (sent back as "
        "`X-Request-Id`), and anything shaped like a phone number or a mail address is masked "
        "in either format.",
    )
    console_session_hours: float = Field(
        default=10.0,
        gt=0,
        description="How long a console sign-in lasts (hours) before signing in again.",
    )
    oidc_issuer: str | None = Field(
        default=None,
        description="OpenID Connect provider for console sign-in (its issuer URL: Pro Santé "
        "Connect's, or the region's); the person's account must exist; unset, accounts sign in "
        "with their password only; set without the client id and secret, the start stops.",
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
        description="Seconds between two looks at the store for the console's live inbox and "
        "duty board (works the same whichever instance a browser is connected to).",
    )
    console_yields: bool = Field(
        default=True,
        description="While the event loop is overloaded (busy 85 % of half a second), the "
        "console and the API are answered 503 with `Retry-After` and their live pages wait, so "
        "that webhooks (callers) are served first; `false` only for functional tests.",
    )
    twilio_api_url: str | None = Field(
        default=None,
        description="Base URL that replaces `https://api.twilio.com` (and every other "
        "`*.twilio.com` host) for outgoing SMS, calls and recording deletions, keeping path and "
        "query; e.g. a local fake.",
        json_schema_extra=shown("Twilio itself"),
    )
    smtp_host: str | None = Field(
        default=None,
        description="SMTP server for outgoing mail (digests, alerts); unset, no mail is sent.",
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
        "(bytes), judged by the server's `RFC822.SIZE` before anything is fetched; a larger one "
        "is parked in the Frontdoor-Quarantaine folder (its header alone is read).",
    )
    mail_attachments_dir: Path = Field(
        default=Path("var/attachments"),
        description="Folder where the attachments of received mails are kept (files `0600`, "
        "folders `0700`; deleted with their request's person).",
    )
    recordings_dir: Path = Field(
        default=Path("var/recordings"),
        description="Folder where voicemails are kept once fetched from Twilio (and deleted "
        "there).",
    )
    mail_idle: bool = Field(
        default=True,
        description="Keep each department's mailbox open in IMAP IDLE, where the server offers "
        "it, so that a new mail is taken in within seconds (in instances that run the jobs); "
        "`mailbox-poll` reads every mailbox each minute anyway.",
    )
    mail_poll_batch: int = Field(
        default=200,
        ge=1,
        description="Most mails taken in from one mailbox at each poll; the rest wait for "
        "the next one.",
    )
    store_patience_s: float = Field(
        default=5.0,
        gt=0,
        le=60,
        description="How long a call's or an SMS's webhook waits for the database before it "
        "answers from memory and keeps the contact in the outage journal (and `/readyz`, "
        "the metrics and each write of the journal's replay before they report the database "
        "slow), whatever the database does: a statement waiting on a lock (SQLite's write lock "
        "held by another process, a PostgreSQL table lock) is abandoned then and rolled back "
        "in the background. Twilio gives up on a webhook after 15 s and the caller hears an "
        "error: keep it well below that.",
    )
    journal_dir: Path = Field(
        default=Path("var/journal"),
        description="Folder of this instance's outage journal: the calls and SMS answered "
        "while the database was unreachable, kept until they are written to it (callers' "
        "numbers, recording addresses and SMS texts: personal data, files `0600`); on "
        "persistent storage, one per instance (see [Running it in production]"
        "(#running-it-in-production)).",
    )
    metrics_token: SecretStr | None = Field(
        default=None,
        description="Bearer token that opens `/metrics` (`Authorization: Bearer …`), at least "
        "16 characters; unset, `/metrics` answers only requests from loopback that did not "
        "come through a proxy.",
    )

    @model_validator(mode="after")
    def _event_networks_are_networks(self) -> Self:
        for network in self.event_private_networks:
            try:
                ipaddress.ip_network(network, strict=False)
            except ValueError:
                raise ValueError(
                    f"FRONTDOOR_EVENT_PRIVATE_NETWORKS: not a network: {network!r}"
                ) from None
        return self

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
    def runs_stand_ins(self) -> bool:
        """Only in the development mode, where they run unless turned off."""
        return self.dev_mode and self.stand_ins is not False

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


@dataclass(kw_only=True, frozen=True)
class ToolVariable:
    """A FRONTDOOR_ variable that the service does not read: a tool, a test or the compose
    file does. Declared so that the service knows it is no misspelling."""

    name: str
    type: str
    default: str
    help: str
    read_by: str


NEW_PASSWORD = ToolVariable(
    name="FRONTDOOR_NEW_PASSWORD",
    type="secret",
    default="asked twice on the terminal",
    help="The password `frontdoor accounts add` gives the new account, for scripts.",
    read_by="`frontdoor accounts`",
)
TOOL_VARIABLES = (
    NEW_PASSWORD,
    ToolVariable(
        name="FRONTDOOR_VENV",
        type="path",
        default=".venv",
        help="The virtual environment `./dev` installs the lock into and runs from.",
        read_by="`./dev`",
    ),
    ToolVariable(
        name="FRONTDOOR_TEST_POSTGRES_URL",
        type="text",
        default="postgresql+asyncpg://postgres@127.0.0.1:5432/test",
        help="The PostgreSQL server the suite runs on (each session makes its own database); "
        "unset, pytest runs on SQLite only.",
        read_by="`./dev test`, the test suite",
    ),
    ToolVariable(
        name="FRONTDOOR_TEST_WORKERS",
        type="integer",
        default="2",
        help="How many processes run SQLite's half of the suite (pytest-xdist); 0 runs it "
        "in pytest's own process.",
        read_by="`./dev test`",
    ),
    ToolVariable(
        name="FRONTDOOR_TEST_POSTGRES_WORKERS",
        type="integer",
        default="3",
        help="How many processes run PostgreSQL's half of the suite (pytest-xdist); 0 runs "
        "it in pytest's own process.",
        read_by="`./dev test`",
    ),
    ToolVariable(
        name="FRONTDOOR_FUZZ_SEED",
        type="integer",
        default="20261123",
        help="Changes the requests the fuzz tests draw (the same seed draws the same ones).",
        read_by="tests/fuzz",
    ),
    ToolVariable(
        name="FRONTDOOR_FUZZ_SCALE",
        type="number",
        default="1",
        help="Multiplies how many requests the fuzz tests draw.",
        read_by="tests/fuzz",
    ),
    ToolVariable(
        name="FRONTDOOR_CHROMIUM",
        type="path",
        default="/usr/bin/chromium",
        help="The Chromium the console's browser tests drive.",
        read_by="tests/console/chromium.py",
    ),
    ToolVariable(
        name="FRONTDOOR_SCREENSHOTS",
        type="path",
        default="",
        help="A folder (`docs/screenshots`) where the browser tests keep the console's pages "
        "as pictures.",
        read_by="tests/console/test_in_chromium.py",
    ),
    ToolVariable(
        name="FRONTDOOR_FHIR_SERVER_CACHE",
        type="path",
        default="~/.cache/frontdoor/fhir-server",
        help="Where the coordination-file tests install the FHIR server they run "
        "(tests/fhir_server: Medplum's FHIR router from npm), once per lock file.",
        read_by="tests/fhir_server",
    ),
    ToolVariable(
        name="FRONTDOOR_VOICE_SDK_CACHE",
        type="path",
        default="~/.cache/frontdoor/voice-sdk",
        help="Where the browser-phone tests install Twilio's Voice JavaScript SDK from npm "
        "(deploy/voice-sdk: package.json and its lock), once per lock file.",
        read_by="tests/console/voice_sdk.py",
    ),
    ToolVariable(
        name="FRONTDOOR_DEPLOY_VENV",
        type="path",
        default=".venv-deploy",
        help="The virtual environment `./dev deploy-test` installs podman-compose into.",
        read_by="`./dev deploy-test`",
    ),
    ToolVariable(
        name="FRONTDOOR_DEPLOY_COMPOSE",
        type="path",
        default="podman-compose",
        help="The compose command the deployment scenarios drive (set by `./dev deploy-test`).",
        read_by="tests/deploy_live",
    ),
    ToolVariable(
        name="FRONTDOOR_TEST_TWILIO_API_URL",
        type="text",
        default="(set by the scenarios)",
        help="Where the deployed instances reach the scenarios' Twilio REST API.",
        read_by="tests/deploy_live/compose.override.yaml",
    ),
    ToolVariable(
        name="FRONTDOOR_FLOWS",
        type="path",
        default="/etc/frontdoor/flows",
        help="The host's folder of department files, mounted into the containers.",
        read_by="deploy/compose.yaml",
    ),
    ToolVariable(
        name="FRONTDOOR_TLS",
        type="path",
        default="/etc/frontdoor/tls",
        help="The host's folder of the public name's certificate (`fullchain.pem`, "
        "`privkey.pem`), mounted into the proxy.",
        read_by="deploy/compose.yaml",
    ),
    ToolVariable(
        name="FRONTDOOR_SECRETS",
        type="path",
        default="/etc/frontdoor/secrets",
        help="The host's folder of secret files, one per variable, mode `0400`.",
        read_by="deploy/compose.yaml",
    ),
)
