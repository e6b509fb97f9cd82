"""`frontdoor` command line: serve, check, migrate, call, contacts (and their RPPS import),
report."""

from __future__ import annotations

import argparse
import asyncio
import errno
import gc
import logging
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
from aiohttp import web

from frontdoor import rpps_command
from frontdoor import serve_workers as workers_command
from frontdoor.console import accounts_command
from frontdoor.core.calendar import WEEKDAY_NAMES_FR
from frontdoor.core.dates import DateRefused, parse_local
from frontdoor.core.department import Department
from frontdoor.core.roster import duty_gaps
from frontdoor.department_file.load import ConfigError, load_departments
from frontdoor.departments import Departments
from frontdoor.directory import import_command, search_command
from frontdoor.environment import unknown_variables, unknown_variables_text
from frontdoor.events import command as events_command
from frontdoor.indicators import figures_command, report_command
from frontdoor.logs import PathOnlyAccessLogger, configure_logging
from frontdoor.settings import DEVELOPMENT_ACCOUNT_SID, Settings
from frontdoor.store.accounts import demo_logins
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.migrate import upgrade
from frontdoor.unsafe_settings import refusal_text, unsafe_settings

GAP_HORIZON = timedelta(days=14)
MAX_WORKERS = workers_command.MAX_WORKERS


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="frontdoor", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="migrate the database, then answer webhooks")
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="worker processes sharing the port (SO_REUSEPORT), each an instance of its own "
        "(default: 1; see deploy/README.md)",
    )
    commands.add_parser("migrate", help="bring the database schema up to date")
    check = commands.add_parser(
        "check", help="validate department files and show uncovered opening hours"
    )
    check.add_argument("--from", dest="starts", help="start of the 14-day look-ahead (local)")

    call = commands.add_parser("call", help="place a call on the running service, as Twilio would")
    call.add_argument("department", nargs="?", help="slug or number called (default: the first)")
    call.add_argument("--from", dest="caller", default="+33612345678", help="caller's number")
    call.add_argument("--at", help='local time of the call in the department, "2026-05-14 19:05"')
    call.add_argument("--url", help="where the service listens (default: FRONTDOOR_HOST/PORT)")
    call.add_argument(
        "--transfer",
        metavar="TARGET",
        help="offer the referent who takes the call to transfer it (cold) to TARGET: a "
        'colleague\'s id ("bleroy"), or "ligne:" and the [overflow] line\'s number',
    )

    contacts = commands.add_parser("contacts", help="known contacts of a department")
    contacts_commands = contacts.add_subparsers(dest="contacts_command", required=True)
    contacts_import = contacts_commands.add_parser("import", help="import a CSV file")
    contacts_import.add_argument("department", help="department slug, e.g. dac46")
    contacts_import.add_argument("file", type=Path)
    rpps_command.add_parser(contacts_commands)

    roster = commands.add_parser("roster", help="duty rota of a department")
    roster_commands = roster.add_subparsers(dest="roster_command", required=True)
    roster_import = roster_commands.add_parser(
        "import", help="import an iCalendar file: each event naming a referent puts them on duty"
    )
    roster_import.add_argument("department", help="department slug, e.g. dac46")
    roster_import.add_argument("file", type=Path)

    directory = commands.add_parser("directory", help="the territory's resource directory")
    directory_commands = directory.add_subparsers(dest="directory_command", required=True)
    import_command.add_parser(directory_commands)
    search_command.add_parser(directory_commands)

    accounts_command.add_parser(commands)
    report_command.add_parser(commands)
    figures_command.add_parser(commands)
    events_command.add_parser(commands)

    args = parser.parse_args(argv)
    if unknown := unknown_variables(os.environ):  # before anything reads the database
        print(unknown_variables_text(unknown), file=sys.stderr)
        return 2
    settings = Settings()
    configure_logging(settings.log_level, settings.log_format)
    if args.command == "migrate":
        asyncio.run(_migrate(settings))
        print("database schema is up to date")
        return 0
    if args.command == "directory":
        return asyncio.run(_directory(args, settings))
    departments = _departments_or_report(settings)
    if departments is None:
        return 2
    if args.command == "check":
        return _check(departments, args.starts)
    if args.command == "accounts":
        return asyncio.run(
            accounts_command.run(args, settings, departments, out=sys.stdout, err=sys.stderr)
        )
    if args.command == "serve":
        return _serve(settings, departments, workers=args.workers)
    if args.command == "call":
        return _call(settings, departments, args)
    if args.command == "report":
        return asyncio.run(_report(args, settings, departments))
    if args.command == "figures":
        return asyncio.run(_figures(args, settings, departments))
    if args.command == "events":
        return asyncio.run(events_command.run(args, settings, departments))
    if args.command == "roster":
        return asyncio.run(
            _import_roster(settings, departments, args.department, args.file.name,
                           args.file.read_bytes())
        )  # fmt: skip
    if args.contacts_command == "import-rpps":
        return asyncio.run(rpps_command.run(args, settings, departments))
    return asyncio.run(
        _import_contacts(
            settings, departments, args.department, args.file.name, args.file.read_bytes()
        )
    )


