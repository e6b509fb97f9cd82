"""Known contacts from a CSV a coordinator exports from a spreadsheet.

Columns (header required, any order, ';' or ','): number, name, referrer_type, and optionally
address (a secure mail address) — or their French names numero, nom, type, courriel. A row
needs a number or an address. A bad line is reported with its number and skipped.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

import phonenumbers

from frontdoor.core.referrers import REFERRERS, ReferrerType

_COLUMNS = {
    "number": "number", "numero": "number", "numéro": "number", "telephone": "number",
    "téléphone": "number", "address": "address", "courriel": "address", "mail": "address",
    "email": "address", "mssante": "address", "name": "name", "nom": "name",
    "referrer_type": "referrer_type",
    "type": "referrer_type", "type d'adresseur": "referrer_type",
}  # fmt: skip
_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$")
_TYPES_BY_LABEL = {info.label.lower(): kind for kind, info in REFERRERS.items()}


@dataclass(kw_only=True, frozen=True)
class ContactRow:
    number: str | None
    address: str | None
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
    missing = {"name", "referrer_type"} - set(columns)
    if not {"number", "address"} & set(columns):
        missing.add("number")
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
    number, address = record.get("number", ""), record.get("address", "").lower()
    if not number and not address:
        problems.append(ContactProblem(line=line, message="neither a phone number nor an address"))
        return None
    if address and not _ADDRESS.match(address):
        problems.append(ContactProblem(line=line, message="not a valid mail address"))
        return None
    e164 = None
    if number:
        try:
            parsed = phonenumbers.parse(number, "FR")
            valid = phonenumbers.is_valid_number(parsed)
        except phonenumbers.NumberParseException:
            valid = False
        if not valid:
            problems.append(ContactProblem(line=line, message="not a valid phone number"))
            return None
        e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
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
        number=e164,
        address=address or None,
        name=name,
        referrer_type=kind,
    )
