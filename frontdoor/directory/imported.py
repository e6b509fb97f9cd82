"""What an importer makes of a record: a resource ready to store, or a problem to report.

Each importer (FINESS, Open Referral HSDS, the ROR's FHIR offer, the coordinators' CSV) is
pure: text in, `(resources, problems)` out. The helpers here are the checks they share.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from frontdoor.core.numbers import parse_phone
from frontdoor.core.taxonomy import Category

_POSTAL_CODE = re.compile(r"^\d{5}$")
_INSEE_CODE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$")
# Départements d'outre-mer: INSEE codes start with three digits.
_OVERSEAS = ("971", "972", "973", "974", "975", "976", "977", "978")


@dataclass(kw_only=True, frozen=True)
class ImportedResource:
    """The fields of a `Resource` an importer fills; the store adds the rest."""

    source: str  # "finess", "hsds", "ror", "csv"
    source_id: str
    name: str
    category: Category
    finess_category: str | None = None
    finess: str | None = None  # the structure's FINESS number (établissement géographique)
    address: str | None = None
    postal_code: str | None = None
    commune_insee: str | None = None
    commune_name: str | None = None
    departement: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    phones: tuple[str, ...] = ()  # E.164
    email: str | None = None
    website: str | None = None
    hours_text: str | None = None
    serves_communes: tuple[str, ...] = ()  # INSEE codes
    audience: str = "public"  # "public" or "professionals"
    checked_at: date | None = None


@dataclass(frozen=True)
class ImportProblem:
    """A record that was not imported (or not as given), and why, in French."""

    line: int | None
    record: str | None
    message: str

    def __str__(self) -> str:
        if self.line is not None:
            return f"ligne {self.line} : {self.message}"
        if self.record:
            return f"{self.record} : {self.message}"
        return self.message


def decode(data: bytes | str) -> str:
    """UTF-8 (with or without BOM), else Windows-1252, as French spreadsheets and the state
    write it (Windows-1252 is Latin-1 plus a few printable characters)."""
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def e164(raw: str, region: str = "FR") -> str | None:
    """ "05 65 34 12 00" → "+33565341200"; None when it is not a valid number."""
    # The ten-digit plan is shared: "02 62 …" is La Réunion's wherever it is typed.
    return parse_phone(raw, region) if raw.strip() else None


def is_postal_code(text: str) -> bool:
    return bool(_POSTAL_CODE.match(text))


def is_insee_code(text: str) -> bool:
    return bool(_INSEE_CODE.match(text))


def departement_of(*, insee: str | None = None, postal_code: str | None = None) -> str | None:
    """The département of a commune: from its INSEE code, else (less surely) its postal code."""
    if insee and is_insee_code(insee):
        return insee[:3] if insee.startswith(_OVERSEAS) else insee[:2]
    if postal_code and is_postal_code(postal_code):
        if postal_code.startswith(_OVERSEAS):
            return postal_code[:3]
        if postal_code.startswith("20"):  # Corse: 200xx-201xx Corse-du-Sud, else Haute-Corse
            return "2A" if postal_code[:3] in {"200", "201"} else "2B"
        return postal_code[:2]
    return None


def optional(text: str | None) -> str | None:
    """Stripped text, or None when empty."""
    if text is None:
        return None
    stripped = " ".join(text.split())
    return stripped or None


def parse_day(text: str) -> date | None:
    """ "31/01/2026", "2026-01-31" or "2026-01-31T10:00:00Z" → a date; ValueError otherwise."""
    value = text.strip()
    if not value:
        return None
    if re.match(r"^\d{1,2}/\d{1,2}/\d{4}$", value):
        day, month, year = (int(part) for part in value.split("/"))
        return date(year, month, day)
    return date.fromisoformat(value[:10])
