"""A real FHIR R4 server for the tests: Medplum's FHIR router over its in-memory repository
(server.mjs), installed from npm with the committed lock, once per version of these files,
into a cache folder (FRONTDOOR_FHIR_SERVER_CACHE, else ~/.cache/frontdoor/fhir-server)."""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).parent
FILES = ("package.json", "package-lock.json", "server.mjs")


def installed() -> Path:
    """The folder holding server.mjs and its node_modules, installed by `npm ci` the first
    time (under a lock: test workers start together)."""
    digest = hashlib.sha256(b"".join((HERE / name).read_bytes() for name in FILES)).hexdigest()
    cache = Path(
        os.environ.get("FRONTDOOR_FHIR_SERVER_CACHE")
        or Path.home() / ".cache" / "frontdoor" / "fhir-server"
    )
    folder = cache / digest[:16]
    cache.mkdir(parents=True, exist_ok=True)
    with (cache / "install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (folder / ".installed").exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            for name in FILES:
                shutil.copy(HERE / name, folder / name)
            subprocess.run(
                ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=folder, check=True, timeout=600, stdout=subprocess.DEVNULL,
            )  # fmt: skip
            (folder / ".installed").touch()
    return folder


@contextmanager
def fhir_server() -> Iterator[str]:
    """The base URL of a running server, stopped on leaving."""
    process = subprocess.Popen(
        ["node", "server.mjs", "0"], cwd=installed(), stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()  # "listening PORT", or nothing if node stopped
        if not line.startswith("listening "):
            raise RuntimeError(f"the FHIR server did not start: {line!r}")
        yield f"http://127.0.0.1:{line.split()[1]}"
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()  # type: ignore[union-attr]
