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


def _cpu(result: dict, key: str = "cpu_us") -> str:
    """A CPU figure per request: the server's processes ("cpu_us"), the database's backends
    ("db_cpu_us", PostgreSQL only) or wrk's ("wrk_cpu_us")."""
    return f"{result[key]:,.0f}" if key in result else "—"


def _table(results: list[dict]) -> list[str]:
    by_name = {result["target"]: result for result in results}
    bare, signed, flask = (
        by_name.get("bare"),
        by_name.get("bare-signed"),
        by_name.get("flask-welcome"),
    )
    lines = [
        "| target | database | req/s | p50 ms | p99 ms | max ms | CPU µs/req | database µs/req "
        "| wrk µs/req | ÷ bare | ÷ bare-signed | ÷ flask welcome | targets met |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
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
            f"| {_cpu(result)} | {_cpu(result, 'db_cpu_us')} | {_cpu(result, 'wrk_cpu_us')} "
            f"| {_ratio(result['rps'], bare)} | {_ratio(result['rps'], signed)} "
            f"| {_ratio(result['rps'], flask)} | {verdict} |"
        )
    return lines


def _machine_budget(results: list[dict], cpus: int) -> list[str]:
    """What issue 20's target rate of each PostgreSQL target would cost this machine's cores,
    where the service, PostgreSQL and wrk all run: at the target rate, the CPU a request
    costs now, and the CPU it would cost with the service down to the signed bare handler's
    own (the least a handler that verifies Twilio's signature spends) and the database's
    work per request unchanged. Above the machine's cores, the target cannot be met here
    without the database doing less per request."""
    by_name = {result["target"]: result for result in results}
    bare, signed = by_name.get("bare"), by_name.get("bare-signed")
    if not bare or not signed or "cpu_us" not in signed:
        return []
    rows = [
        r for r in results if r["kind"] == "frontdoor" and "db_cpu_us" in r and "wrk_cpu_us" in r
    ]
    if not rows:
        return []
    lines = [
        f"What issue 20's target rates would cost this machine's {cpus} cores (PostgreSQL, "
        "which runs on the same cores as the service and wrk; CPU per request as measured "
        "above):",
        "",
        "| target | target req/s | service + database + wrk µs/req now | cores needed now "
        "| with the service at bare-signed's CPU | cores needed then |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for result in rows:
        share = TARGET_SHARE.get(result["step"], STEP_SHARE)
        target_rps = share * bare["rps"]
        now = result["cpu_us"] + result["db_cpu_us"] + result["wrk_cpu_us"]
        floor = signed["cpu_us"] + result["db_cpu_us"] + result["wrk_cpu_us"]
        lines.append(
            f"| {result['target']} | {target_rps:,.0f} | {now:,.0f} "
            f"| {target_rps * now / 1e6:.1f} | {floor:,.0f} | {target_rps * floor / 1e6:.1f} |"
        )
    return [*lines, ""]


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
        *_machine_budget(results, meta["cpus"]),
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
