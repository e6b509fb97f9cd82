"""Webhook latency while the console is hammered: does anything CPU-heavy hold the event loop?

One `frontdoor serve` on SQLite, with the access log on, answers a steady stream of signed
incoming calls (20 a second) alone, then while each of these runs beside it: a sign-in flood
(wrong passwords, 8 clients), indicator XLSX exports (2 clients), 8 KB URLs (4 clients), and
the console's live inbox (1,000 streams asked, as many browser tabs, by 250 signed-in sessions
of 50 coordinators; the instance serves 600, console.live_streams.IN_ALL); then the first three
at once, then all four; the floods from a process of their own, apart from the calls' client.
Twice: as the code is ("processes": hashes in the CPU pool's worker threads, spreadsheets in
its worker processes), and as it was before ("threads": spreadsheets in the worker threads
too); "inline" on demand (the same work run on the loop, the old mail pattern, whole paths
logged), by the wrapper bench/loop_blocking_server.py. Prints a Markdown table of the calls'
p50, p99 and max, and what the floods got done.

    .venv/bin/python bench/loop_blocking.py [--seconds 10] [--modes processes threads inline]
                                            [--apart]

Another commit beside it: run this file from that commit's source tree, with PYTHONPATH set
to that tree (the virtualenv's editable install would otherwise serve this one's code).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp

HERE = Path(__file__).parent
ROOT = HERE.parent
PUBLIC_URL = "http://frontdoor.bench.invalid"
TOKEN = "bench-auth-token-not-a-twilio-one"
AT = "2026-05-12T10:00:00+02:00"  # a Tuesday morning: the open path
LOGIN, PASSWORD = "bench@dac46.fr", "une phrase de passe pour le banc"
CALLS_PER_S = 20
FLOODS = ("sign-ins", "xlsx exports", "8 KB URLs", "live streams")
# The live inbox's viewers: coordinators of the Lot, each signed in from several browsers, each
# browser with a few inbox tabs (console.live_streams allows 4 a session, 12 an account).
STREAM_ACCOUNTS, SESSIONS_PER_ACCOUNT, STREAMS_PER_SESSION = 50, 5, 4
# The floods at once: the first three (as this bench had them before the live streams), then all.
COMBINED = {FLOODS[:3]: "all three", FLOODS: "all four"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def signed_calls(count: int, folder: Path) -> list[tuple[str, str]]:
    out = folder / "calls.txt"
    subprocess.run(
        [sys.executable, str(HERE / "make_requests.py"), "--count", str(count),
         "--public-url", PUBLIC_URL, "--token", TOKEN, "--at", AT, "--out", str(out)],
        check=True, capture_output=True,
    )  # fmt: skip
    # Each line: path, signature, body (the path is /twilio/voice for every one).
    lines = (line.split("\t", 2) for line in out.read_text().splitlines())
    return [(signature, body) for _path, signature, body in lines]


def database_url(mode: str, folder: Path) -> str:
    return f"sqlite+aiosqlite:///{folder / f'{mode}.sqlite3'}"


def start_server(
    mode: str, folder: Path, port: int, cpus: set[int] | None
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "FRONTDOOR_DATABASE_URL": database_url(mode, folder),
        "FRONTDOOR_PUBLIC_URL": PUBLIC_URL,
        "FRONTDOOR_HOST": "127.0.0.1",
        "FRONTDOOR_PORT": str(port),
        "TWILIO_AUTH_TOKEN": TOKEN,
        # Simulated time (the calls' SimulatedAt: the open path) and development secrets.
        "FRONTDOOR_DEV_MODE": "true",
        "FRONTDOOR_SIMULATED_TIME": "true",
        "FRONTDOOR_ACCESS_LOG": "true",
        "FRONTDOOR_RATE_LIMITS": "false",  # the floods come from one address
        "FRONTDOOR_JOBS_ENABLED": "false",
        "FRONTDOOR_JOURNAL_DIR": str(folder / f"journal-{mode}"),
        "FRONTDOOR_NEW_PASSWORD": PASSWORD,
    }
    frontdoor = [sys.executable, "-m", "frontdoor"]
    add = ["accounts", "add", LOGIN, "--name", "Banc", "--role", "coordinator",
           "--department", "dac46"]  # fmt: skip
    subprocess.run([*frontdoor, *add], env=env, cwd=ROOT, check=True, capture_output=True)
    pinned = [] if cpus is None else ["taskset", "--cpu-list", ",".join(map(str, sorted(cpus)))]
    server = subprocess.Popen(
        [*pinned, sys.executable, str(HERE / "loop_blocking_server.py"), mode],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
        stderr=(folder / f"{mode}.log").open("wb"),
    )  # fmt: skip
    return listening(server, port, mode)


def listening(server: subprocess.Popen[bytes], port: int, name: str) -> subprocess.Popen[bytes]:
    """The server, once it accepts connections on `port` (killed if it never does)."""
    for _ in range(600):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit(f"the {name} server did not listen")


async def form_token(http: aiohttp.ClientSession, base: str) -> str | int:
    """The sign-in form's token; the page's status if it was not served (the console yields)."""
    async with http.get(f"{base}/console/connexion") as page:
        await page.read()
        if page.status != 200:
            return page.status
        return page.cookies["frontdoor_signin"].value


async def sign_in(http: aiohttp.ClientSession, base: str, password: str) -> str | int:
    token = await form_token(http, base)
    if isinstance(token, int):
        return token
    async with http.post(
        f"{base}/console/connexion",
        data={"form_token": token, "login": LOGIN, "password": password},
        headers={"Cookie": f"frontdoor_signin={token}"},
        allow_redirects=False,
    ) as answer:
        await answer.read()
        if answer.status == 303:
            return answer.cookies["frontdoor_session"].value  # type: ignore[return-value]
        return answer.status


async def live_stream(
    http: aiohttp.ClientSession,
    base: str,
    cookie: str,
    done: Counter[str],
    stop: asyncio.Event,
    *,
    after_s: float = 0.0,
) -> None:
    """One inbox tab: its stream asked once and read until the flood stops. As EventSource does,
    a refused stream is not asked again, nor one that the service ended (another tab took its
    place: the page says to reload)."""
    await asyncio.sleep(after_s)
    async with http.get(
        f"{base}/console/flux?departement=dac46&depuis=0",
        headers={"Cookie": f"frontdoor_session={cookie}", "Accept": "text/event-stream"},
    ) as answer:
        done[f"live streams {answer.status}"] += 1
        if answer.status != 200:
            await answer.read()
            return
        reading = asyncio.ensure_future(_events(answer, done))
        stopping = asyncio.ensure_future(stop.wait())
        await asyncio.wait((reading, stopping), return_when=asyncio.FIRST_COMPLETED)
        reading.cancel()
        stopping.cancel()


async def _events(answer: aiohttp.ClientResponse, done: Counter[str]) -> None:
    async for line in answer.content:
        if line.startswith(b"event:"):
            done["live events"] += 1


async def flood(
    name: str, base: str, session_cookie: str, done: Counter[str], stop: asyncio.Event
) -> None:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as http:
        while not stop.is_set():
            if name == "sign-ins":
                status = await sign_in(http, base, "not the password at all")
            elif name == "xlsx exports":
                async with http.get(
                    f"{base}/console/indicateurs.xlsx?periode=2026",
                    headers={"Cookie": f"frontdoor_session={session_cookie}"},
                ) as answer:
                    await answer.read()
                    status = answer.status
            else:
                async with http.get(f"{base}/console/annuaire/{'a' * 8000}") as answer:
                    await answer.read()
                    status = answer.status
            done[f"{name} {status}"] += 1


async def calls(
    base: str, signed: list[tuple[str, str]], seconds: float
) -> tuple[list[float], Counter[str]]:
    latencies: list[float] = []
    statuses: Counter[str] = Counter()

    async def one(http: aiohttp.ClientSession, signature: str, body: str) -> None:
        started = time.perf_counter()
        async with http.post(
            f"{base}/twilio/voice",
            data=body,
            headers={
                "X-Twilio-Signature": signature,
                "Content-Type": "application/x-www-form-urlencoded",
            },
        ) as answer:
            await answer.read()
            statuses[str(answer.status)] += 1
        latencies.append(time.perf_counter() - started)

    async with aiohttp.ClientSession() as http:
        sent = []
        began = time.perf_counter()
        for index in range(int(seconds * CALLS_PER_S)):
            await asyncio.sleep(max(0.0, began + index / CALLS_PER_S - time.perf_counter()))
            signature, body = signed.pop()
            sent.append(asyncio.create_task(one(http, signature, body)))
        await asyncio.gather(*sent)
    return latencies, statuses


FLOOD_CLIENTS = {"sign-ins": 8, "xlsx exports": 2, "8 KB URLs": 4}
OPENING_S = 5.0  # over which the live streams are asked
# How long a scenario waits for the console to be served again after the one before (it
# yields to the callers while the loop is overloaded, and for a few seconds after the flood).
CALM_WITHIN_S = 60.0


async def flood_process(base: str, cookie: str, floods: list[str]) -> None:
    """The floods, in a process of their own (`--flood`): the calls' client keeps its loop to
    itself, so that its latencies are the server's, not a flooded client's. Floods from
    "ready" until stdin closes, then prints what they got done (JSON). The live streams'
    session cookies come on stdin's first line."""
    stop, done = asyncio.Event(), Counter[str]()
    viewers = json.loads(await asyncio.to_thread(sys.stdin.readline))
    streams = aiohttp.ClientSession(
        cookie_jar=aiohttp.DummyCookieJar(),
        connector=aiohttp.TCPConnector(limit=0),
        timeout=aiohttp.ClientTimeout(total=None, sock_read=None),
    )
    running = [
        asyncio.create_task(flood(name, base, cookie, done, stop))
        for name in floods
        if name != "live streams"
        for _ in range(FLOOD_CLIENTS[name])
    ]
    if "live streams" in floods:
        tabs = [viewer for viewer in viewers for _ in range(STREAMS_PER_SESSION)]
        # Asked over OPENING_S, as browsers open their pages through a morning (all at once
        # they are a flood of their own, which the console yields to the callers before).
        running += [
            asyncio.create_task(
                live_stream(
                    streams, base, viewer, done, stop, after_s=index * OPENING_S / len(tabs)
                )
            )
            for index, viewer in enumerate(tabs)
        ]
        await asyncio.sleep(OPENING_S + 1.0)  # every stream asked and looking before the calls
    print("ready", flush=True)
    await asyncio.to_thread(sys.stdin.read)
    stop.set()
    await asyncio.gather(*running)
    await streams.close()
    print(json.dumps(done), flush=True)


