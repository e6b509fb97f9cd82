"""Webhook latency while Twilio's REST API is slow: does Frontdoor hold its store meanwhile?

One `frontdoor serve` on SQLite (its store is one connection) answers a steady stream of
signed incoming calls (20 a second) alone, then while voicemails complete: recording status
callbacks, each of which has the service fetch the audio from Twilio and delete it there. Twilio
is the project's stand-in (frontdoor.standins.twilio_api), answering every REST request after
`--delay` seconds, as Twilio does on a bad day. Per build (this tree, and `--baseline`, a source
tree of another commit: `git archive COMMIT | tar -x -C DIR`), in the same run: the incoming
calls' p50, p99 and max, the recording callbacks' p50 and p99, and what came home.

    .venv/bin/python bench/slow_provider.py [--seconds 8] [--delay 0.5] [--baseline DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
from twilio.request_validator import RequestValidator

from frontdoor.standins.twilio_api import FakeTwilioApi

sys.path.insert(0, str(Path(__file__).parent))
from loop_blocking import free_port, listening  # noqa: E402
from make_requests import ACCOUNT_SID, step_of  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PUBLIC_URL = "http://frontdoor.bench.invalid"
TOKEN = "bench-auth-token-not-a-twilio-one"
AT = "2026-05-12T10:00:00+02:00"  # a Tuesday morning: the open path
CALLS_PER_S = 20

Signed = tuple[str, str, str]  # path, signature, body


def signed(step: str, seed: str, count: int) -> list[Signed]:
    validator = RequestValidator(TOKEN)
    path, make_form = step_of(step)
    out = []
    for index in range(count):
        form = make_form(index, seed, AT)
        out.append((path, validator.compute_signature(PUBLIC_URL + path, form), urlencode(form)))
    return out


def start_server(
    name: str, tree: Path, folder: Path, port: int, twilio_url: str
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PYTHONPATH": str(tree),
        "FRONTDOOR_DATABASE_URL": f"sqlite+aiosqlite:///{folder / f'{name}.sqlite3'}",
        "FRONTDOOR_PUBLIC_URL": PUBLIC_URL,
        "FRONTDOOR_HOST": "127.0.0.1",
        "FRONTDOOR_PORT": str(port),
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": TOKEN,
        "FRONTDOOR_TWILIO_API_URL": twilio_url,
        "FRONTDOOR_DEV_MODE": "true",
        "FRONTDOOR_SIMULATED_TIME": "true",
        "FRONTDOOR_JOBS_ENABLED": "false",
        "FRONTDOOR_RATE_LIMITS": "false",
        "FRONTDOOR_JOURNAL_DIR": str(folder / f"journal-{name}"),
        "FRONTDOOR_RECORDINGS_DIR": str(folder / f"recordings-{name}"),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "frontdoor", "serve"], env=env, cwd=tree,
        stdout=subprocess.DEVNULL, stderr=(folder / f"{name}.log").open("wb"),
    )  # fmt: skip
    return listening(server, port, name)


async def post(
    http: aiohttp.ClientSession, base: str, request: Signed, latencies: list[float],
    statuses: Counter[str],
) -> None:  # fmt: skip
    path, signature, body = request
    started = time.perf_counter()
    headers = {"X-Twilio-Signature": signature,
               "Content-Type": "application/x-www-form-urlencoded"}  # fmt: skip
    async with http.post(base + path, data=body, headers=headers) as answer:
        await answer.read()
        statuses[str(answer.status)] += 1
    latencies.append(time.perf_counter() - started)


async def steady(
    http: aiohttp.ClientSession, base: str, requests: list[Signed], per_s: float, seconds: float,
    latencies: list[float], statuses: Counter[str],
) -> None:  # fmt: skip
    """`per_s` of `requests` a second for `seconds`, whatever the answers take."""
    sent, began = [], time.perf_counter()
    for index in range(int(seconds * per_s)):
        await asyncio.sleep(max(0.0, began + index / per_s - time.perf_counter()))
        sent.append(asyncio.create_task(post(http, base, requests.pop(), latencies, statuses)))
    await asyncio.gather(*sent)


def summary(latencies: list[float]) -> tuple[float, float, float]:
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return statistics.median(ordered) * 1000, p99 * 1000, ordered[-1] * 1000


async def build(
    name: str, tree: Path, folder: Path, seconds: float, delay: float, recordings_per_s: float
) -> list[dict[str, object]]:
    twilio = FakeTwilioApi(account_sid=ACCOUNT_SID, auth_token=TOKEN, answers_after_s=delay)
    twilio_url = await twilio.start()
    port = free_port()
    server = await asyncio.to_thread(start_server, name, tree, folder, port, twilio_url)
    base = f"http://127.0.0.1:{port}"
    voicemails = int(seconds * recordings_per_s)
    rows: list[dict[str, object]] = []
    try:
        async with aiohttp.ClientSession() as http:
            # The calls whose voicemails will complete, answered beforehand.
            done: Counter[str] = Counter()
            for call in signed("incoming", f"{name}-voicemail", voicemails):
                await post(http, base, call, [], done)
            await steady(http, base, signed("incoming", f"{name}-warmup", 40), CALLS_PER_S, 2,
                         [], done)  # fmt: skip
            for scenario in ("alone", "voicemails completing"):
                calls, recordings = list[float](), list[float]()
                statuses, recorded = Counter[str](), Counter[str]()
                work = [steady(http, base, signed("incoming", f"{name}-{scenario}",
                                                  int(seconds * CALLS_PER_S)),
                               CALLS_PER_S, seconds, calls, statuses)]  # fmt: skip
                if scenario != "alone":
                    completing = signed("recording", f"{name}-voicemail", voicemails)[::-1]
                    work.append(steady(http, base, completing, recordings_per_s, seconds,
                                       recordings, recorded))  # fmt: skip
                await asyncio.gather(*work)
                rows.append({"build": name, "scenario": scenario, "calls": summary(calls),
                             "statuses": dict(statuses), "recordings": recordings,
                             "recorded": dict(recorded)})  # fmt: skip
        rows[-1]["home"] = len(twilio.deleted_recordings)
    finally:
        server.terminate()
        await asyncio.to_thread(server.wait)
        await twilio.close()
    return rows


def table(rows: list[dict[str, object]], delay: float, per_s: float) -> str:
    lines = [
        f"| build | incoming calls (20/s) while… | p50 ms | p99 ms | max ms | answers | "
        f"recording callbacks ({per_s:g}/s, Twilio answering in {delay:g} s) p50 / p99 ms | "
        "voicemails home |",
        "| --- | --- | ---: | ---: | ---: | --- | ---: | ---: |",
    ]
    for row in rows:
        p50, p99, top = row["calls"]  # type: ignore[misc]
        recordings: list[float] = row["recordings"]  # type: ignore[assignment]
        rec = "—"
        if recordings:
            r50, r99, _ = summary(recordings)
            rec = f"{r50:,.0f} / {r99:,.0f}"
        answers = ", ".join(f"{n} × {s}" for s, n in sorted(row["statuses"].items()))  # type: ignore[attr-defined]
        lines.append(f"| {row['build']} | {row['scenario']} | {p50:,.0f} | {p99:,.0f} | "
                     f"{top:,.0f} | {answers} | {rec} | {row.get('home', '—')} |")  # fmt: skip
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--delay", type=float, default=0.5, help="Twilio's answer time, s")
    parser.add_argument("--recordings-per-s", type=float, default=1.0)
    parser.add_argument("--baseline", type=Path, help="source tree of the commit to compare")
    parser.add_argument("--keep", type=Path, help="a folder to keep the servers' logs in")
    args = parser.parse_args()
    builds: list[tuple[str, Path]] = [("now", ROOT)]
    if args.baseline is not None:
        builds.insert(0, ("baseline", args.baseline.resolve()))
    rows = []
    with tempfile.TemporaryDirectory(prefix="slow-provider-") as scratch:
        folder = args.keep or scratch
        for name, tree in builds:
            rows += asyncio.run(build(name, tree, Path(folder), args.seconds, args.delay,
                                      args.recordings_per_s))  # fmt: skip
    print(table(rows, args.delay, args.recordings_per_s))
    return 0


if __name__ == "__main__":
    sys.exit(main())
