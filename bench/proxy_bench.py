"""Incoming-call webhooks through nginx (deploy/nginx/frontdoor.conf, TLS) to one and to two
`frontdoor serve` instances on one PostgreSQL database, with 100 departments configured.

Targets, one after the other, each with its own distinct pre-signed calls:
  direct-1  wrk -> one instance (plain HTTP), for reference;
  proxy-1   wrk -> nginx (TLS) -> one instance;
  proxy-2   wrk -> nginx (TLS) -> two instances, round-robin.
Prints a Markdown report and writes it to bench/results/<date>-proxy.md. Run by bench/proxy.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

# After the path: the nginx helpers are the tests' (tests/deploy/nginx.py).
from bench.departments_gen import generate  # noqa: E402
from tests.deploy.nginx import NGINX, Layout, loopback_certificate, write  # noqa: E402

TOKEN = "bench-auth-token-not-a-twilio-one"
AT = "2026-05-12T10:00:00+02:00"  # a Tuesday morning: the open path (greeting, first menu)


@dataclass
class Figures:
    target: str
    instances: int
    rps: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    non_2xx: int
    errors: int
    repeated: int
    rss_idle_mb: list[float]
    rss_peak_mb: list[float]
    nginx_rss_mb: float | None


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def memory_mb(pid: int, field: str) -> float:
    """VmRSS (now) or VmHWM (peak) of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} for {pid}")


