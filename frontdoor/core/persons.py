"""A person's rights (access, portability, erasure): who is asked about, what matches them,
and what the preview of an erasure and its journal line say.

Matching is exact on the identifiers given: a number given matches only that number, an
address only that address; both given, either. A missing identifier never matches a row
that has none (a contact without a number is not "the person without a number").

A person named in requests (la personne concernée, often not the caller) is asked about by
name (`Named`): her folded family name and/or given names equal those typed, and her birth
date (or year) the one typed when one is; a file without a name is never found. Several
files found are listed, and the coordinator picks one: an erasure reaches one person (and
the files merged into hers), never all the namesakes.

Erasing a person named in requests: her file loses its traits (birth year, sex and links
stay for the indicators), and every request linked to her loses what was written or said in
it (notes, messages, attachments, recording), since any of it may name her; the requests
stay, counted. A request's caller is hers to lose too (their number, address and name become
pseudonyms: she, or someone close to her whose number points to her), except a professional
the department knows (`keeps_caller`): the GP's identity is not the patient's, and the GP
is erased only when the GP asks. Her non-oppositions and her file's events stay: they hold
kinds, stances, dates, accounts and the names of traits changed, never a value.

Erasing a caller (by number or address) reaches a person's file when the person is that
caller (`is_the_callers`): every request linked to her is one of the caller's, and in one of
them the caller said to be the person herself (referrer type "patient"): a patient who
called for herself and whose file was made from her calls. A file the caller only spoke
about (a GP's patient, a carer's mother), or that other callers' requests are linked to,
is not the caller's: it stays, the preview says so, and it is erased by her name.

What was said about her but never reached the store (a GP's SMS set aside in the outage
journal) has no link to her file: an erasure by her name reaches the texts that name her
(`names_person`: her family name and one of her given names, as words), and waits for those
not replayed yet, as an erasure by number waits for the caller's.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from frontdoor.core.person_identity import fold, name_key

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
    ("persons", "fiches"),
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


@dataclass(kw_only=True, frozen=True)
class Named:
    """Whom a coordinator asks about by name: her family name and/or given names as typed,
    and, to tell namesakes apart, her birth date or year."""

    family_name: str | None = None
    given_names: str | None = None
    birth_date: date | None = None
    birth_year: int | None = None

    def __post_init__(self) -> None:
        if not self.name_key:
            raise ValueError("a name is needed")

    @property
    def name_key(self) -> str:
        """The name folded as persons.name_key holds it (what the journal pseudonymises)."""
        return name_key(self.family_name, self.given_names) or ""

    def words(self) -> list[str]:
        """Every folded word typed: each is a whole word of a matching file's name_key."""
        return [*fold(self.family_name), *fold(self.given_names)]

    def match(
        self,
        *,
        family_name: str | None,
        given_names: str | None,
        birth_date: date | None,
        birth_year: int | None,
    ) -> bool:
        """Whether a file with these traits is the person asked about: each trait typed is
        hers, folded (case, accents, particles, hyphens); a trait not typed is not asked."""
        return (
            (not self.family_name or fold(family_name) == fold(self.family_name))
            and (not self.given_names or fold(given_names) == fold(self.given_names))
            and (self.birth_date is None or birth_date == self.birth_date)
            and (self.birth_year is None or birth_year == self.birth_year)
        )


def names_person(text: str, *, family_name: str | None, given_names: str | None) -> bool:
    """Whether a free text (an SMS, a transcription) names this person: every word of her
    family name and a word of her given names appear in it as words, folded. A file without
    both is never recognised in a text: a family name alone names a whole family."""
    family, given = fold(family_name), fold(given_names)
    if not family or not given:
        return False
    words = set(fold(text))
    return set(family) <= words and not words.isdisjoint(given)


def keeps_caller(
    *, number: str | None, address: str | None, professionals: Collection[str]
) -> bool:
    """Whether an erasure of a person named in a request leaves its caller alone: a caller
    whose number or address is a known professional's (`professionals`) is not hers."""
    return (number is not None and number in professionals) or (
        address is not None and address.lower() in professionals
    )


def is_the_callers(
    *, linked: Collection[int], callers: Collection[int], self_referred: Collection[int]
) -> bool:
    """Whether a person's file goes with a caller's erasure: the requests `linked` to her are
    all among the caller's (`callers`), and one of them is among those where the caller was
    the person herself (`self_referred`)."""
    return bool(linked) and set(linked) <= set(callers) and bool(set(linked) & set(self_referred))


def preview_digest(
    department: str, asked: Identifiers | int, rows: Iterable[tuple[str, object]]
) -> str:
    """A fingerprint of what an erasure will touch, as (table, id) pairs: the confirmation
    carries it, and an erasure whose rows changed meanwhile is asked again. `asked`: the
    identifiers, or the id of the person's file."""
    whom = (
        f"personne {asked}"
        if isinstance(asked, int)
        else f"{asked.number or ''}\0{asked.address or ''}"
    )
    digest = hashlib.sha256(f"{department}\0{whom}".encode())
    for table, row_id in sorted((table, str(row_id)) for table, row_id in rows):
        digest.update(f"\0{table}:{row_id}".encode())
    return digest.hexdigest()[:32]


def journal_detail(
    *,
    number: str | None = None,
    address: str | None = None,
    name: str | None = None,
    person_id: int | None = None,
    counts: Mapping[str, int],
) -> str:
    """What the audit journal keeps of a search, an export or an erasure: the identifiers as
    given to it (pseudonyms, never the number, address or name themselves; a person's file
    by its id) and how many rows."""
    asked = [
        f"numéro {number}" if number else "",
        f"adresse {address}" if address else "",
        f"nom {name}" if name else "",
        f"personne n° {person_id}" if person_id is not None else "",
    ]
    counted = ", ".join(f"{counts.get(name, 0)} {label}" for name, label in COUNTED)
    return f"{' '.join(part for part in asked if part)} : {counted}"[:DETAIL_CHARS]
