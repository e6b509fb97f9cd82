"""A person's rights (access, portability, erasure): who is asked about, what matches them,
and what the preview of an erasure and its journal line say.

Matching is exact on the identifiers given: a number given matches only that number, an
address only that address; both given, either. A missing identifier never matches a row
that has none (a contact without a number is not "the person without a number").
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# What the journal of an erasure, an export or a search counts, and how it says it.
COUNTED = (
    ("requests", "demandes"),
    ("contacts", "contacts connus"),
    ("messages", "messages"),
    ("notes", "notes"),
    ("attachments", "pièces jointes"),
    ("outbox", "envois"),
    ("tasks", "rappels"),
    ("opt_outs", "STOP"),
)
DETAIL_CHARS = 200  # the audit journal's detail column


@dataclass(kw_only=True, frozen=True)
class Identifiers:
    """Whom a coordinator asks about: a number (E.164), a mail address (lower case), or both."""

    number: str | None = None
    address: str | None = None

    def __post_init__(self) -> None:
        if not self.number and not self.address:
            raise ValueError("a number or an address is needed")

    def match(self, *, number: str | None, address: str | None) -> bool:
        """Whether a row holding this number and this address is the person's."""
        return (self.number is not None and number == self.number) or (
            self.address is not None and address == self.address
        )


def preview_digest(department: str, who: Identifiers, rows: Iterable[tuple[str, object]]) -> str:
    """A fingerprint of what an erasure will touch, as (table, id) pairs: the confirmation
    carries it, and an erasure whose rows changed meanwhile is asked again."""
    digest = hashlib.sha256(f"{department}\0{who.number or ''}\0{who.address or ''}".encode())
    for table, row_id in sorted((table, str(row_id)) for table, row_id in rows):
        digest.update(f"\0{table}:{row_id}".encode())
    return digest.hexdigest()[:32]


def journal_detail(*, number: str | None, address: str | None, counts: Mapping[str, int]) -> str:
    """What the audit journal keeps of a search, an export or an erasure: the identifiers as
    given to it (pseudonyms, never the number or address themselves) and how many rows."""
    asked = [f"numéro {number}" if number else "", f"adresse {address}" if address else ""]
    counted = ", ".join(f"{counts.get(name, 0)} {label}" for name, label in COUNTED)
    return f"{' '.join(part for part in asked if part)} : {counted}"[:DETAIL_CHARS]
