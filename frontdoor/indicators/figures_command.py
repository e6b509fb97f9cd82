"""`frontdoor figures import-gps FILE`: the territory's GP counts (the denominator of the GP
share), one line per department and year, with the count's source.

    departement;annee;medecins_generalistes;source
    dac46;2026;182;extraction RPPS 2026-10

The source column is optional: `--source` gives it for every line, else "import <file>".
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from frontdoor.core.figures import parse_gp_counts
from frontdoor.departments import Departments
from frontdoor.settings import Settings
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.figures import import_gp_counts


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add `figures` to the command's subparsers."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "figures", help="figures entered per department and year (the territory's GPs)"
    )
    commands = parser.add_subparsers(dest="figures_command", required=True)
    gps = commands.add_parser(
        "import-gps", help="import the territory's GP counts from a CSV count file"
    )
    gps.add_argument("file", type=Path)
    gps.add_argument("--source", help='where the counts come from, e.g. "RPPS extraction 2026-10"')
    return parser


async def run(
    args: argparse.Namespace,
    settings: Settings,
    departments: Departments,
    out: TextIO | None = None,
) -> int:
    out = out or sys.stdout
    try:
        text = args.file.read_bytes().decode("utf-8-sig")
        counts = parse_gp_counts(text, default_source=args.source or f"import {args.file.name}")
    except (OSError, UnicodeDecodeError, ValueError) as error:
        sys.stderr.write(f"frontdoor figures : {args.file.name} : {error}\n")
        return 2
    unknown = sorted({c.department for c in counts if departments.for_slug(c.department) is None})
    if unknown:
        sys.stderr.write(f"frontdoor figures : département(s) inconnu(s) : {', '.join(unknown)}\n")
        return 2
    engine = create_engine(settings.database_url)
    try:
        async with session_maker(engine)() as session:
            await import_gp_counts(
                session, counts=counts, by=f"cli:{args.file.name}", at=datetime.now(UTC)
            )
    finally:
        await engine.dispose()
    for count in counts:
        out.write(
            f"{count.department} {count.year} : {count.count} médecins généralistes "
            f"(source : {count.source})\n"
        )
    return 0
