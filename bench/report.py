"""Turn bench/run's measurements into a Markdown report (written to a file and printed).

    python bench/report.py META_JSON RESULTS_JSONL OUT_MD

Each line of RESULTS_JSONL is one target: its name, kind ("bare" or "frontdoor") and wrk's
figures (calls.lua's BENCH_JSON line), plus for Frontdoor the rows found in its database.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

TARGET_SHARE = 0.50  # Frontdoor should keep at least half the bare handler's throughput
TARGET_P99_MS = 25.0


def _table(results: list[dict], bare_rps: float | None) -> list[str]:
    lines = [
        "| target | database | req/s | p50 ms | p99 ms | max ms | vs bare | targets met |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for result in results:
        ratio = result["rps"] / bare_rps if bare_rps else None
        verdict = ""
        if result["kind"] == "frontdoor":
            share_ok = ratio is not None and ratio >= TARGET_SHARE
            p99_ok = result["p99_ms"] < TARGET_P99_MS
            verdict = (
                f"{'yes' if share_ok else 'NO'} (≥50 %), {'yes' if p99_ok else 'NO'} (p99<25 ms)"
            )
        lines.append(
            f"| {result['target']} | {result.get('database', '—')} | {result['rps']:,.0f} "
            f"| {result['p50_ms']:.2f} | {result['p99_ms']:.2f} | {result['max_ms']:.1f} "
            f"| {f'{ratio:.0%}' if ratio is not None else '—'} | {verdict} |"
        )
    return lines


def _checks(results: list[dict]) -> list[str]:
    lines = []
    for result in results:
        problems = [
            f"{result[key]} {label}"
            for key, label in (
                ("non_2xx", "non-2xx answers"),
                ("connect_errors", "connect errors"),
                ("read_errors", "read errors"),
                ("write_errors", "write errors"),
                ("timeouts", "timeouts"),
            )
            if result.get(key)
        ]
        if result["kind"] == "frontdoor" and result.get("repeated"):
            problems.append(
                f"{result['repeated']} calls sent twice (answered from the stored receipt: "
                "raise BENCH_MAX_RPS)"
            )
        stored = ""
        if "rows_requests" in result:
            stored = (
                f"; database holds {result['rows_requests']} requests, "
                f"{result['rows_events']} events, {result['rows_receipts']} receipts for "
                f"{result['sent']} calls sent (probe + warm-up + measure)"
            )
        lines.append(
            f"- {result['target']}: {result['requests']} requests in {result['seconds']:.1f} s, "
            f"answer: {result.get('answer', '?')}, "
            f"{', '.join(problems) if problems else 'no errors'}{stored}"
        )
    return lines


def render(meta: dict, results: list[dict]) -> str:
    bare = next((r for r in results if r["target"] == "bare"), None)
    bare_rps = bare["rps"] if bare else None
    paths = sorted({r["answer"] for r in results if r["kind"] == "frontdoor"}) or ["none"]
    lines = [
        f"# Frontdoor webhook benchmark, {meta['started_utc']}",
        "",
        f"- Run at {meta['started_utc']} (Europe/Paris: {meta['started_paris']}); "
        f"Frontdoor answered with the {' / '.join(paths)}.",
        f"- Machine: {meta['cpus']} CPUs ({meta['cpu_model']}), {meta['python']}, "
        f"aiohttp {meta['aiohttp']}, SQLAlchemy {meta['sqlalchemy']}, {meta['wrk']}, "
        f"PostgreSQL {meta['postgres']}.",
        f"- Load: wrk -t{meta['threads']} -c{meta['connections']}, {meta['warmup']} s warm-up "
        f"then {meta['duration']} s measured per target, targets one after another on 127.0.0.1;"
        f" git {meta['git']}.",
        "",
        *_table(results, bare_rps),
        "",
        "Checks:",
        "",
        *_checks(results),
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    meta = json.loads(Path(argv[0]).read_text())
    results = [json.loads(line) for line in Path(argv[1]).read_text().splitlines() if line]
    text = render(meta, results)
    Path(argv[2]).write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
