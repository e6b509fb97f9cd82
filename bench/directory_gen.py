# ruff: noqa: E501  (tables of words and SQL read best unbroken)
"""A synthetic national-size directory: 100 000 resources over ~20 000 made-up communes.

Deterministic (one seed): the same communes, resources and queries on every run and backend.
Communes get French-looking names, an INSEE code and postal code in their department, and a
point inside mainland France; the real communes of directory/communes.csv are kept too, so
"ssiad figeac" means something. Every category is present; SSIADs, SAADs and HADs serve the
communes around them. Rows go straight into the database with batched INSERTs through the
migrated schema, so the FTS triggers (SQLite) and the GIN index (PostgreSQL) do their work.

python bench/directory_gen.py sqlite+aiosqlite:////tmp/dir.sqlite3 [count]
"""

from __future__ import annotations

import asyncio
import math
import random
import sys
from datetime import UTC, datetime

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from frontdoor.core.directory_search import CommuneRef
from frontdoor.core.directory_text import normalized, search_text
from frontdoor.core.taxonomy import CATEGORIES, Category
from frontdoor.directory.communes import CommuneIndex, default_communes
from frontdoor.store.db import create_engine
from frontdoor.store.migrate import upgrade
from frontdoor.store.models import Resource

SEED = 46_57
COMMUNES = 20_000
RESOURCES = 100_000
BATCH = 2_000
_START = [
    "Saint",
    "Sainte",
    "Le",
    "La",
    "Les",
    "Mont",
    "Val",
    "Castel",
    "Ville",
    "Bourg",
    "Font",
    "Roche",
    "Pont",
    "Puy",
    "Bois",
]
_ROOT = [
    "mar",
    "bel",
    "cour",
    "ville",
    "lan",
    "ber",
    "gon",
    "roc",
    "sal",
    "vin",
    "fon",
    "mont",
    "bra",
    "cas",
    "ter",
    "lau",
    "mer",
    "vil",
    "dor",
    "gra",
    "sou",
    "fig",
    "cah",
    "lus",
    "cor",
    "val",
    "tou",
    "bou",
    "pra",
    "lac",
    "gou",
    "mou",
    "sen",
    "pey",
    "ris",
]
_END = [
    "ac",
    "ax",
    "eix",
    "ville",
    "court",
    "ange",
    "ol",
    "ières",
    "y",
    "on",
    "at",
    "ès",
    "ignac",
    "ieu",
    "ens",
]
_SUFFIX = ["", "", "", "-sur-Lot", "-en-Quercy", "-les-Bains", "-le-Château", "-sur-Moselle"]
_NAMES = {
    Category.EHPAD: ["EHPAD {p}", "Résidence Les Tilleuls", "EHPAD Les Glycines", "Maison Saint-Joseph"],
    Category.SSIAD: ["SSIAD {p}", "SSIAD du canton de {p}", "Service de soins ADMR"],
    Category.SAAD: ["ADMR {p}", "Aide à domicile {p}", "SAAD Présence Verte"],
}  # fmt: skip
WEIGHTS = {c: 1 for c in Category} | {Category.EHPAD: 8, Category.SSIAD: 5, Category.SAAD: 8,
                                     Category.MSP: 4, Category.CCAS: 6}  # fmt: skip


def communes(seed: int = SEED, count: int = COMMUNES) -> list[CommuneRef]:
    """The real shipped communes, then made-up ones over the mainland departments."""
    rng = random.Random(seed)
    made = list(default_communes().by_insee.values())
    seen = {normalized_name(c.name) for c in made}
    departments = [f"{d:02d}" for d in range(1, 96) if d != 20]
    taken = {c.insee for c in made}
    while len(made) < count:
        dept = rng.choice(departments)
        name = _name(rng)
        if normalized_name(name) in seen:
            continue
        insee = f"{dept}{rng.randrange(1, 999):03d}"
        if insee in taken:
            continue
        taken.add(insee)
        seen.add(normalized_name(name))
        # A department's communes cluster around its own centre, as real ones do.
        centre = _dept_centre(dept)
        made.append(
            CommuneRef(
                insee=insee,
                name=name,
                postal_codes=(f"{dept}{rng.randrange(0, 99) * 10:03d}",),
                latitude=round(centre[0] + rng.gauss(0, 0.3), 4),
                longitude=round(centre[1] + rng.gauss(0, 0.4), 4),
            )
        )
    return made


def normalized_name(name: str) -> str:
    return normalized(name)


def _name(rng: random.Random) -> str:
    root = (rng.choice(_ROOT) + rng.choice(_ROOT) + rng.choice(_END)).capitalize()
    if rng.random() < 0.25:
        root = f"{rng.choice(_START)}-{root}"
    return root + rng.choice(_SUFFIX)


def _dept_centre(dept: str) -> tuple[float, float]:
    # Spread the 95 departments over mainland France (42.5–51 N, -4.5–7.5 E).
    n = int(dept)
    return 42.8 + (n * 37 % 95) / 95 * 7.8, -4.2 + (n * 53 % 95) / 95 * 11.4


def index_of(refs: list[CommuneRef]) -> CommuneIndex:
    return CommuneIndex.of(refs)


def rows(
    refs: list[CommuneRef], seed: int = SEED, count: int = RESOURCES
) -> list[dict[str, object]]:
    rng = random.Random(seed + 1)
    categories = list(WEIGHTS)
    weights = [WEIGHTS[c] for c in categories]
    now = datetime(2026, 11, 23, tzinfo=UTC)
    out: list[dict[str, object]] = []
    for i in range(count):
        category = rng.choices(categories, weights)[0]
        place = refs[rng.randrange(len(refs))]
        pattern = rng.choice(_NAMES.get(category, [f"{CATEGORIES[category].short} {{p}}"]))
        name = pattern.format(p=place.name)
        lat = place.latitude + rng.uniform(-0.01, 0.01)
        lon = place.longitude + rng.uniform(-0.01, 0.01)
        serves: list[str] = []
        if category in (Category.SSIAD, Category.SAAD, Category.HAD):
            serves = [place.insee] + [rng.choice(refs).insee for _ in range(rng.randrange(3, 12))]
        out.append(
            {
                "source": "bench",
                "source_id": str(i),
                "name": name,
                "category": category.value,
                "postal_code": place.postal_codes[0],
                "commune_insee": place.insee,
                "commune_name": place.name,
                "departement": place.insee[:2],
                "latitude": lat,
                "longitude": lon,
                "phones": [f"+335{rng.randrange(10**8):08d}"],
                "serves_communes": serves,
                "audience": "public",
                "edited_locally": False,
                "search_text": search_text(name=name, category=category, commune_name=place.name),
                "updated_at": now,
            }
        )
    return out


async def fill(engine: AsyncEngine, count: int = RESOURCES) -> list[CommuneRef]:
    """Migrate, then insert `count` resources in batches; return the communes used."""
    await upgrade(engine)
    refs = communes()
    data = rows(refs, count=count)
    table = Resource.__table__  # type: ignore[attr-defined]
    for start in range(0, len(data), BATCH):
        async with engine.begin() as connection:
            await connection.execute(insert(table), data[start : start + BATCH])
    async with engine.begin() as connection:
        await connection.exec_driver_sql("ANALYZE")  # both backends plan with fresh statistics
    return refs


def _main() -> None:
    url = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else RESOURCES

    async def run() -> None:
        engine = create_engine(url)
        await fill(engine, count)
        await engine.dispose()

    asyncio.run(run())
    print(f"{count} resources written to {url}; {math.ceil(count / BATCH)} batches")


if __name__ == "__main__":
    _main()
