"""Fixtures shared by the suite: a migrated database, the app, and a phone that speaks Twilio.

The suite runs on SQLite by default. With FRONTDOOR_TEST_POSTGRES_URL set (for instance
postgresql+asyncpg://postgres@127.0.0.1:5432/test), every test that uses the store runs on a
fresh PostgreSQL database created for the session instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.engine import make_url

from frontdoor.departments import Departments
from frontdoor.flows import load_departments
from frontdoor.settings import Settings
from frontdoor.store.db import create_engine
from frontdoor.store.migrate import upgrade
from tests.fakes.smtp import SmtpRecorder
from tests.fakes.twilio_api import FakeTwilioApi

ROOT = Path(__file__).resolve().parent.parent
PUBLIC_URL = "https://frontdoor.example.org"
AUTH_TOKEN = "test-auth-token-0123456789abcdef"
POSTGRES_URL = os.environ.get("FRONTDOOR_TEST_POSTGRES_URL")


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str | None]:
    """A database of its own for this test session on the PostgreSQL server, if one is named."""
    if not POSTGRES_URL:
        yield None
        return
    import asyncio

    name = f"frontdoor_test_{uuid.uuid4().hex[:10]}"
    admin = make_url(POSTGRES_URL)

    async def run(statement: str) -> None:
        engine = create_engine(admin.render_as_string(hide_password=False))
        async with engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text(statement))
        await engine.dispose()

    asyncio.run(run(f'CREATE DATABASE "{name}"'))
    yield admin.set(database=name).render_as_string(hide_password=False)
    asyncio.run(run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
async def database_url(tmp_path: Path, postgres_database: str | None) -> str:
    """A migrated, empty database for one test."""
    url = postgres_database or f"sqlite+aiosqlite:///{tmp_path / 'frontdoor.sqlite3'}"
    engine = create_engine(url)
    if postgres_database:
        async with engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    await upgrade(engine)
    await engine.dispose()
    return url


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        journal_dir=tmp_path / "journal",  # each test's own outage journal
        public_url=PUBLIC_URL,
        flows_dir=ROOT / "flows",
        templates_dir=ROOT / "templates",
        twilio_account_sid="AC" + "0" * 32,
        twilio_auth_token=AUTH_TOKEN,
        # Declared, as ./dev serve declares it: calls placed at a chosen instant (the signed
        # SimulatedAt) are the development mode's. Production settings: `production` below.
        dev_mode=True,
        simulated_time=True,
        api_keys={"key-dac46-amartin": "dac46:amartin", "key-dac57-dweber": "dac57:dweber"},
        jobs_enabled=False,  # tests that want the scheduler turn it on
    )


def production(settings: Settings) -> Settings:
    """The same settings outside the development mode, with real-looking secrets: what a
    deployment runs with (no simulated time, no development token or key)."""
    return settings.model_copy(
        update={
            "dev_mode": False,
            "simulated_time": None,
            "pseudonym_key": SecretStr("production-pseudonym-key-0123456789abcdef"),
        }
    )


@pytest.fixture(scope="session")
def departments() -> Departments:
    return Departments(
        load_departments(ROOT / "flows", ROOT / "templates" / "voice" / "prompts.toml").values()
    )


# The outbound providers' fakes (tests/fakes/), imported here to keep the lines above untouched.


@pytest.fixture
async def twilio_api() -> AsyncIterator[FakeTwilioApi]:
    """A local server answering as Twilio's REST API; `.base_url`, `.requests`, `.fail_next()`."""
    fake = FakeTwilioApi()
    await fake.start()
    yield fake
    await fake.close()


@pytest.fixture
async def smtp_server() -> AsyncIterator[SmtpRecorder]:
    """A plain SMTP recorder on loopback; `.host`, `.port`, `.mails`, `.refuse_next()`."""
    recorder = await SmtpRecorder().start()
    yield recorder
    await recorder.close()


@pytest.fixture
def wired_settings(
    settings: Settings, twilio_api: FakeTwilioApi, smtp_server: SmtpRecorder
) -> Settings:
    """Settings whose outbound side reaches the local fakes: Twilio's REST API, an SMTP server.

    One Twilio account, as in production: its token signs the webhooks and opens its API.
    """
    twilio_api.account_sid = settings.twilio_account_sid
    twilio_api.auth_token = AUTH_TOKEN
    return settings.model_copy(
        update={
            "twilio_api_url": twilio_api.base_url,
            "smtp_host": smtp_server.host,
            "smtp_port": smtp_server.port,
            "smtp_tls": "none",
            "mail_from": "frontdoor@dac.example.org",
        }
    )
