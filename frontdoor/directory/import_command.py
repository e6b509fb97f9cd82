"""`frontdoor directory import KIND FILE [--departement 46 …]`: fill the directory from a file.

KIND is `finess` (the state's extract, legacy or with a header line; `--geolocalisation`
names the separate file of its coordinates), `hsds` (Open Referral: a .json file, or a folder
holding the CSV package), `ror` (the Répertoire Opérationnel des Ressources' FHIR offer: a
Bundle in JSON, or NDJSON) or `csv` (the coordinators' spreadsheet). Prints a counter on stderr
while writing, then the summary and each problem, in French.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from frontdoor.directory.imported import ImportedResource, ImportProblem
from frontdoor.directory.importers.finess import parse_finess
from frontdoor.directory.importers.hsds import parse_hsds_json, parse_hsds_package
from frontdoor.directory.importers.plain_csv import parse_plain_csv
from frontdoor.directory.importers.ror import parse_ror
from frontdoor.directory.store import upsert_resources
from frontdoor.settings import Settings
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.migrate import upgrade

KINDS = ("finess", "hsds", "ror", "csv")
Parsed = tuple[list[ImportedResource], list[ImportProblem]]


def add_parser(subparsers: Any) -> None:
    """Add `import` to the subparsers of the `directory` command."""
    parser = subparsers.add_parser(
        "import", help="import resources: FINESS extract, Open Referral HSDS, ROR FHIR, or the CSV"
    )
    parser.add_argument("kind", choices=KINDS, help="format of the file")
    parser.add_argument("file", type=Path, help="the file (or, for hsds, the CSV folder)")
    parser.add_argument(
        "--departement",
        dest="departements",
        action="append",
        metavar="CODE",
        help="keep only this département (repeatable): --departement 46 --departement 57",
    )
    parser.add_argument(
        "--geolocalisation",
        dest="geolocation",
        type=Path,
        metavar="FILE",
        help="finess: the separate file of the establishments' coordinates (nofinesset;coordxet;…)",
    )


async def run(
    args: argparse.Namespace,
    settings: Settings,
    *,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
) -> int:
    path: Path = args.file
    departements = set(args.departements or ())
    try:
        resources, problems = await asyncio.to_thread(
            _parse, args.kind, path, departements, args.geolocation
        )
    except OSError as error:
        err.write(f"{error.filename or path} : lecture impossible ({error.strerror or error})\n")
        return 1

    def show_progress(done: int) -> None:
        err.write(f"\r{done} / {len(resources)} ressources")

    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
        async with session_maker(engine)() as session:
            summary = await upsert_resources(
                session=session,
                resources=resources,
                now=datetime.now(UTC),
                progress=show_progress,
            )
            await session.commit()
    finally:
        await engine.dispose()
    if resources:
        err.write("\n")
    out.write(f"{path.name} : {summary}, {len(problems)} problème(s) de lecture\n")
    for problem in [*problems, *summary.skipped]:
        out.write(f"  {problem}\n")
    imported = summary.created + summary.updated + summary.unchanged
    return 0 if imported else 1


def _parse(kind: str, path: Path, departements: set[str], geolocation: Path | None) -> Parsed:
    if kind == "finess":
        return parse_finess(
            path.read_bytes(),
            departements=departements or None,
            geolocation=geolocation.read_bytes() if geolocation else None,
        )
    if kind == "hsds" and path.is_dir():
        files = {p.name: p.read_bytes() for p in sorted(path.iterdir()) if p.suffix == ".csv"}
        parsed = parse_hsds_package(files)
    elif kind == "hsds":
        parsed = parse_hsds_json(path.read_bytes())
    elif kind == "ror":
        parsed = parse_ror(path.read_bytes())
    else:
        parsed = parse_plain_csv(path.read_bytes())
    resources, problems = parsed
    if departements:
        resources = [r for r in resources if r.departement in departements]
    return resources, problems
