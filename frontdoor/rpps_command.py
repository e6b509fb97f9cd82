"""`frontdoor contacts import-rpps DEPARTMENT FILE [--mssante FILE]`: the territory's
professionals from the Annuaire Santé's public extractions, as known contacts.

FILE is `PS_LibreAcces_Personne_activite_*.txt`, `--mssante` the
`Extraction_Correspondance_MSSante_*.txt` of the same day. Only the professionals practising
in the department's territory (its `territory` départements) are kept. Prints a counter on
stderr while writing, then the summary and each line refused, in French.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from frontdoor.core.rpps import (
    LineProblem,
    Mailbox,
    Territory,
    parse_activities,
    parse_mailboxes,
    territory_professionals,
)
from frontdoor.departments import Department, Departments
from frontdoor.settings import Settings
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.migrate import upgrade
from frontdoor.store.rpps import RppsImported, count_territory_gps, import_professionals


def add_parser(contacts_commands: Any) -> None:
    """Add `import-rpps` to the subparsers of the `contacts` command."""
    parser = contacts_commands.add_parser(
        "import-rpps", help="import the territory's professionals from the RPPS extraction"
    )
    parser.add_argument("department", help="the department's slug, e.g. dac46")
    parser.add_argument("file", type=Path, help="PS_LibreAcces_Personne_activite_*.txt")
    parser.add_argument(
        "--mssante", type=Path, help="Extraction_Correspondance_MSSante_*.txt (addresses)"
    )
    parser.add_argument(
        "--annee",
        dest="year",
        type=int,
        help="the year the territory's GP count is for (indicator 6); default: this year",
    )


READ_PROGRESS_EVERY = 100_000  # lines: the national activities file has about two million


def _lines(path: Path, err: TextIO) -> Iterator[str]:
    """The file's lines, a counter on `err` as they are read."""
    with path.open(encoding="utf-8-sig", errors="replace") as text:
        count = 0
        for line in text:
            count += 1
            if count % READ_PROGRESS_EVERY == 0:
                err.write(f"\r{path.name} : {count} lignes lues")
            yield line
        if count >= READ_PROGRESS_EVERY:
            err.write(f"\r{path.name} : {count} lignes lues\n")


def _read(
    department: Department, path: Path, mssante: Path | None, err: TextIO
) -> tuple[Territory, list[tuple[str, LineProblem]]]:
    """The territory's professionals, and each problem with its file's name."""
    territory = department.territory
    activities, problems = parse_activities(
        _lines(path, err), department.phone_region, territory=territory
    )
    refused = [(path.name, problem) for problem in problems]
    boxes: list[Mailbox] = []
    if mssante is not None:
        wanted = {a.rpps for a in activities if a.rpps is not None}
        boxes, box_problems = parse_mailboxes(_lines(mssante, err), wanted)
        refused += [(mssante.name, problem) for problem in box_problems]
    return territory_professionals(activities, boxes, territory), refused


async def run(
    args: argparse.Namespace,
    settings: Settings,
    departments: Departments,
    *,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    department = departments.for_slug(args.department)
    if department is None:
        err.write(f"département inconnu : {args.department}\n")
        return 2
    try:
        found, refused = await asyncio.to_thread(_read, department, args.file, args.mssante, err)
    except OSError as error:
        err.write(f"{error.filename} : lecture impossible ({error.strerror or error})\n")
        return 1
    if any(problem.line == 1 for _, problem in refused):  # a header: the file is refused
        for name, problem in refused:
            err.write(f"{name} : {problem}\n")
        err.write("fichier refusé : rien n'a été importé\n")
        return 1

    def show_progress(done: int) -> None:
        err.write(f"\r{done} / {len(found.professionals)} professionnels")

    now = datetime.now(UTC)
    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
        async with session_maker(engine)() as session:
            imported = await import_professionals(
                session=session,
                department=department.slug,
                professionals=found.professionals,
                progress=show_progress,
            )
            counted = await count_territory_gps(
                session=session,
                department=department.slug,
                year=args.year or now.astimezone(department.calendar.timezone).year,
                gps=found.gps,
                source=f"extraction RPPS {args.file.name}",
                at=now,
            )
            await session.commit()
    finally:
        await engine.dispose()
    if found.professionals:
        err.write("\n")
    out.write(summary(department.slug, found, imported, counted=counted, refused=len(refused)))
    for name, problem in refused:
        out.write(f"  {name} : {problem}\n")
    return 0


def summary(
    slug: str, found: Territory, imported: RppsImported, *, counted: bool, refused: int
) -> str:
    """The French summary of an import."""
    lines = [
        f"{slug} : {found.in_territory} professionnel(s) exerçant sur le territoire, dont "
        f"{found.gps} médecin(s) généraliste(s)",
        f"  {imported.created} contact(s) créé(s), {imported.updated} mis à jour, "
        f"{imported.unchanged} inchangé(s), {imported.kept_local} modifié(s) localement et "
        "laissé(s) tel(s) quel(s)",
    ]
    if found.shared_numbers:
        lines.append(
            f"  {found.shared_numbers} numéro(s) partagé(s) par plusieurs professionnels "
            "(cabinet de groupe) : personne n'est reconnu par ces numéros"
        )
    if imported.without_number or imported.without_address:
        lines.append(
            f"  {imported.without_number} numéro(s) et {imported.without_address} adresse(s) "
            "déjà celui ou celle d'un autre contact : laissé(s) à ce contact"
        )
    if imported.absent:
        lines.append(
            f"  {imported.absent} contact(s) d'un import précédent absent(s) de celui-ci "
            "(plus sur le territoire, ou sans numéro ni adresse propre) : conservé(s), à "
            "vérifier dans la console"
        )
    if found.adeli_lines:
        lines.append(f"  {found.adeli_lines} ligne(s) ADELI sans numéro RPPS : non importée(s)")
    lines.append(
        f"  médecins généralistes du territoire (indicateur 6) : {found.gps}"
        if counted
        else "  médecins généralistes du territoire (indicateur 6) : le nombre saisi à la main "
        "est conservé"
    )
    lines.append(f"  {refused} ligne(s) refusée(s)")
    return "\n".join(lines) + "\n"
