"""Whole calls against a running Frontdoor: how many calls per second one service completes.

Each simulated caller places calls one after the other, through `frontdoor.phone.TwilioPhone`
(the terminal phone's engine, which follows TwiML as Twilio does and signs every request):
the incoming call, the menu (a professional, key 1), the `<Dial>` to the referents on duty,
the whisper on the first referent's leg, her key 1 (accept), the dial action once the
conversation ends, and the status callback: seven signed webhooks per call, each with every
parameter Twilio sends (the geography of both numbers, the call token…), in the order of a
real call. `--connections` callers run at once for `--seconds`; calls still in flight at the
end are finished and not counted.

A referent takes one call at a time: callers of one line wait for its three referents, and a
run measures that line's queue, not the service. With `--lines N`, the callers are spread over
the Lot and N-1 copies of it (bench/departments_gen.py, which the service must serve), as a
region's departments on one instance: with as many lines as callers, each call finds its
line's first referent free.

Prints one JSON line: calls completed per second, and for each webhook (by path) how many
were answered, their p50 / p99 / max latency in ms, and any answer that was not 200 or a call
that did not end connected to a referent.

    python bench/whole_call.py --url http://127.0.0.1:8080 --public-url http://x.invalid \\
        --token TOKEN --connections 64 --seconds 10 [--lines 64] [--at 2026-05-12T10:00:00+02:00]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

import aiohttp

from frontdoor.phone import Answer, ClientSessionTransport, ScriptedPerson, TwilioPhone

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.departments_gen import number_of  # noqa: E402  (after the path)

LOT = "+33536490046"  # flows/dac46.toml
FIRST_REFERENT = "+33612000001"  # amartin, on duty on weekday mornings
# What Twilio's voice webhooks send beyond the phone's own fields.
TWILIO_EXTRAS = {
    "ApplicationSid": "AP" + "1" * 32,
    "CallToken": "%7B%22parentCallInfoToken%22%3A%22eyJhbGciOiJFUzI1NiJ9" + "x" * 96,
    "StirVerstat": "TN-Validation-Passed-A",
    **{f"{who}{what}": "" for who in ("Called", "Caller", "From", "To")
       for what in ("City", "State", "Zip")},
    **{f"{who}Country": "FR" for who in ("Called", "Caller", "From", "To")},
}  # fmt: skip


class TimedTransport(ClientSessionTransport):
    """Posts to the service and keeps each answer's latency, by path."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str) -> None:
        super().__init__(session, base_url)
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.refused: dict[str, int] = defaultdict(int)
        self.recording = True

    async def post(
        self, path_qs: str, form: Mapping[str, str], headers: Mapping[str, str]
    ) -> tuple[int, str]:
        started = time.perf_counter()
        status, text = await super().post(path_qs, form, headers)
        if self.recording:
            path = path_qs.split("?", 1)[0]
            self.latencies[path].append(time.perf_counter() - started)
            if status != 200:
                self.refused[path] += 1
        return status, text


class FullBodyPhone(TwilioPhone):
    """The terminal phone, posting Twilio's whole body (it signs what it sends)."""

    async def post(self, url_or_path, form, *, idempotency_token=None):  # type: ignore[no-untyped-def]
        return await super().post(
            url_or_path, {**TWILIO_EXTRAS, **form}, idempotency_token=idempotency_token
        )


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


async def run(args: argparse.Namespace) -> dict[str, object]:
    at = datetime.fromisoformat(args.at) if args.at else None
    connector = aiohttp.TCPConnector(limit=args.connections * 2)
    async with aiohttp.ClientSession(connector=connector) as session:
        transport = TimedTransport(session, args.url)
        phone = FullBodyPhone(
            transport, public_url=args.public_url, auth_token=args.token, simulated_at=at
        )
        completed = 0
        failed = 0
        not_connected = 0
        finished_late = 0  # in flight at the deadline: served whole, not counted
        deadline = time.monotonic() + args.seconds
        numbers = iter(range(10**9))
        lines = [LOT, *(number_of(index) for index in range(1, args.lines))]

        async def caller(line: str) -> None:
            nonlocal completed, failed, not_connected, finished_late
            while time.monotonic() < deadline:
                person = ScriptedPerson(
                    ["1"] * 4, referents={FIRST_REFERENT: Answer(picks_up=True, presses="1")}
                )
                try:
                    result = await phone.call(
                        from_=f"+336130{next(numbers) % 100_000:05d}", to=line, person=person
                    )
                except Exception as error:  # noqa: BLE001  (counted, and the run goes on)
                    failed += 1
                    if failed == 1:
                        print(f"first failed call: {error}", file=sys.stderr)
                    continue
                if time.monotonic() <= deadline:
                    completed += 1
                    if result.connected_to is None:
                        not_connected += 1
                else:
                    finished_late += 1

        started, cpu_started = time.monotonic(), time.process_time()
        await asyncio.gather(*(caller(lines[n % len(lines)]) for n in range(args.connections)))
        elapsed = min(time.monotonic(), deadline) - started
        # The callers' own CPU (this process: signing, TwiML), beside the server's on 2 cores.
        client_cpu_s = time.process_time() - cpu_started
    return {
        "lines": len(lines),
        "calls": completed,
        "seconds": round(elapsed, 3),
        "calls_per_s": round(completed / elapsed, 1),
        "failed_calls": failed,
        "not_connected": not_connected,
        "finished_late": finished_late,
        "client_cpu_ms_per_call": round(1000 * client_cpu_s / max(1, completed + finished_late), 1),
        "webhooks": {
            path: {
                "count": len(values),
                "p50_ms": round(_percentile(values, 0.50), 2),
                "p99_ms": round(_percentile(values, 0.99), 2),
                "max_ms": round(max(values) * 1000, 2),
                "not_200": transport.refused.get(path, 0),
            }
            for path, values in sorted(transport.latencies.items(), key=lambda kv: -len(kv[1]))
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="where the service listens")
    parser.add_argument("--public-url", required=True, help="FRONTDOOR_PUBLIC_URL of the service")
    parser.add_argument("--token", required=True, help="TWILIO_AUTH_TOKEN of the service")
    parser.add_argument("--connections", type=int, default=64, help="callers at once")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--lines", type=int, default=1, help="departments the callers call")
    parser.add_argument("--at", help="ISO 8601 instant of the calls (signed SimulatedAt)")
    args = parser.parse_args(argv)
    print(json.dumps(asyncio.run(run(args))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
