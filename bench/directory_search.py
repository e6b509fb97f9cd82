# ruff: noqa: E501  (tables of words and SQL read best unbroken)
"""Directory search latency on 100 000 resources, SQLite and PostgreSQL, beside raw full text.

For each backend: a fresh database (a temporary SQLite file; `frontdoor_bench_dir` on the
PostgreSQL server, created and dropped), filled by bench/directory_gen.py, then ~200 fixed,
realistic queries ("ssiad 46100", "maison de retraite <commune>", typos…) run one after the
other, each `rounds` times, through `frontdoor.directory.search.search` (parsed beforehand;
parsing is timed apart), and the same number of raw full-text queries with LIMIT 3 on the
same connection: FTS5 MATCH on SQLite, a 'simple' tsquery on PostgreSQL.

python bench/directory_search.py [--resources 100000] [--rounds 3] [--databases sqlite postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import asyncpg
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent))

from directory_gen import SEED, fill, index_of  # noqa: E402

from frontdoor.core.directory_search import CommuneRef, DirectoryQuery, parse_query  # noqa: E402
from frontdoor.core.directory_text import normalized  # noqa: E402
from frontdoor.core.taxonomy import CATEGORIES, Category  # noqa: E402
from frontdoor.directory.communes import SYNONYMS_FILE, read_synonyms, vocabulary_for  # noqa: E402
from frontdoor.directory.search import search  # noqa: E402
from frontdoor.store.db import create_engine, session_maker  # noqa: E402

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
PG_DB = "frontdoor_bench_dir"
FIXED = ["ssiad figeac", "SSIAD 46100", "clic figeac", "maison de retraite Cahors",
         "soins infirmiers à domicile gourdon", "ehpda 57000", "psy metz", "alcool thionville"]  # fmt: skip


def queries(refs: list[CommuneRef], count: int = 200) -> list[str]:
    rng = random.Random(SEED + 2)
    synonyms = [p for ps in read_synonyms(SYNONYMS_FILE).values() for p in ps]
    shorts = [CATEGORIES[c].short for c in Category if c is not Category.OTHER]
    out = list(FIXED)
    while len(out) < count:
        place = rng.choice(refs)
        kind = len(out) % 5
        if kind == 0:
            out.append(f"{rng.choice(shorts)} {place.postal_codes[0]}")
        elif kind == 1:
            out.append(f"{rng.choice(synonyms)} {place.name}")
        elif kind == 2:  # a typo in the commune: two letters swapped
            name = place.name
            i = rng.randrange(1, max(2, len(name) - 2))
            out.append(f"{rng.choice(shorts)} {name[:i]}{name[i + 1]}{name[i]}{name[i + 2 :]}")
        elif kind == 3:
            out.append(f"{rng.choice(shorts).lower()} {place.name.lower()}")
        else:
            out.append(f"residence tilleuls {place.name}")
    return out


def raw_match(query: DirectoryQuery, refs_by_postal: dict[str, CommuneRef]) -> list[str]:
    """The words a plain full-text query would look for: category, commune, terms."""
    words = normalized(CATEGORIES[query.category].short).split() if query.category else []
    commune = query.commune
    if commune is None and query.postal_code in refs_by_postal:
        commune = normalized(refs_by_postal[query.postal_code].name)
    return words + (commune.split() if commune else []) + list(query.terms)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def measure(url: str, resources: int, rounds: int) -> dict[str, object]:
    engine = create_engine(url)
    started = time.perf_counter()
    refs = await fill(engine, resources)
    fill_s = time.perf_counter() - started
    index = index_of(refs)
    vocabulary = vocabulary_for(index)
    texts = queries(refs)
    t0 = time.perf_counter()
    parsed = [parse_query(q, vocabulary) for q in texts]
    parse_ms = (time.perf_counter() - t0) * 1000 / len(texts)
    by_postal = index.by_postal_code
    dialect = engine.dialect.name
    if dialect == "postgresql":
        raw_sql = text("SELECT id, name, phones FROM resources WHERE "
                       "to_tsvector('simple', search_text) @@ to_tsquery('simple', :q) LIMIT 3")  # fmt: skip
        raw_q = [" & ".join(f"{w}:*" for w in raw_match(q, by_postal)) for q in parsed]
    else:
        raw_sql = text("SELECT id, name, phones FROM resources WHERE id IN (SELECT rowid FROM "
                       "resources_fts WHERE resources_fts MATCH :q) LIMIT 3")  # fmt: skip
        raw_q = [" AND ".join(f"{w}*" for w in raw_match(q, by_postal)) for q in parsed]
    ours: list[float] = []
    raw: list[float] = []
    empty = 0
    async with session_maker(engine)() as session:
        for q in parsed[:20]:  # warm-up: caches, prepared statements
            await search(session, q, limit=3, communes=index)
        for _ in range(rounds):
            for q, match in zip(parsed, raw_q, strict=True):
                t = time.perf_counter()
                hits = await search(session, q, limit=3, communes=index)
                ours.append((time.perf_counter() - t) * 1000)
                empty += not hits
                t = time.perf_counter()
                (await session.exec(raw_sql.bindparams(q=match))).all()  # type: ignore[call-overload]
                raw.append((time.perf_counter() - t) * 1000)
    await engine.dispose()
    return {
        "fill_s": fill_s, "parse_ms": parse_ms, "n": len(ours), "empty": empty // rounds,
        "p50": percentile(ours, 50), "p95": percentile(ours, 95), "max": max(ours),
        "raw_p50": percentile(raw, 50), "raw_p95": percentile(raw, 95),
        "mean": statistics.fmean(ours), "raw_mean": statistics.fmean(raw),
    }  # fmt: skip


async def _pg(action: str) -> None:
    connection = await asyncpg.connect(PG_ADMIN)
    try:
        await connection.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        if action == "create":
            await connection.execute(f"CREATE DATABASE {PG_DB}")
    finally:
        await connection.close()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--resources", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgres"])
    args = parser.parse_args()
    results: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory() as work:
        if "sqlite" in args.databases:
            url = f"sqlite+aiosqlite:///{work}/directory.sqlite3"
            results["sqlite"] = await measure(url, args.resources, args.rounds)
        if "postgres" in args.databases:
            await _pg("create")
            try:
                url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{PG_DB}"
                results["postgres"] = await measure(url, args.resources, args.rounds)
            finally:
                await _pg("drop")
    print(f"{args.resources} resources, {platform.python_version()}, {platform.machine()}")
    print("| backend | queries | no hit | search p50 | p95 | max | raw FTS p50 | raw p95 | "
          "p95 ratio | parse (mean) | fill |")  # fmt: skip
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, r in results.items():
        ratio = float(r["p95"]) / float(r["raw_p95"])  # type: ignore[arg-type]
        print(f"| {name} | {r['n']} | {r['empty']} | {r['p50']:.2f} ms | {r['p95']:.2f} ms | "
              f"{r['max']:.1f} ms | {r['raw_p50']:.2f} ms | {r['raw_p95']:.2f} ms | "
              f"{ratio:.2f}× | {r['parse_ms']:.2f} ms | {r['fill_s']:.0f} s |")  # fmt: skip


if __name__ == "__main__":
    asyncio.run(main())
