"""`frontdoor accounts`: creating console accounts from the command line."""

from __future__ import annotations

import argparse
import io

import pytest

from frontdoor.console import accounts_command
from frontdoor.console.passwords import check_password
from frontdoor.core.passwords import COMMON, WALK
from frontdoor.cpu import CpuThreads
from frontdoor.departments import Departments
from frontdoor.settings import Settings
from frontdoor.store.accounts import account_by_login
from frontdoor.store.db import create_engine, session_maker
from tests.conftest import production


def parsed(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    accounts_command.add_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(["accounts", *argv])


async def run(
    settings: Settings, departments: Departments, *argv: str, answers: list[str] | None = None
) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    given = list(answers or [])
    status = await accounts_command.run(
        parsed(*argv), settings, departments, out=out, err=err, ask=lambda _prompt: given.pop(0)
    )
    return status, out.getvalue(), err.getvalue()


async def stored_hash(settings: Settings, login: str) -> str | None:
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        account = await account_by_login(session=session, login=login)
    await engine.dispose()
    return account.password_hash if account else None


ADD_ANNE = ("add", "Anne.Martin@dac46.fr", "--name", "Anne Martin", "--role", "referent",
            "--department", "dac46", "--referent-id", "amartin")  # fmt: skip


async def test_an_account_is_created_with_the_password_typed_twice(
    settings: Settings, departments: Departments
) -> None:
    password = "une phrase de passe solide"

    status, out, _ = await run(settings, departments, *ADD_ANNE, answers=[password, password])

    assert status == 0
    assert out == "anne.martin@dac46.fr créé (Référent parcours, dac46)\n"
    cpu = CpuThreads(workers=1)
    stored = await stored_hash(settings, "anne.martin@dac46.fr")
    checked = await check_password(cpu, stored, password)
    cpu.close()
    assert checked.matches


@pytest.mark.parametrize(
    ("answers", "problem"),
    [
        (["une phrase de passe", "une autre phrase"], "les deux mots de passe diffèrent"),
        (["court", "court"], "mot de passe refusé : au moins 12 caractères"),
        (["123456789012"] * 2, f"mot de passe refusé : {WALK}"),
        (["Motdepasse2024!"] * 2, f"mot de passe refusé : {COMMON}"),
    ],
)
async def test_a_mistyped_or_weak_password_creates_nothing(
    settings: Settings, departments: Departments, answers: list[str], problem: str
) -> None:
    status, _, err = await run(settings, departments, *ADD_ANNE, answers=answers)

    assert (status, err.strip()) == (1, problem)
    assert await stored_hash(settings, "anne.martin@dac46.fr") is None


async def test_a_referent_has_one_known_department_and_a_known_referent_id(
    settings: Settings, departments: Departments
) -> None:
    referent = ("--name", "X", "--role", "referent", "--department", "dac46")
    two = await run(settings, departments, "add", "x@dac.fr", *referent, "--department", "dac57")
    stranger = await run(
        settings, departments, "add", "y@dac.fr", *referent, "--referent-id", "nobody"
    )

    assert two[0] == stranger[0] == 1
    assert "un seul département" in two[2]
    assert "nobody : référent inconnu dans dac46" in stranger[2]


async def test_demonstration_accounts_exist_only_in_the_development_mode(
    settings: Settings, departments: Departments
) -> None:
    refused = await run(production(settings), departments, "demo")
    created = await run(settings, departments, "demo")
    again = await run(settings, departments, "demo")

    assert refused[0] == 1
    assert created[0] == 0
    assert "referent@dac46.demo" in created[1]
    assert "créés" not in again[1]  # idempotent
    assert await stored_hash(settings, "coordination@dac57.demo") is not None


@pytest.mark.parametrize("login", ["referent@dac46.demo", " Moi@Ailleurs.DEMO "])
async def test_a_login_under_the_demonstration_domain_is_refused_outside_the_development_mode(
    settings: Settings, departments: Departments, login: str
) -> None:
    password = "une phrase de passe solide"
    add = ("add", login, "--name", "X", "--role", "coordinator", "--department", "dac46")

    refused = await run(production(settings), departments, *add, answers=[password] * 2)

    assert refused[0] == 1
    assert "le domaine .demo est réservé aux comptes de démonstration" in refused[2]
    assert await stored_hash(settings, login) is None
    # In the development mode it is a demonstration account like the others.
    assert (await run(settings, departments, *add, answers=[password] * 2))[0] == 0
    assert await stored_hash(settings, login) is not None