async def _report(args: argparse.Namespace, settings: Settings, departments: Departments) -> int:
    await _migrate(settings)
    return await report_command.run(args, settings, departments)


async def _figures(args: argparse.Namespace, settings: Settings, departments: Departments) -> int:
    await _migrate(settings)
    return await figures_command.run(args, settings, departments)


async def _directory(args: argparse.Namespace, settings: Settings) -> int:
    if args.directory_command == "import":
        return await import_command.run(args, settings)
    return await search_command.run(args, settings)


def _departments_or_report(settings: Settings) -> Departments | None:
    try:
        return Departments(load_departments(settings.flows_dir, settings.prompts_path).values())
    except ConfigError as error:
        print(f"{len(error.problems)} problem(s) in the department files:", file=sys.stderr)
        for problem in error.problems:
            print(f"  {problem}", file=sys.stderr)
        return None


def _check(departments: Departments, starts_text: str | None) -> int:
    for department in departments:
        tz = department.calendar.timezone
        try:
            starts = (
                parse_local(starts_text, tz) if starts_text else datetime.now(UTC).astimezone(tz)
            )
        except DateRefused as refused:
            print(f"--from: {refused}", file=sys.stderr)
            return 2
        gaps = duty_gaps(department.calendar, department.roster, starts, starts + GAP_HORIZON)
        print(f"{department.slug} ({department.name}, {department.number}) : fichier valide")
        if gaps:
            print(f"  personne de permanence dans les {GAP_HORIZON.days} prochains jours :")
            for gap in gaps:
                day = WEEKDAY_NAMES_FR[gap.starts.weekday()]
                print(f"    {day} {gap.starts:%d/%m %H:%M} – {gap.ends:%H:%M}")
    return 0


async def _migrate(settings: Settings) -> None:
    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


def _serve(settings: Settings, departments: Departments, *, workers: int = 1) -> int:
    if not 1 <= workers <= MAX_WORKERS:
        print(f"--workers: 1 to {MAX_WORKERS}", file=sys.stderr)
        return 2
    if problems := unsafe_settings(settings):  # before anything is written
        print(refusal_text(problems), file=sys.stderr)
        return 2
    asyncio.run(_migrate(settings))
    if problems := unsafe_settings(settings, demo_accounts=asyncio.run(_demo_logins(settings))):
        print(refusal_text(problems), file=sys.stderr)
        return 2
    names = ", ".join(f"{d.slug} ({d.number})" for d in departments)
    print(f"Frontdoor answers {names} on http://{settings.host}:{settings.port}")
    if settings.dev_mode:
        print(
            "Development mode (FRONTDOOR_DEV_MODE): development secrets, simulated time and "
            "demonstration accounts are accepted. Never in production.",
            file=sys.stderr,
        )
    if workers == 1:
        return _run_instance(settings, departments, reuse_port=False)
    return workers_command.serve(
        workers,
        lambda index: _run_instance(
            workers_command.worker_settings(settings, index), departments, reuse_port=True
        ),
    )


def _run_instance(settings: Settings, departments: Departments, *, reuse_port: bool) -> int:
    from frontdoor.web.app import create_app

    _tune_garbage_collector()
    try:
        web.run_app(
            create_app(settings, departments),
            host=settings.host,
            port=settings.port,
            reuse_port=reuse_port or None,
            print=None,
            access_log=logging.getLogger("aiohttp.access") if settings.access_log else None,
            access_log_class=PathOnlyAccessLogger,
        )
    except OSError as error:  # the address: a port already taken, a host not of this machine
        print(cannot_listen_text(settings, error), file=sys.stderr)
        return 1
    return 0


def cannot_listen_text(settings: Settings, error: OSError) -> str:
    where = f"{settings.host}:{settings.port}"
    if error.errno == errno.EADDRINUSE:
        return (
            f"Le port {settings.port} est déjà pris sur {settings.host} (un autre frontdoor "
            "serve ?) : arrêtez-le, ou choisissez un autre port avec FRONTDOOR_PORT."
        )
    return (
        f"Frontdoor ne peut pas écouter sur {where} ({error.strerror or type(error).__name__}) :"
        " changez FRONTDOOR_HOST ou FRONTDOOR_PORT."
    )


