"""Fixtures shared by the suite: a migrated database, the app, and a phone that speaks Twilio.

The suite runs on SQLite by default. With FRONTDOOR_TEST_POSTGRES_URL set (for instance
postgresql+asyncpg://postgres@127.0.0.1:5432/test), every test that uses the store runs on a
fresh PostgreSQL database created for the session instead.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Coroutine, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from argon2 import PasswordHasher
from pydantic import SecretStr
from sqlalchemy import event, text
from sqlalchemy.engine import Engine, make_url
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.console import passwords
from frontdoor.core.department import Department
from frontdoor.department_file.load import load_departments
from frontdoor.departments import Departments
from frontdoor.keys import Clock
from frontdoor.logs import MaskingFilter, PathOnlyAccessLogger
from frontdoor.settings import Settings
from frontdoor.standins.smtp import SmtpRecorder
from frontdoor.standins.twilio_api import FakeTwilioApi
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.migrate import upgrade
from frontdoor.web.app import create_app, utc_now
from tests.database_emptier import DatabaseEmptier
from tests.fhir_server import fhir_server
from tests.held_connections import probe
from tests.seeded_states import SeededStates

ROOT = Path(__file__).resolve().parent.parent
PUBLIC_URL = "https://frontdoor.example.org"
AUTH_TOKEN = "test-auth-token-0123456789abcdef"
POSTGRES_URL = os.environ.get("FRONTDOOR_TEST_POSTGRES_URL")


# Tests that take tens of seconds on a busy machine. xdist hands tests out in the order they
# are collected: one of these collected last (tests/system comes late) would run alone at the
# end of a half while the other workers wait, so they are collected first.
LONGEST_FIRST = (
    "tests/system/",
    "tests/fuzz/",
    "tests/indicators/",
    "tests/console/test_in_chromium.py",
    "tests/deploy/",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: not item.nodeid.startswith(LONGEST_FIRST))  # stable


def _run_admin(url: str, *statements: str) -> Coroutine[None, None, None]:
    """Statements outside any transaction (CREATE/DROP DATABASE) on the server of `url`."""

    async def run() -> None:
        engine = create_engine(url)
        async with engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            for statement in statements:
                await connection.execute(text(statement))
        await engine.dispose()

    return run()


def _created(name: str, template: str | None = None) -> tuple[str, ...]:
    """A test database, and the setting that spares it a disk flush at every commit: a
    PostgreSQL server flushes each commit to its write-ahead log before answering (5 to 10 ms
    on a busy machine, for each of the tens of commits a test makes), and the suite's
    databases need no durability across a crash of the server. What a commit makes visible,
    and when, is unchanged; the setting is the database's, so the service's own connections
    and its subprocesses in the tests have it too. A copy of a template does not inherit it."""
    create = f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")
    return create, f'ALTER DATABASE "{name}" SET synchronous_commit = off'


async def _migrated(url: str) -> None:
    engine = create_engine(url)
    await upgrade(engine)
    if url.startswith("sqlite"):
        async with engine.connect() as connection:  # the whole schema in the file itself
            await connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    await engine.dispose()


@pytest.fixture(autouse=True, scope="session")
def _passwords_hashed_cheaply() -> Iterator[None]:
    """Argon2id with its lightest parameters for the accounts the suite makes and signs in
    with (Django's test runner does the same with its hashers): the library's defaults cost
    about 0.6 s of CPU per sign-in, in workers that run below the event loop's priority, so on
    a busy machine every console test waited seconds for its sign-in. The hashing itself, the
    decoy, the rehash of outdated parameters and the pool are the service's own."""
    saved = passwords._HASHER, passwords._DECOY
    passwords._HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    passwords._DECOY = passwords._HASHER.hash("frontdoor-decoy-password")
    yield
    passwords._HASHER, passwords._DECOY = saved


@pytest.fixture(autouse=True)
def _nothing_awaited_while_the_store_is_held(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test may see the service wait for the outside (Twilio, SMTP, IMAP, an endpoint) or
    for the CPU pool while it holds a connection of the store (tests/held_connections.py)."""
    with probe(monkeypatch) as held:
        yield
    assert not held.offences, (
        f"waited for the outside or the CPU pool while holding a store connection: {held.offences}"
    )


@pytest.fixture(autouse=True)
def _logging_as_pytest_set_it() -> Iterator[None]:
    """A test that runs the CLI gets its logging configured (frontdoor.logs.configure_logging
    puts a handler on the root logger, writing to the stderr pytest captured then): removed
    after the test, or every later test would log to a stream pytest has closed since."""
    root = logging.getLogger()
    level = root.level
    yield
    for handler in root.handlers[:]:
        if any(isinstance(f, MaskingFilter) for f in handler.filters):
            root.removeHandler(handler)
    root.setLevel(level)


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str | None]:
    """A database of its own for this test session on the PostgreSQL server, if one is named."""
    if not POSTGRES_URL:
        yield None
        return
    name = f"frontdoor_test_{uuid.uuid4().hex[:10]}"
    admin = make_url(POSTGRES_URL).render_as_string(hide_password=False)
    asyncio.run(_run_admin(admin, *_created(name)))
    yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    asyncio.run(_run_admin(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@dataclass(frozen=True)
class Template:
    """The schema migrated once per session: an SQLite file to copy, or a PostgreSQL
    template database and what an emptied copy of it holds."""

    source: str  # the SQLite file, or the PostgreSQL template database's name
    tables: frozenset[str] = frozenset()
    sequences: tuple[str, ...] = ()
    head: str = ""

    @property
    def emptying(self) -> str:
        """The script that deletes every row and restarts every sequence, in one transaction."""
        deletes = [f'DELETE FROM "{t}";' for t in sorted(self.tables - {"alembic_version"})]
        restarts = [f"SELECT setval('\"{s}\"', 1, false);" for s in self.sequences]
        return "\n".join([
            "BEGIN;",
            "SET LOCAL lock_timeout = '5s';",
            "SET LOCAL session_replication_role = replica;",
            *deletes,
            *restarts,
            "COMMIT;",
        ])  # fmt: skip


@pytest.fixture(scope="session")
def migrated_template(
    postgres_database: str | None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Template]:
    """Each test starts from this schema instead of running every migration again (a second
    and more on a busy machine): on SQLite a copy of the file (a millisecond); on PostgreSQL
    the session's database emptied of what the previous test wrote, or made again from the
    template when a test changed its schema (the migration tests do)."""
    if postgres_database is None:
        template = tmp_path_factory.mktemp("template") / "frontdoor.sqlite3"
        asyncio.run(_migrated(f"sqlite+aiosqlite:///{template}"))
        yield Template(source=str(template))
        return
    name = f"{make_url(postgres_database).database}_template"
    admin = make_url(POSTGRES_URL or "").render_as_string(hide_password=False)
    template_url = make_url(admin).set(database=name).render_as_string(hide_password=False)
    asyncio.run(_run_admin(admin, *_created(name)))
    asyncio.run(_migrated(template_url))
    yield asyncio.run(_described(template_url, name))
    asyncio.run(_run_admin(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _described(url: str, name: str) -> Template:
    engine = create_engine(url)
    async with engine.connect() as connection:
        tables = await connection.exec_driver_sql(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        )
        sequences = await connection.exec_driver_sql(
            "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'"
        )
        head = await connection.exec_driver_sql("SELECT version_num FROM alembic_version")
        template = Template(
            source=name,
            tables=frozenset(tables.scalars()),
            sequences=tuple(sequences.scalars()),
            head=head.scalar_one(),
        )
    await engine.dispose()
    return template


@pytest.fixture(scope="session")
def database_emptier(
    postgres_database: str | None, migrated_template: Template
) -> Iterator[DatabaseEmptier | None]:
    """On PostgreSQL, what empties the session's database before each test: the same
    tables at the same revision, every row deleted (triggers and foreign keys aside: the
    tallies' triggers would write changes) and every sequence restarted, in two round trips
    on a connection kept for the session."""
    if postgres_database is None:
        yield None
        return
    emptier = DatabaseEmptier(
        postgres_database,
        tables=migrated_template.tables,
        head=migrated_template.head,
        script=migrated_template.emptying,
    )
    yield emptier
    emptier.close()


@pytest.fixture
async def database_url(
    tmp_path: Path,
    postgres_database: str | None,
    migrated_template: Template,
    database_emptier: DatabaseEmptier | None,
) -> str:
    """A migrated, empty database for one test."""
    if postgres_database is None:
        copy = tmp_path / "frontdoor.sqlite3"
        shutil.copyfile(migrated_template.source, copy)
        copy.chmod(0o600)  # as the service creates it (store.db): it holds personal data
        return f"sqlite+aiosqlite:///{copy}"
    assert database_emptier is not None
    if not await database_emptier.emptied():
        await database_emptier.let_go()
        name = make_url(postgres_database).database
        await _run_admin(
            make_url(POSTGRES_URL or "").render_as_string(hide_password=False),
            f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
            *_created(name, template=migrated_template.source),
        )
    return postgres_database


@pytest.fixture
async def session(database_url: str) -> AsyncIterator[AsyncSession]:
    """A session on the test's database, for tests of the store's functions."""
    engine = create_engine(database_url)
    async with session_maker(engine)() as opened:
        yield opened
    await engine.dispose()


@pytest.fixture
def statements() -> Iterator[list[str]]:
    """The SQL statements sent to any database from now on, for tests that count them."""
    sent: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        sent.append(statement)

    event.listen(Engine, "before_cursor_execute", seen)
    yield sent
    event.remove(Engine, "before_cursor_execute", seen)


@pytest.fixture
async def other_database_url(
    tmp_path: Path, postgres_database: str | None, migrated_template: Template
) -> AsyncIterator[str]:
    """A second migrated, empty database, for a test that runs two installations side by side
    (a production and its staging, a database recreated)."""
    if postgres_database is None:
        copy = tmp_path / "other.sqlite3"
        shutil.copyfile(migrated_template.source, copy)
        copy.chmod(0o600)
        yield f"sqlite+aiosqlite:///{copy}"
        return
    name = f"{make_url(postgres_database).database}_other"
    admin = make_url(POSTGRES_URL or "").render_as_string(hide_password=False)
    await _run_admin(
        admin,
        f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
        *_created(name, template=migrated_template.source),
    )
    yield make_url(postgres_database).set(database=name).render_as_string(hide_password=False)
    await _run_admin(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def seeded_states(tmp_path_factory: pytest.TempPathFactory) -> SeededStates:
    """States many tests start from, built by the first (tests/seeded_states.py)."""
    return SeededStates(tmp_path_factory.mktemp("seeded"))


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        journal_dir=tmp_path / "journal",  # each test's own outage journal
        recordings_dir=tmp_path / "recordings",  # each test's own voicemails
        mail_attachments_dir=tmp_path / "attachments",  # and mail attachments
        public_url=PUBLIC_URL,
        flows_dir=ROOT / "flows",
        templates_dir=ROOT / "templates",
        twilio_account_sid="AC" + "0" * 32,
        twilio_auth_token=AUTH_TOKEN,
        # Declared, as ./dev serve declares it: calls placed at a chosen instant (the signed
        # SimulatedAt) are the development mode's. Production settings: `production` below.
        dev_mode=True,
        simulated_time=True,
        # The outbound side is each test's choice: the providers' stand-ins it starts itself
        # (`wired_settings`), or nothing; `./dev serve`'s own start only where a test asks.
        stand_ins=False,
        api_keys={"key-dac46-amartin": "dac46:amartin", "key-dac57-dweber": "dac57:dweber"},
        jobs_enabled=False,  # tests that want the scheduler turn it on
        # A test's client and its app share one loop, often busy the whole time: tests that
        # want the console to yield to the callers turn it on (tests/web/test_loop_load.py).
        console_yields=False,
        # A busy machine can hold a store write for seconds: a test takes the outage path
        # because its store is down, never because the machine was slow.
        store_patience_s=60,
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


@pytest.fixture(scope="session")
def lot(departments: Departments) -> Department:
    """The Lot, the first example department."""
    department = departments.for_slug("dac46")
    assert department is not None
    return department


@pytest.fixture(scope="session")
def moselle(departments: Departments) -> Department:
    """The Moselle, the second example department (Alsace-Moselle's holidays)."""
    department = departments.for_slug("dac57")
    assert department is not None
    return department


# The outbound providers' stand-ins (frontdoor/standins/).


@pytest.fixture(scope="session")
def fhir_base() -> Iterator[str]:
    """A real FHIR R4 server (tests/fhir_server), started for the session when a test asks."""
    with fhir_server() as base:
        yield base


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


# The app under test. One client for the whole suite: a folder or a module changes what the
# app runs with by overriding `app_settings`, `app_departments` or `app_clock`, never `client`.


@pytest.fixture
def app_settings(wired_settings: Settings) -> Settings:
    """The settings the app under test runs with: its outbound side on the local fakes."""
    return wired_settings


@pytest.fixture
def app_departments(departments: Departments) -> Departments:
    """The departments the app under test serves."""
    return departments


@pytest.fixture
def app_clock() -> Clock:
    """The app's clock: the real one unless a module moves it."""
    return utc_now


@pytest.fixture
async def client(
    aiohttp_client: Any,
    app_settings: Settings,
    app_departments: Departments,
    app_clock: Clock,
) -> TestClient:
    """The real app on a migrated database, with the access log `frontdoor serve` writes."""
    server = TestServer(create_app(app_settings, app_departments, clock=app_clock))
    # TestServer drops runner options given to it: they go to start_server.
    await server.start_server(access_log_class=PathOnlyAccessLogger)
    return await aiohttp_client(server)  # type: ignore[no-any-return]
