"""`frontdoor report --department dac46 --period 2026-10`: the indicator table, in French.

Text on the terminal by default; `--format csv` or `xlsx` (the latter needs `--output`).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from frontdoor.core.department import Department
from frontdoor.core.indicators import IndicatorTable, Section
from frontdoor.departments import Departments
from frontdoor.indicators.export_csv import to_csv
from frontdoor.indicators.export_xlsx import to_xlsx
from frontdoor.indicators.formatting import departments_text, share_text, value_text
from frontdoor.indicators.periods import Period
from frontdoor.indicators.queries import indicator_table
from frontdoor.settings import Settings
from frontdoor.store.db import create_engine, session_maker

FORMATS = ("text", "csv", "xlsx")
LABEL_WIDTH = 64


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add `report` to the command's subparsers."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "report", help="the indicator table of one or several departments over a period"
    )
    parser.add_argument(
        "--department", action="append", default=[], help="department slug (repeat for several)"
    )
    parser.add_argument("--all", action="store_true", help="every department: the region")
    parser.add_argument(
        "--period", required=True, help='a month "2026-10", a quarter "2026-Q3" or a year "2026"'
    )
    parser.add_argument("--format", choices=FORMATS, default="text")
    parser.add_argument("--output", type=Path, help="write to this file instead of the terminal")
    return parser


async def run(
    args: argparse.Namespace,
    settings: Settings,
    departments: Departments,
    out: TextIO | None = None,
) -> int:
    out = out or sys.stdout
    chosen, problem = _chosen(args, departments)
    if problem is None:
        try:
            period = Period.parse(args.period)
        except ValueError as error:
            problem = f"période : {error}"
    if problem is None and args.format == "xlsx" and args.output is None:
        problem = "le format xlsx s'écrit dans un fichier : ajoutez --output FICHIER.xlsx"
    if problem is not None:
        sys.stderr.write(f"frontdoor report : {problem}\n")
        return 2
    engine = create_engine(settings.database_url)
    try:
        async with session_maker(engine)() as session:
            table = await indicator_table(session, departments=chosen, period=period)
    finally:
        await engine.dispose()
    if args.format == "xlsx":
        data = to_xlsx(table)
    elif args.format == "csv":
        data = to_csv(table)
    else:
        data = to_text(table).encode("utf-8")
    if args.output is None:
        out.write(data.decode("utf-8"))  # never the workbook: it needs --output (above)
    else:
        args.output.write_bytes(data)
    if args.output is not None:
        out.write(f"{args.output} : indicateurs de {table.period_label} écrits\n")
    return 0


def _chosen(
    args: argparse.Namespace, departments: Departments
) -> tuple[list[Department], str | None]:
    known = sorted(d.slug for d in departments)
    if args.all:
        return sorted(departments, key=lambda d: d.slug), None
    if not args.department:
        return [], "précisez --department SLUG (plusieurs fois si besoin) ou --all"
    chosen = []
    for slug in dict.fromkeys(args.department):
        department = departments.for_slug(slug)
        if department is None:
            return [], f"département inconnu « {slug} » (connus : {', '.join(known)})"
        chosen.append(department)
    return chosen, None


def to_text(table: IndicatorTable) -> str:
    """The table as a coordinator reads it in a terminal."""
    lines = [
        f"Indicateurs — {departments_text(table)}",
        f"Période : {table.period_label} — généré le {table.generated_at:%d/%m/%Y à %H:%M} (UTC)",
    ]
    for part, sections in (
        ("INDICATEURS NATIONAUX", table.national),
        ("INDICATEURS OPÉRATIONNELS", table.operational),
    ):
        lines += ["", part]
        lines += _sections(sections)
    return "\n".join(lines) + "\n"


def _sections(sections: Sequence[Section]) -> list[str]:
    lines: list[str] = []
    for section in sections:
        lines += ["", section.title]
        if section.note:
            lines.append(f"  ({section.note})")
        for line in section.lines:
            share = "" if line.share is None else share_text(line.share)
            lines.append(f"  {line.label:<{LABEL_WIDTH}}{value_text(line):>12}{share:>10}")
    return lines
