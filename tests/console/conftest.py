"""Console fixtures: accounts of every role in both example departments, and signing in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from aiohttp.test_utils import TestClient

from frontdoor.console.passwords import hash_password
from frontdoor.core.access import Role
from frontdoor.cpu import CpuThreads
from frontdoor.settings import Settings
from frontdoor.store.accounts import add_account
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.models import Person as PersonFile
from frontdoor.store.models import RequestPerson

PASSWORD = "correct horse battery staple"


@dataclass(frozen=True)
class Person:
    login: str
    role: Role
    departments: tuple[str, ...]
    referent_id: str | None = None


LOT_REFERENT = Person("anne.martin@dac46.fr", Role.REFERENT, ("dac46",), "amartin")
LOT_COORDINATOR = Person("coordination@dac46.fr", Role.COORDINATOR, ("dac46",), "coordination")
MOSELLE_REFERENT = Person("d.weber@dac57.fr", Role.REFERENT, ("dac57",), "dweber")
MOSELLE_COORDINATOR = Person("coordination@dac57.fr", Role.COORDINATOR, ("dac57",))
OPERATOR = Person("exploitation@grades.fr", Role.OPERATOR, ("dac46", "dac57"))
PEOPLE = (LOT_REFERENT, LOT_COORDINATOR, MOSELLE_REFERENT, MOSELLE_COORDINATOR, OPERATOR)


async def create_accounts(settings: Settings, people: tuple[Person, ...] = PEOPLE) -> None:
    engine = create_engine(settings.database_url)
    # One hash for all: Argon2 is slow on purpose, the tests need not be.
    cpu = CpuThreads(workers=1)
    password_hash = await hash_password(cpu, PASSWORD)
    cpu.close()
    async with session_maker(engine)() as session:
        for person in people:
            await add_account(
                session=session,
                login=person.login,
                display_name=person.login.split("@")[0],
                role=person.role,
                departments=person.departments,
                password_hash=password_hash,
                referent_id=person.referent_id,
                now=datetime.now(UTC),
            )
        await session.commit()
    await engine.dispose()


@pytest.fixture
async def app_settings(wired_settings: Settings) -> Settings:
    """With the accounts of PEOPLE."""
    await create_accounts(wired_settings)
    return wired_settings


@dataclass(frozen=True)
class Browser:
    """A signed-in browser: its session cookie and the CSRF token its pages carry."""

    client: TestClient
    cookie: str
    csrf: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Cookie": f"frontdoor_session={self.cookie}"}

    async def get(self, path: str, headers: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
        return await self.client.get(
            path, headers={**self.headers, **(headers or {})}, allow_redirects=False
        )

    async def post(self, path: str, data: dict[str, object] | list[tuple[str, str]] | None = None):  # type: ignore[no-untyped-def]
        form = list(data.items()) if isinstance(data, dict) else list(data or [])
        return await self.client.post(
            path, data=[("csrf", self.csrf), *form], headers=self.headers, allow_redirects=False
        )


def _cookie_value(response: object, name: str) -> str:
    morsel = response.cookies.get(name)  # type: ignore[attr-defined]
    assert morsel is not None, f"no {name} cookie set"
    return str(morsel.value)


async def sign_in(client: TestClient, person: Person, password: str = PASSWORD) -> Browser:
    form_page = await client.get("/console/connexion")
    form_token = _cookie_value(form_page, "frontdoor_signin")
    response = await client.post(
        "/console/connexion",
        data={"form_token": form_token, "login": person.login, "password": password},
        headers={"Cookie": f"frontdoor_signin={form_token}"},
        allow_redirects=False,
    )
    assert response.status == 303, await response.text()
    cookie = _cookie_value(response, "frontdoor_session")
    page = await client.get("/console/astreinte", headers={"Cookie": f"frontdoor_session={cookie}"})
    text = await page.text()
    marker = '<meta name="csrf-token" content="'
    csrf = text.split(marker, 1)[1].split('"', 1)[0]
    return Browser(client=client, cookie=cookie, csrf=csrf)


LINKED_AT = datetime(2026, 5, 12, 9, 0, tzinfo=UTC)


async def a_person_concerned(settings: Settings, request_id: int) -> int:
    """A person ("Ginette Témoin") the request is about, linked to it: what the persons'
    pages and routes need to reach."""
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        person = PersonFile(department="dac46", family_name="Témoin", given_names="Ginette",
                            name_key="temoin ginette", created_at=LINKED_AT,
                            created_by="someone")  # fmt: skip
        session.add(person)
        await session.flush()
        session.add(RequestPerson(request_id=request_id, person_id=person.id or 0,
                                  linked_at=LINKED_AT, linked_by="someone"))  # fmt: skip
        await session.commit()
        person_id = person.id or 0
    await engine.dispose()
    return person_id
