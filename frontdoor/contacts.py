"""Known contacts from a CSV a coordinator exports from a spreadsheet.

Columns (header required, any order, ';' or ','): number, name, referrer_type, and optionally
address (a secure mail address) and rpps (the 11-digit RPPS number) — or their French names
numero, nom, type, courriel. A row needs a number or an address. A bad line is reported with
its number and why, in French, and skipped; the console's form checks one contact the same
way (`checked_contact`).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field, replace

from frontdoor.core.mail_addresses import is_mail_address
from frontdoor.core.numbers import parse_phone
from frontdoor.core.referrers import REFERRERS, ReferrerType

_COLUMNS = {
    "number": "number", "numero": "number", "numéro": "number", "telephone": "number",
    "téléphone": "number", "address": "address", "courriel": "address", "mail": "address",
    "email": "address", "mssante": "address", "name": "name", "nom": "name",
    "referrer_type": "referrer_type",
    "type": "referrer_type", "type d'adresseur": "referrer_type", "rpps": "rpps",
}  # fmt: skip
_TYPES_BY_LABEL = {info.label.lower(): kind for kind, info in REFERRERS.items()}
_RPPS = re.compile(r"^\d{11}$")
MAX_NAME_CHARS = 200


@dataclass(kw_only=True, frozen=True)
class ContactRow:
    number: str | None
    address: str | None
    name: str
    referrer_type: ReferrerType
    rpps: str | None = None
    line: int = field(default=0, compare=False)  # of the file it was read from: not the contact


class ContactError(ValueError):
    """A contact that cannot be kept: the French message says why."""


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


def parse_contacts(text: str, region: str = "FR") -> tuple[list[ContactRow], list[ContactProblem]]:
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = next(reader, None)
    if header is None:
        return [], [ContactProblem(line=1, message="fichier vide")]
    columns = [_COLUMNS.get(h.strip().lower()) for h in header]
    missing = {"name", "referrer_type"} - set(columns)
    if not {"number", "address"} & set(columns):
        missing.add("number")
    if missing:
        return [], [
            ContactProblem(
                line=1, message=f"colonne(s) manquante(s) : {', '.join(sorted(missing))}"
            )
        ]
    rows: list[ContactRow] = []
    problems: list[ContactProblem] = []
    for line, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        record = {c: v.strip() for c, v in zip(columns, values, strict=False) if c}
        row = _row(record, line, problems, region)
        if row is not None:
            rows.append(row)
    return rows, problems


def _row(
    record: dict[str, str], line: int, problems: list[ContactProblem], region: str
) -> ContactRow | None:
    try:
        row = checked_contact(
            number=record.get("number", ""),
            address=record.get("address", ""),
            name=record.get("name", ""),
            referrer_type=record.get("referrer_type", ""),
            rpps=record.get("rpps", ""),
            region=region,
        )
        return replace(row, line=line)
    except ContactError as error:
        problems.append(ContactProblem(line=line, message=str(error)))
        return None


def checked_contact(
    *,
    number: str,
    address: str,
    name: str,
    referrer_type: str,
    rpps: str = "",
    region: str = "FR",
) -> ContactRow:
    """One contact as typed or read from a line: its number in E.164, its address in lower
    case, its referrer type by code or French label; ContactError saying what is wrong."""
    number, address, name, rpps = (
        number.strip(),
        address.strip().lower(),
        name.strip(),
        rpps.strip(),
    )
    if not number and not address:
        raise ContactError("ni numéro de téléphone ni adresse de messagerie")
    if address and not is_mail_address(address):
        raise ContactError("adresse de messagerie invalide")
    e164 = None
    if number:
        # Read in the department's territory (core.numbers.parse_phone): 0262… is La Réunion.
        e164 = parse_phone(number, region)
        if e164 is None:
            raise ContactError("numéro de téléphone invalide")
    if not name:
        raise ContactError("le nom est vide")
    if len(name) > MAX_NAME_CHARS:
        raise ContactError(f"le nom dépasse {MAX_NAME_CHARS} caractères")
    kind_text = referrer_type.strip().lower()
    kind = _TYPES_BY_LABEL.get(kind_text)
    if kind is None:
        try:
            kind = ReferrerType(kind_text)
        except ValueError:
            raise ContactError(f"type d'adresseur inconnu « {referrer_type.strip()} »") from None
    if rpps and not _RPPS.match(rpps):
        raise ContactError("le numéro RPPS a 11 chiffres")
    return ContactRow(
        number=e164, address=address or None, name=name, referrer_type=kind, rpps=rpps or None
    )
