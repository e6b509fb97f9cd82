"""Turn bench/run's measurements into a Markdown report (written to a file and printed).

    python bench/report.py META_JSON RESULTS_JSONL OUT_MD

Each line of RESULTS_JSONL is one target: its name, kind ("bare", "peer", "frontdoor" or
"whole-call") and wrk's figures (calls.lua's BENCH_JSON line), plus for Frontdoor the rows
its load added to the database; a whole-call line holds bench/whole_call.py's figures.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

# Issue 20's targets, each as a share of the bare handler's throughput, and p99 at 64
# connections: the incoming call at half the bare handler, every later step at the level of
# twilio's validator alone (0.35).
TARGET_SHARE = {"incoming": 0.50}
STEP_SHARE = 0.35
TARGET_P99_MS = 25.0


def _ratio(rps: float, reference: dict | None) -> str:
    return f"{rps / reference['rps']:.2f}" if reference else "—"


def _cpu(result: dict) -> str:
    """The server's CPU per request (its processes only: not the database's, not wrk's)."""
    return f"{result['cpu_us']:,.0f}" if "cpu_us" in result else "—"


def _table(results: list[dict]) -> list[str]:
    by_name = {result["target"]: result for result in results}
    bare, signed, flask = (
        by_name.get("bare"),
        by_name.get("bare-signed"),
        by_name.get("flask-welcome"),
    )
    lines = [
        "| target | database | req/s | p50 ms | p99 ms | max ms | CPU µs/req | ÷ bare "
        "| ÷ bare-signed | ÷ flask welcome | targets met |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for result in results:
        if result["kind"] == "whole-call":
            continue
        verdict = ""
        if result["kind"] == "frontdoor" and bare:
            share = TARGET_SHARE.get(result["step"], STEP_SHARE)
            share_ok = result["rps"] / bare["rps"] >= share
            p99_ok = result["p99_ms"] < TARGET_P99_MS
            verdict = (
                f"{'yes' if share_ok else 'NO'} (≥{share:.2f}), "
                f"{'yes' if p99_ok else 'NO'} (p99<{TARGET_P99_MS:g} ms)"
            )
        lines.append(
            f"| {result['target']} | {result.get('database', '—')} | {result['rps']:,.0f} "
            f"| {result['p50_ms']:.2f} | {result['p99_ms']:.2f} | {result['max_ms']:.1f} "
            f"| {_cpu(result)} | {_ratio(result['rps'], bare)} | {_ratio(result['rps'], signed)} "
            f"| {_ratio(result['rps'], flask)} | {verdict} |"
        )
    return lines


def _whole_calls(results: list[dict]) -> list[str]:
    runs = [result for result in results if result["kind"] == "whole-call"]
    if not runs:
        return []
    paths = list(dict.fromkeys(path for run in runs for path in run["webhooks"]))
    short = [path.removeprefix("/twilio/voice").lstrip("/") or "incoming" for path in paths]
    lines = [
        "Whole calls (incoming, menu ×2, dial, whisper, accept, dial action, status; every "
        "webhook signed, p99 ms of each):",
        "",
        "| target | database | lines | calls/s | server CPU ms/call | callers' CPU ms/call "
        "| failed | " + " | ".join(short) + " |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | "
        + " | ".join("---:" for _ in paths)
        + " |",
    ]
    for run in runs:
        cells = [
            f"{run['webhooks'][path]['p99_ms']:.1f}" if path in run["webhooks"] else "—"
            for path in paths
        ]
        failed = run["failed_calls"] + run["not_connected"]
        lines.append(
            f"| {run['target']} | {run['database']} | {run.get('lines', 1)} "
            f"| {run['calls_per_s']:,.1f} | {run.get('server_cpu_ms_per_call') or '—'} "
            f"| {run.get('client_cpu_ms_per_call', '—')} | {failed} | " + " | ".join(cells) + " |"
        )
    return [*lines, ""]


def _checks(results: list[dict]) -> list[str]:
    lines = []
    for result in results:
        if result["kind"] == "whole-call":
            refused = {p: w["not_200"] for p, w in result["webhooks"].items() if w["not_200"]}
            lines.append(
                f"- {result['target']}: {result['calls']} calls completed in "
                f"{result['seconds']:.1f} s, {result['failed_calls']} failed, "
                f"{result['not_connected']} not put through, "
                f"{result.get('from_memory', 0)} steps answered from memory (the outage path)"
                + (f", answers not 200: {refused}" if refused else "")
            )
            continue
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
                f"; its load added {result['rows_requests']} requests, "
                f"{result['rows_events']} events, {result['rows_receipts']} receipts for "
                f"{result['sent']} webhooks sent (warm-up + measure)"
            )
        lines.append(
            f"- {result['target']}: {result['requests']} requests in {result['seconds']:.1f} s"
            f", {', '.join(problems) if problems else 'no errors'}{stored}"
        )
    return lines


def render(meta: dict, results: list[dict]) -> str:
    lines = [
        f"# Frontdoor webhook benchmark, {meta['started_utc']}",
        "",
        f"- Run at {meta['started_utc']} (Europe/Paris: {meta['started_paris']}); "
        f"the incoming call took the {meta['answer']}. Load average before: "
        f"{meta['load_before']}, after: {meta['load_after']}.",
        f"- Machine: {meta['cpus']} CPUs ({meta['cpu_model']}), {meta['python']}, "
        f"aiohttp {meta['aiohttp']}, SQLAlchemy {meta['sqlalchemy']}, {meta['wrk']}, "
        f"PostgreSQL {meta['postgres']}.",
        f"- Load: wrk -t{meta['threads']} -c{meta['connections']}, {meta['warmup']} s warm-up "
        f"then {meta['duration']} s measured per target, targets one after another on 127.0.0.1;"
        f" Frontdoor with {meta['workers']} worker process(es); Twilio's Flask sample "
        f"{'measured' if meta['flask_sample'] else 'not measured (BENCH_FLASK_SAMPLE unset)'};"
        f" git {meta['git']}"
        f"{' (and the baseline given, frontdoor-baseline-…)' if meta.get('baseline') else ''}.",
        "",
        *_table(results),
        "",
        *_whole_calls(results),
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
