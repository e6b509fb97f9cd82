"""The communes search knows: names, postal codes and reference points (directory/communes.csv).

The reference file gives, for each commune, its INSEE code, name, postal codes and a point
(its centre). A postal code shared by several communes stands for the first of them in the
file (list the commune whose name the post office uses first). A postal code missing from
the file is placed from the directory itself: the commune with the most resources under
that postal code, at the mean of their coordinates.
"""

from __future__ import annotations

import csv
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from pathlib import Path

from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from frontdoor.core.directory_search import CommuneRef, DirectoryQuery, Vocabulary
from frontdoor.core.directory_text import normalized
from frontdoor.store.models import Resource

# The reference files installed with the package (the repository's directory/communes.csv
# and directory/synonyms.toml, package data).
COMMUNES_FILE = Path(str(files("frontdoor.directory") / "communes.csv"))
SYNONYMS_FILE = Path(str(files("frontdoor.directory") / "synonyms.toml"))


@dataclass(kw_only=True, frozen=True)
class CommuneIndex:
    by_insee: dict[str, CommuneRef] = field(default_factory=dict)
    by_name: dict[str, CommuneRef] = field(default_factory=dict)  # normalised name
    by_postal_code: dict[str, CommuneRef] = field(default_factory=dict)

    @classmethod
    def of(cls, communes: Iterable[CommuneRef]) -> CommuneIndex:
        index = cls()
        for commune in communes:
            index.by_insee.setdefault(commune.insee, commune)
            index.by_name.setdefault(normalized(commune.name), commune)
            for code in commune.postal_codes:
                index.by_postal_code.setdefault(code, commune)
        return index

    def find(self, text: str) -> CommuneRef | None:
        """By INSEE code, postal code or name ("46102", "46100", "Figeac", "saint cere")."""
        text = text.strip()
        return (
            self.by_insee.get(text)
            or self.by_postal_code.get(text)
            or self.by_name.get(normalized(text))
        )


def read_communes(path: Path) -> list[CommuneRef]:
    with path.open(encoding="utf-8", newline="") as file:
        return [
            CommuneRef(
                insee=row["insee"].strip(),
                name=row["name"].strip(),
                postal_codes=tuple(row["postal_codes"].split()),
                latitude=float(row["latitude"]),
                longitude=float(row["longitude"]),
            )
            for row in csv.DictReader(file)
        ]


@cache
def default_communes() -> CommuneIndex:
    """The communes shipped in directory/communes.csv (read once)."""
    return CommuneIndex.of(read_communes(COMMUNES_FILE))


def read_synonyms(path: Path) -> dict[str, list[str]]:
    """directory/synonyms.toml: category value → the phrases that mean it."""
    with path.open("rb") as file:
        table = tomllib.load(file).get("synonyms", {})
    return {str(k): [str(p) for p in v] for k, v in table.items()}


_VOCABULARIES: dict[int, Vocabulary] = {}


def vocabulary_for(communes: CommuneIndex) -> Vocabulary:
    """Synonyms and the communes' names, built once per commune index."""
    key = id(communes)
    if key not in _VOCABULARIES:
        synonyms = read_synonyms(SYNONYMS_FILE)
        names = (c.name for c in communes.by_insee.values())
        _VOCABULARIES[key] = Vocabulary.build(synonyms, names)
    return _VOCABULARIES[key]


async def commune_ref(
    session: AsyncSession, query: DirectoryQuery, communes: CommuneIndex
) -> CommuneRef | None:
    """The point a query is about: its commune, else its postal code's commune."""
    if query.commune:
        found = communes.find(query.commune)
        if found is not None:
            return found
    if not query.postal_code:
        return None
    return communes.by_postal_code.get(query.postal_code) or await _placed_from_directory(
        session, query.postal_code
    )


async def _placed_from_directory(session: AsyncSession, postal_code: str) -> CommuneRef | None:
    table = Resource.__table__.c  # type: ignore[attr-defined]
    statement = (
        select(
            table.commune_insee,
            func.min(table.commune_name),
            func.avg(table.latitude),
            func.avg(table.longitude),
        )
        .where(table.postal_code == postal_code, table.latitude.is_not(None))
        .where(table.commune_insee.is_not(None), table.longitude.is_not(None))
        .group_by(table.commune_insee)
        .order_by(func.count().desc(), table.commune_insee)
        .limit(1)
    )
    row = (await session.exec(statement)).first()
    if row is None:
        return None
    insee, name, latitude, longitude = row
    return CommuneRef(
        insee=insee,
        name=name or insee,
        postal_codes=(postal_code,),
        latitude=float(latitude),
        longitude=float(longitude),
    )