def children_rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (nginx: master and workers)."""
    total = memory_mb(pid, "VmRSS")
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        total += memory_mb(int(child), "VmRSS")
    return total


def tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:] if log.exists() else ""


async def wait_port(port: int, process: asyncio.subprocess.Process, log: Path) -> None:
    async with asyncio.timeout(60):
        while True:
            if process.returncode is not None:
                raise SystemExit(f"exited before listening:\n{tail(log)}")
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                await asyncio.sleep(0.1)
                continue
            writer.close()
            await writer.wait_closed()
            return


async def stop(process: asyncio.subprocess.Process, sig: int = signal.SIGTERM) -> None:
    if process.returncode is None:
        process.send_signal(sig)
        try:
            async with asyncio.timeout(20):
                await process.wait()
        except TimeoutError:
            process.kill()
            await process.wait()


def sign(count: int, public_url: str, out: Path) -> None:
    subprocess.run(
        [sys.executable, str(HERE / "make_requests.py"), "--count", str(count),
         "--public-url", public_url, "--token", TOKEN, "--at", AT, "--out", str(out)],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def wrk(url: str, calls: Path, seconds: int, args: argparse.Namespace) -> dict[str, float]:
    result = subprocess.run(
        ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{seconds}s", "--timeout", "5s",
         "-s", str(HERE / "calls.lua"), url, "--", str(calls), "/twilio/voice", str(args.threads)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    line = next(x for x in result.stdout.splitlines() if x.startswith("BENCH_JSON "))
    figures: dict[str, float] = json.loads(line.removeprefix("BENCH_JSON "))
    return figures


async def run_target(
    name: str, instances: int, proxied: bool, args: argparse.Namespace, work: Path, db: str,
    flows: Path, tls: tuple[Path, Path],
) -> Figures:  # fmt: skip
    https_port = free_port()
    ports = [free_port() for _ in range(instances)]
    public_url = f"https://127.0.0.1:{https_port}" if proxied else f"http://127.0.0.1:{ports[0]}"
    calls = {phase: work / f"{name}-{phase}.txt" for phase in ("warmup", "measure")}
    await asyncio.to_thread(sign, args.max_rps * args.warmup, public_url, calls["warmup"])
    await asyncio.to_thread(sign, args.max_rps * args.duration, public_url, calls["measure"])
    servers = []
    for index, port in enumerate(ports):
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("FRONTDOOR_", "TWILIO_"))},
            "FRONTDOOR_DATABASE_URL": db, "FRONTDOOR_PUBLIC_URL": public_url,
            "FRONTDOOR_HOST": "127.0.0.1", "FRONTDOOR_PORT": str(port),
            "FRONTDOOR_FLOWS_DIR": str(flows), "FRONTDOOR_TEMPLATES_DIR": str(ROOT / "templates"),
            # The development mode: simulated time and the development pseudonym key.
            "TWILIO_AUTH_TOKEN": TOKEN, "FRONTDOOR_DEV_MODE": "true",
            "FRONTDOOR_SIMULATED_TIME": "true",
            # No job: they would send SMS through Twilio's API; this measures webhooks only.
            "FRONTDOOR_JOBS_ENABLED": "false", "FRONTDOOR_INSTANCE_NAME": f"{name}-{index}",
        }  # fmt: skip
        log = work / f"{name}-{index}.log"
        with log.open("wb") as out:
            process = await asyncio.create_subprocess_exec(
                str(ROOT / ".venv" / "bin" / "frontdoor"), "serve", env=env, cwd=work,
                stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        servers.append(process)
        await wait_port(port, process, log)
    nginx = None
    try:
        rss_idle = [memory_mb(p.pid, "VmRSS") for p in servers]
        url = f"http://127.0.0.1:{ports[0]}"
        if proxied:
            certificate, key = tls
            layout = Layout(
                folder=work / f"{name}-nginx", upstreams=[f"127.0.0.1:{p}" for p in ports],
                http_port=free_port(), https_port=https_port, certificate=certificate, key=key,
            )  # fmt: skip
            write(layout)
            nginx = await asyncio.create_subprocess_exec(
                NGINX, "-p", str(layout.folder), "-c", str(layout.main),
                "-e", str(layout.folder / "error.log"), "-g", "daemon off;",
            )  # fmt: skip
            await wait_port(https_port, nginx, layout.folder / "error.log")
            url = public_url
        print(f"  {name}: warm-up {args.warmup} s, measure {args.duration} s", file=sys.stderr)
        await asyncio.to_thread(wrk, url, calls["warmup"], args.warmup, args)
        measured = await asyncio.to_thread(wrk, url, calls["measure"], args.duration, args)
        nginx_rss = children_rss_mb(nginx.pid) if nginx is not None else None
        rss_peak = [memory_mb(p.pid, "VmHWM") for p in servers]
    finally:
        if nginx is not None:
            await stop(nginx, signal.SIGQUIT)
        for process in servers:
            await stop(process)
    return Figures(
        target=name, instances=instances, rps=measured["rps"], p50_ms=measured["p50_ms"],
        p99_ms=measured["p99_ms"], max_ms=measured["max_ms"], non_2xx=int(measured["non_2xx"]),
        errors=int(sum(measured[k] for k in ("connect_errors", "read_errors", "write_errors",
                                               "timeouts"))),
        repeated=int(measured["repeated"]), rss_idle_mb=rss_idle, rss_peak_mb=rss_peak,
        nginx_rss_mb=nginx_rss,
    )  # fmt: skip


def report(results: list[Figures], args: argparse.Namespace, departments: int) -> str:
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")), "unknown CPU",
    )  # fmt: skip
    nginx_version = subprocess.run([NGINX, "-v"], capture_output=True, text=True).stderr.strip()
    lines = [
        f"# Webhooks through nginx, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"{os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}, {nginx_version}, "
        f"wrk {args.threads} threads / {args.connections} connections, warm-up {args.warmup} s, "
        f"measured {args.duration} s; {departments} departments configured; PostgreSQL.",
        "",
        "| target | instances | req/s | p50 ms | p99 ms | max ms | non-2xx | errors | RSS idle MB "
        "| RSS peak MB | nginx RSS MB |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | ---: |",
    ]
    notes = []
    for r in results:
        idle = " / ".join(f"{mb:.0f}" for mb in r.rss_idle_mb)
        peak = " / ".join(f"{mb:.0f}" for mb in r.rss_peak_mb)
        nginx = f"{r.nginx_rss_mb:.0f}" if r.nginx_rss_mb is not None else "—"
        lines.append(
            f"| {r.target} | {r.instances} | {r.rps:,.0f} | {r.p50_ms:.1f} | {r.p99_ms:.1f} "
            f"| {r.max_ms:.0f} | {r.non_2xx} | {r.errors} | {idle} | {peak} | {nginx} |"
        )
        if r.repeated:
            notes.append(f"{r.target}: {r.repeated} calls sent twice (answered from receipts): "
                         "raise --max-rps.")  # fmt: skip
    return "\n".join([*lines, "", *notes]) + "\n"


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--departments", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--max-rps", type=int, default=4000, help="rate the signed calls cover")
    parser.add_argument("--targets", default="direct-1,proxy-1,proxy-2")
    parser.add_argument("--pg-admin-url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--pg-db", default="frontdoor_bench_proxy")
    args = parser.parse_args()
    shapes = {"direct-1": (1, False), "proxy-1": (1, True), "proxy-2": (2, True)}
    targets = args.targets.split(",")
    if unknown := set(targets) - set(shapes):
        parser.error(f"unknown targets {sorted(unknown)}; known: {sorted(shapes)}")

    bench_db = [sys.executable, str(HERE / "bench_db.py")]
    with tempfile.TemporaryDirectory(prefix="frontdoor-proxy-bench.") as folder:
        work = Path(folder)
        flows = work / "flows"
        departments = len(generate(args.departments, flows))
        _, certificate, key = loopback_certificate(work)
        await asyncio.to_thread(
            subprocess.run, [*bench_db, "create", args.pg_admin_url, args.pg_db], check=True
        )
        db = args.pg_admin_url.rsplit("/", 1)[0] + "/" + args.pg_db
        db = db.replace("postgresql:", "postgresql+asyncpg:", 1)
        try:
            results = []
            for name in targets:
                instances, proxied = shapes[name]
                results.append(
                    await run_target(
                        name, instances, proxied, args, work, db, flows, (certificate, key)
                    )
                )
        finally:
            await asyncio.to_thread(
                subprocess.run, [*bench_db, "drop", args.pg_admin_url, args.pg_db], check=False
            )
    text = report(results, args, departments)
    out = HERE / "results" / f"{datetime.now(UTC):%Y-%m-%dT%H%M%SZ}-proxy.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(text)
    print(f"written: {out.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
