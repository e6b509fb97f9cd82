"""Known contacts from a CSV a coordinator exports from a spreadsheet.

Columns (header required, any order, ';' or ','): number, name, referrer_type — or their
French names numero, nom, type. A bad line is reported with its number and skipped.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import phonenumbers

from frontdoor.core.referrers import REFERRERS, ReferrerType

_COLUMNS = {
    "number": "number", "numero": "number", "numéro": "number", "telephone": "number",
    "téléphone": "number", "name": "name", "nom": "name", "referrer_type": "referrer_type",
    "type": "referrer_type", "type d'adresseur": "referrer_type",
}  # fmt: skip
_TYPES_BY_LABEL = {info.label.lower(): kind for kind, info in REFERRERS.items()}


@dataclass(kw_only=True, frozen=True)
class ContactRow:
    number: str
    name: str
    referrer_type: ReferrerType


@dataclass(kw_only=True, frozen=True)
class ContactProblem:
    line: int
    message: str


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252 as French spreadsheets write it."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def parse_contacts(text: str) -> tuple[list[ContactRow], list[ContactProblem]]:
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = next(reader, None)
    if header is None:
        return [], [ContactProblem(line=1, message="empty file")]
    columns = [_COLUMNS.get(h.strip().lower()) for h in header]
    missing = {"number", "name", "referrer_type"} - set(columns)
    if missing:
        return [], [
            ContactProblem(line=1, message=f"missing column(s): {', '.join(sorted(missing))}")
        ]
    rows: list[ContactRow] = []
    problems: list[ContactProblem] = []
    for line, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        record = {c: v.strip() for c, v in zip(columns, values, strict=False) if c}
        row = _row(record, line, problems)
        if row is not None:
            rows.append(row)
    return rows, problems


def _row(record: dict[str, str], line: int, problems: list[ContactProblem]) -> ContactRow | None:
    try:
        parsed = phonenumbers.parse(record.get("number", ""), "FR")
        valid = phonenumbers.is_valid_number(parsed)
    except phonenumbers.NumberParseException:
        valid = False
    if not valid:
        problems.append(ContactProblem(line=line, message="not a valid phone number"))
        return None
    name = record.get("name", "")
    if not name:
        problems.append(ContactProblem(line=line, message="name is empty"))
        return None
    kind_text = record.get("referrer_type", "").lower()
    kind = _TYPES_BY_LABEL.get(kind_text)
    if kind is None:
        try:
            kind = ReferrerType(kind_text)
        except ValueError:
            problems.append(
                ContactProblem(line=line, message=f"unknown referrer type {kind_text!r}")
            )
            return None
    return ContactRow(
        number=phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164),
        name=name,
        referrer_type=kind,
    )