async def stream_viewers(database_url: str) -> list[str]:
    """Session cookies of the live inbox's viewers, made in the bench's database (accounts
    without a password: they never sign in, their sessions are written as a sign-in does)."""
    from frontdoor.core.access import Role
    from frontdoor.store.accounts import add_account, open_session
    from frontdoor.store.db import create_engine, session_maker

    engine = create_engine(database_url)
    now = datetime.now(UTC)
    cookies = []
    try:
        async with session_maker(engine)() as session:
            for number in range(STREAM_ACCOUNTS):
                account = await add_account(
                    session=session, login=f"vue{number}@dac46.fr", display_name=f"Vue {number}",
                    role=Role.COORDINATOR, departments=["dac46"], password_hash=None,
                    referent_id=None, now=now,
                )  # fmt: skip
                for _ in range(SESSIONS_PER_ACCOUNT):
                    token, _row = await open_session(
                        session=session, account=account, now=now, lifetime=timedelta(days=1)
                    )
                    cookies.append(token)
            await session.commit()
    finally:
        await engine.dispose()
    return cookies


async def console_served(base: str) -> None:
    """Once the console is served again: each scenario starts from a calm service."""
    async with aiohttp.ClientSession() as http:
        deadline = time.monotonic() + CALM_WITHIN_S
        while time.monotonic() < deadline:
            async with http.get(f"{base}/console/connexion") as page:
                await page.read()
                if page.status != 503:
                    return
            await asyncio.sleep(0.5)
    raise SystemExit(f"the console still yields after {CALM_WITHIN_S:g} s of calm")


