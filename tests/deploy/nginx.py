"""The shipped nginx configuration, run on loopback: its paths and addresses moved to a folder.

Only what is host-specific is rewritten (upstream servers, listening ports, certificate and log
paths); every directive that decides how requests reach Frontdoor runs as shipped. Each rewrite
must find its line, so a change to the shipped file that breaks one fails loudly here.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
import trustme

from tests.conftest import ROOT
from tests.waiting import eventually

SHIPPED = ROOT / "deploy" / "nginx" / "frontdoor.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def have_nginx() -> bool:
    return os.access(NGINX, os.X_OK)


# Skipped on a developer's machine without nginx; in CI (which installs it) never skipped.
needs_nginx = pytest.mark.skipif(
    not have_nginx() and os.environ.get("CI") != "true",
    reason="needs nginx (scripts/system-packages.sh installs it)",
)


def loopback_certificate(folder: Path) -> tuple[trustme.CA, Path, Path]:
    """A test CA and, as files nginx reads, a certificate for 127.0.0.1 and its key."""
    ca = trustme.CA()
    issued = ca.issue_cert("127.0.0.1")
    certificate, key = folder / "fullchain.pem", folder / "privkey.pem"
    issued.cert_chain_pems[0].write_to_path(certificate)
    for blob in issued.cert_chain_pems[1:]:
        blob.write_to_path(certificate, append=True)
    issued.private_key_pem.write_to_path(key)
    return ca, certificate, key


@dataclass(kw_only=True, frozen=True)
class Layout:
    """Where the local nginx listens, reads its certificate and writes its files."""

    folder: Path
    upstreams: Sequence[str]  # "127.0.0.1:8081", …
    http_port: int
    https_port: int
    certificate: Path
    key: Path

    @property
    def access_log(self) -> Path:
        return self.folder / "frontdoor.access.log"

    @property
    def main(self) -> Path:
        return self.folder / "nginx.conf"


def _replace(text: str, pattern: str, replacement: str, *, count: int = 0) -> str:
    changed, found = re.subn(pattern, replacement, text, flags=re.MULTILINE)
    assert found, f"{SHIPPED.name}: no line like {pattern!r}"
    assert count in (0, found), f"{SHIPPED.name}: {found} lines like {pattern!r}, not {count}"
    return changed


def local_config(layout: Layout, shipped: str | None = None) -> str:
    """The shipped server configuration with its host-specific lines moved to `layout`."""
    text = SHIPPED.read_text(encoding="utf-8") if shipped is None else shipped
    servers = "".join(
        f"    server {address} max_fails=1 fail_timeout=10s;\n" for address in layout.upstreams
    )
    text = _replace(text, r"^    server \S+:\d+ [^\n]*;\n", "", count=2)
    text = _replace(text, r"^(upstream frontdoor \{\n(?:    #[^\n]*\n)*)", r"\g<1>" + servers)
    text = _replace(text, r"^    listen \[::\]:\d+[^;]*;\n", "", count=2)
    text = _replace(text, r"^    listen 80;", f"    listen 127.0.0.1:{layout.http_port};")
    text = _replace(text, r"^    listen 443 ssl;", f"    listen 127.0.0.1:{layout.https_port} ssl;")
    text = _replace(
        text, r"^    ssl_certificate \S+;", f"    ssl_certificate {layout.certificate};"
    )
    text = _replace(
        text, r"^    ssl_certificate_key \S+;", f"    ssl_certificate_key {layout.key};"
    )
    return _replace(text, r"access_log /var/log/nginx/\S+ ", f"access_log {layout.access_log} ")


def write(layout: Layout) -> Path:
    """nginx.conf (with the rewritten shipped file included in its http block) in the folder."""
    layout.folder.mkdir(parents=True, exist_ok=True)
    included = layout.folder / "frontdoor.conf"
    included.write_text(local_config(layout), encoding="utf-8")
    temp = {name: layout.folder / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for path in temp.values():
        path.mkdir(exist_ok=True)
    # As root, workers would drop to "nobody", who cannot enter pytest's private folders.
    user = "user root;\n" if os.geteuid() == 0 else ""
    layout.main.write_text(
        f"{user}worker_processes 1;\n"
        f"pid {layout.folder / 'nginx.pid'};\n"
        f"error_log {layout.folder / 'error.log'} warn;\n"
        "events { worker_connections 512; }\n"
        "http {\n"
        f"    client_body_temp_path {temp['body']};\n"
        f"    proxy_temp_path {temp['proxy']};\n"
        f"    fastcgi_temp_path {temp['fastcgi']};\n"
        f"    uwsgi_temp_path {temp['uwsgi']};\n"
        f"    scgi_temp_path {temp['scgi']};\n"
        f"    include {included};\n"
        "}\n",
        encoding="utf-8",
    )
    return layout.main


def _command(layout: Layout, *extra: str) -> list[str]:
    error_log = str(layout.folder / "error.log")
    return [NGINX, "-p", str(layout.folder), "-c", str(layout.main), "-e", error_log, *extra]


def check(layout: Layout) -> subprocess.CompletedProcess[str]:
    """`nginx -t` on the written configuration."""
    return subprocess.run(
        _command(layout, "-t"), capture_output=True, text=True, timeout=30, check=False
    )


class Proxy:
    """nginx in the foreground (`daemon off`), started and stopped by the test."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        write(self.layout)
        self.process = await asyncio.create_subprocess_exec(
            *_command(self.layout, "-g", "daemon off;"),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        async with asyncio.timeout(10):
            while True:
                assert self.process.returncode is None, f"nginx exited:\n{self.errors()}"
                try:
                    _, writer = await asyncio.open_connection("127.0.0.1", self.layout.https_port)
                except OSError:
                    await asyncio.sleep(0.05)
                    continue
                writer.close()
                await writer.wait_closed()
                return

    async def stop(self) -> None:
        if self.process is None or self.process.returncode is not None:
            return
        self.process.send_signal(signal.SIGQUIT)  # graceful: workers finish, then exit
        try:
            async with asyncio.timeout(10):
                await self.process.wait()
        except TimeoutError:
            self.process.kill()
            await self.process.wait()

    def errors(self) -> str:
        path = self.layout.folder / "error.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def access(self) -> list[str]:
        path = self.layout.access_log
        return path.read_text(errors="replace").splitlines() if path.exists() else []

    async def logged(self, count: int) -> list[str]:
        """The access log once it has `count` lines: nginx logs a request after answering it."""
        await eventually(lambda: len(self.access()) >= count)
        return self.access()