async def _demo_logins(settings: Settings) -> list[str]:
    engine = create_engine(settings.database_url)
    try:
        async with session_maker(engine)() as session:
            return await demo_logins(session=session)
    finally:
        await engine.dispose()


def _tune_garbage_collector() -> None:
    """Fewer, shorter collections: webhooks allocate many short-lived objects, and a full
    collection over the long-lived ones (settings, departments, SQLAlchemy's caches) stalls
    every call in flight. Halves the p99 latency under load (bench/README.md)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 50, 1_000)


def _lines_named(department: Department) -> dict[str, str]:
    """How the terminal phone names the numbers it rings that are no referent's."""
    line = department.overflow
    if line is None:
        return {}
    return {line.number: f"ligne de débordement {line.number} ({line.label})"}


def _call(settings: Settings, departments: Departments, args: argparse.Namespace) -> int:
    from frontdoor.phone import terminal_call

    wanted = args.department
    department = next(iter(departments))
    if wanted:
        found = departments.for_slug(wanted) or departments.for_number(wanted)
        if found is None:
            print(f"no department {wanted!r}", file=sys.stderr)
            return 2
        department = found
    at = None
    if args.at:
        try:
            at = parse_local(args.at, department.calendar.timezone)
        except DateRefused as refused:
            print(f"--at: {refused}", file=sys.stderr)
            return 2
    base_url = args.url or f"http://{settings.host}:{settings.port}"
    try:
        asyncio.run(
            terminal_call(
                base_url=base_url,
                # A service reached at --url checks signatures against its own address, unless
                # a public URL is set for both.
                public_url=(settings.public_url_setting or base_url).rstrip("/"),
                auth_token=settings.twilio_auth_token.get_secret_value(),
                # The account the development mode's stand-in for Twilio holds the recordings
                # of (frontdoor.standins.running).
                account_sid=settings.twilio_account_sid or DEVELOPMENT_ACCOUNT_SID,
                from_=args.caller,
                to=department.number,
                at=at,
                lines=_lines_named(department),
                transfer_to=(department, args.transfer) if args.transfer else None,
            )
        )
    except aiohttp.ClientConnectorError:
        print(
            f"Aucun service ne répond sur {base_url} : lancez d'abord ./dev serve "
            "(ou donnez son adresse avec --url).",
            file=sys.stderr,
        )
        return 1
    return 0


async def _import_contacts(
    settings: Settings, departments: Departments, slug: str, file_name: str, data: bytes
) -> int:
    from frontdoor.contacts import decode, parse_contacts
    from frontdoor.store.contacts import import_contacts

    department = departments.for_slug(slug)
    if department is None:
        print(f"no department {slug!r}", file=sys.stderr)
        return 2
    rows, problems = parse_contacts(decode(data), department.phone_region)
    await _migrate(settings)
    engine = create_engine(settings.database_url)
    try:
        async with session_maker(engine)() as session:
            imported = await import_contacts(session=session, department=slug, rows=rows)
            await session.commit()
    finally:
        await engine.dispose()
    problems = sorted([*problems, *imported.refused], key=lambda problem: problem.line)
    for problem in problems:
        print(f"{file_name} : ligne {problem.line} : {problem.message}", file=sys.stderr)
    print(
        f"{slug} : {imported.created} contact(s) créé(s), {imported.updated} mis à jour, "
        f"{len(problems)} ligne(s) écartée(s)"
    )
    kept = imported.created + imported.updated
    return 1 if problems and not kept else 0


async def _import_roster(
    settings: Settings, departments: Departments, slug: str, file_name: str, data: bytes
) -> int:
    from frontdoor.cpu import CpuProcesses
    from frontdoor.roster_import import IMPORT_WINDOW, import_calendar

    department = departments.for_slug(slug)
    if department is None:
        print(f"no department {slug!r}", file=sys.stderr)
        return 2
    await _migrate(settings)
    engine = create_engine(settings.database_url)
    processes = CpuProcesses(workers=1)
    try:
        async with session_maker(engine)() as session:
            parsed, stored = await import_calendar(
                session=session,
                processes=processes,
                department=department,
                text=data.decode("utf-8", errors="replace"),
                source=f"ical:{file_name}",
                now=datetime.now(UTC),
            )
            await session.commit()
    finally:
        processes.close()
        await engine.dispose()
    for problem in parsed.problems:
        print(f"{file_name}: {problem}", file=sys.stderr)
    print(
        f"{slug}: {stored} période(s) de permanence importée(s) pour les "
        f"{IMPORT_WINDOW.days} prochains jours, {len(parsed.problems)} problème(s) ; "
        f"appliquées par chaque instance en {settings.store_copies_refresh_s:g} s au plus"
    )
    return 1 if parsed.problems and not stored else 0


if __name__ == "__main__":
    sys.exit(main())