async def scenario(
    base: str,
    signed: list[tuple[str, str]],
    seconds: float,
    floods: tuple[str, ...],
    cookie: str,
    viewers: list[str],
) -> dict[str, object]:
    done = Counter[str]()
    await console_served(base)
    if floods:
        flooding = await asyncio.create_subprocess_exec(
            sys.executable, __file__, "--flood", base, cookie, *floods,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        assert flooding.stdin is not None
        assert flooding.stdout is not None
        flooding.stdin.write(json.dumps(viewers).encode() + b"\n")
        await flooding.stdout.readline()  # "ready"
        await asyncio.sleep(1.0)  # the floods under way before measuring
    latencies, statuses = await calls(base, signed, seconds)
    if floods:
        told, _ = await flooding.communicate(b"")  # stdin closed: the floods stop
        done.update(json.loads(told))
    ordered = sorted(latencies)
    return {
        "p50": statistics.median(ordered),
        "p99": ordered[int(0.99 * (len(ordered) - 1))],
        "max": ordered[-1],
        "calls": statuses,
        "floods": done,
    }


async def run_mode(
    mode: str, seconds: float, signed: list[tuple[str, str]], folder: Path, cpus: set[int] | None
) -> list[tuple[str, dict[str, object]]]:
    port = free_port()
    server = start_server(mode, folder, port, cpus)  # before any load: blocking is harmless here
    base = f"http://127.0.0.1:{port}"
    rows = []
    try:
        async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as http:
            cookie = await sign_in(http, base, PASSWORD)
        assert isinstance(cookie, str), f"the bench account could not sign in ({cookie})"
        viewers = await stream_viewers(database_url(mode, folder))
        for floods in ((), *((name,) for name in FLOODS), FLOODS[:3], FLOODS):
            label = COMBINED.get(floods) or " + ".join(floods) or "alone"
            print(f"  {mode}: calls {label}…", file=sys.stderr)
            rows.append((label, await scenario(base, signed, seconds, floods, cookie, viewers)))
    finally:
        server.terminate()
        server.wait(timeout=60)
    return rows


def table(results: dict[str, list[tuple[str, dict[str, object]]]]) -> str:
    lines = [
        "| code | calls while… | p50 ms | p99 ms | max ms | calls answered | floods got done |",
        "| --- | --- | ---: | ---: | ---: | --- | --- |",
    ]
    for mode, rows in results.items():
        for label, row in rows:
            calls_done = ", ".join(f"{n}× {s}" for s, n in sorted(row["calls"].items()))  # type: ignore[attr-defined]
            floods = ", ".join(f"{n}× {k}" for k, n in sorted(row["floods"].items())) or "—"  # type: ignore[attr-defined]
            lines.append(
                f"| {mode} | {label} | {row['p50'] * 1000:.0f} | {row['p99'] * 1000:.0f} | "  # type: ignore[operator]
                f"{row['max'] * 1000:.0f} | {calls_done} | {floods} |"  # type: ignore[operator]
            )
    return "\n".join(lines)


async def main() -> None:
    if sys.argv[1:2] == ["--flood"]:
        base, cookie, *floods = sys.argv[2:]
        return await flood_process(base, cookie, floods)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="measured per scenario")
    parser.add_argument(
        "--modes",
        nargs="+",
        default=["processes", "threads"],
        choices=["processes", "threads", "inline"],
    )
    parser.add_argument(
        "--apart",
        action="store_true",
        help="the service and its workers on the first CPU, the clients (calls and floods) on "
        "the others: floods come from elsewhere in production, not from the service's CPUs",
    )
    args = parser.parse_args()
    server_cpus = None
    if args.apart:
        cpus = sorted(os.sched_getaffinity(0))
        if len(cpus) < 2:
            raise SystemExit("--apart needs two CPUs at least")
        server_cpus = set(cpus[:1])
        os.sched_setaffinity(0, cpus[1:])  # this client, and the floods' process it starts
    per_mode = int(args.seconds * CALLS_PER_S) * (len(FLOODS) + 1 + len(COMBINED))
    with tempfile.TemporaryDirectory(prefix="frontdoor-loop-") as work:
        folder = Path(work)
        signed = signed_calls(per_mode * len(args.modes), folder)
        results = {
            mode: await run_mode(mode, args.seconds, signed, folder, server_cpus)
            for mode in args.modes
        }
    where = ", the service on one and the clients on the others" if args.apart else ""
    print(f"{os.cpu_count()} CPUs{where}, {CALLS_PER_S} calls/s for {args.seconds:g} s per row\n")
    print(table(results))


if __name__ == "__main__":
    asyncio.run(main())
