"""`frontdoor accounts add|list|disable|demo`: console accounts, from the command line.

A password is read from FRONTDOOR_NEW_PASSWORD when set (scripts, tests), else asked twice
at the terminal; it is never an argument, so it stays out of shell histories and `ps`.
"""

from __future__ import annotations

import argparse
import getpass
import os
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TextIO

from frontdoor.console.passwords import hash_password, weakness
from frontdoor.core.access import ROLE_LABELS, Role
from frontdoor.cpu import CpuThreads
from frontdoor.departments import Departments
from frontdoor.settings import NEW_PASSWORD, Settings
from frontdoor.store.accounts import (
    DEMO_DOMAIN_SUFFIX,
    account_by_login,
    add_account,
    all_accounts,
    disable_account,
    is_demo_login,
)
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.migrate import upgrade

PASSWORD_VARIABLE = NEW_PASSWORD.name
# `./dev serve` creates these on the example departments, in the development mode only.
DEMO_PASSWORD = "demonstration-frontdoor"


def add_parser(commands: Any) -> None:
    accounts = commands.add_parser("accounts", help="console accounts")
    sub = accounts.add_subparsers(dest="accounts_command", required=True)
    add = sub.add_parser("add", help="create an account (password asked, or from the env)")
    add.add_argument("login", help="usually the person's mail address")
    add.add_argument("--name", required=True, help="the name shown in the console")
    add.add_argument("--role", required=True, choices=[role.value for role in Role])
    add.add_argument(
        "--department",
        dest="departments",
        action="append",
        required=True,
        help="department slug; an operator may have several",
    )
    add.add_argument("--referent-id", help="the referent's id in the department file")
    sub.add_parser("list", help="list the accounts")
    disable = sub.add_parser("disable", help="disable an account (its sessions end)")
    disable.add_argument("login")
    sub.add_parser(
        "demo", help="development only: demonstration accounts on the example departments"
    )


async def run(
    args: argparse.Namespace,
    settings: Settings,
    departments: Departments,
    *,
    out: TextIO,
    err: TextIO,
    ask: Callable[[str], str] = getpass.getpass,
) -> int:
    if args.accounts_command == "demo" and not settings.dev_mode:
        # Their password is public: `frontdoor serve` refuses to start while they exist.
        err.write(
            "comptes de démonstration : seulement en mode développement (FRONTDOOR_DEV_MODE=true)\n"
        )
        return 1
    if args.accounts_command == "add" and is_demo_login(args.login) and not settings.dev_mode:
        # A real account there would be taken for a demonstration one: `frontdoor serve`
        # refuses to start while any exists, and the demo password is public.
        err.write(
            f"{args.login} : le domaine {DEMO_DOMAIN_SUFFIX} est réservé aux comptes de "
            "démonstration du mode développement ; choisissez un autre identifiant\n"
        )
        return 1
    engine = create_engine(settings.database_url)
    cpu = CpuThreads(workers=1)
    try:
        await upgrade(engine)
        sessions = session_maker(engine)
        async with sessions() as session:
            if args.accounts_command == "list":
                for account in await all_accounts(session=session):
                    state = " (désactivé)" if account.disabled else ""
                    out.write(
                        f"{account.login}\t{ROLE_LABELS[Role(account.role)]}\t"
                        f"{', '.join(account.departments)}{state}\n"
                    )
                return 0
            if args.accounts_command == "disable":
                disabled = await disable_account(session=session, login=args.login)
                if disabled is None:
                    err.write(f"{args.login} : compte inconnu\n")
                    return 1
                await session.commit()
                out.write(f"{disabled.login} désactivé\n")
                return 0
            if args.accounts_command == "demo":
                return await _demo(session, departments, cpu, out=out)
            return await _add(session, args, departments, cpu, out=out, err=err, ask=ask)
    finally:
        cpu.close()
        await engine.dispose()


def _new_password(ask: Callable[[str], str]) -> str | None:
    given = os.environ.get(PASSWORD_VARIABLE)
    if given is not None:
        return given
    first = ask("Mot de passe : ")
    return first if ask("Mot de passe (encore) : ") == first else None


async def _add(
    session: Any,
    args: argparse.Namespace,
    departments: Departments,
    cpu: CpuThreads,
    *,
    out: TextIO,
    err: TextIO,
    ask: Callable[[str], str],
) -> int:
    role = Role(args.role)
    unknown = [slug for slug in args.departments if departments.for_slug(slug) is None]
    if unknown:
        err.write(f"département inconnu : {', '.join(unknown)}\n")
        return 1
    if role is not Role.OPERATOR and len(args.departments) != 1:
        err.write("un référent ou un coordinateur a un seul département\n")
        return 1
    if args.referent_id:
        department = departments.for_slug(args.departments[0])
        if department is None or args.referent_id not in department.referents:
            err.write(f"{args.referent_id} : référent inconnu dans {args.departments[0]}\n")
            return 1
    if await account_by_login(session=session, login=args.login) is not None:
        err.write(f"{args.login} : ce compte existe déjà\n")
        return 1
    await session.commit()  # the read ends: no transaction waits for the password and its hash
    password = _new_password(ask)
    if password is None:
        err.write("les deux mots de passe diffèrent\n")
        return 1
    if (problem := weakness(password)) is not None:
        err.write(f"mot de passe refusé : {problem}\n")
        return 1
    await add_account(
        session=session,
        login=args.login,
        display_name=args.name,
        role=role,
        departments=args.departments,
        password_hash=await hash_password(cpu, password),
        referent_id=args.referent_id,
        now=datetime.now(UTC),
    )
    await session.commit()
    out.write(f"{args.login.lower()} créé ({ROLE_LABELS[role]}, {', '.join(args.departments)})\n")
    return 0


async def _demo(session: Any, departments: Departments, cpu: CpuThreads, *, out: TextIO) -> int:
    wanted = []
    for department in departments:
        first = next(iter(department.referents.values()), None)
        wanted += [
            (
                f"referent@{department.slug}{DEMO_DOMAIN_SUFFIX}",
                Role.REFERENT,
                first.id if first else None,
                department,
            ),
            (f"coordination@{department.slug}{DEMO_DOMAIN_SUFFIX}", Role.COORDINATOR, None,
             department),
        ]  # fmt: skip
    missing = [w for w in wanted if await account_by_login(session=session, login=w[0]) is None]
    await session.commit()  # the reads end: no transaction waits for the hash
    hashes = [await hash_password(cpu, DEMO_PASSWORD) for _ in missing]  # a salt each
    created = []
    for (login, role, referent_id, department), password_hash in zip(missing, hashes, strict=True):
        await add_account(
            session=session,
            login=login,
            display_name=f"{ROLE_LABELS[role]} ({department.name})",
            role=role,
            departments=[department.slug],
            password_hash=password_hash,
            referent_id=referent_id,
            now=datetime.now(UTC),
        )
        created.append(login)
    await session.commit()
    if created:
        out.write(f"comptes de démonstration créés : {', '.join(created)}\n")
    out.write(f"console : identifiants <role>@<département>.demo, mot de passe {DEMO_PASSWORD}\n")
    return 0
