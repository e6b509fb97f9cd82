"""Twilio's Voice JavaScript SDK for the browser-phone tests: built from npm with the committed
lock (deploy/voice-sdk) by scripts/voice-sdk.sh, once per version of the lock, into a cache
folder (FRONTDOOR_VOICE_SDK_CACHE, else ~/.cache/frontdoor/voice-sdk)."""

from __future__ import annotations

import fcntl
import hashlib
import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOCK_FILES = (ROOT / "deploy/voice-sdk/package.json", ROOT / "deploy/voice-sdk/package-lock.json")


def voice_sdk_dir() -> Path:
    """The folder holding twilio.min.js, installed the first time (under a lock: test
    workers start together)."""
    digest = hashlib.sha256(b"".join(path.read_bytes() for path in LOCK_FILES)).hexdigest()
    cache = Path(
        os.environ.get("FRONTDOOR_VOICE_SDK_CACHE")
        or Path.home() / ".cache" / "frontdoor" / "voice-sdk"
    )
    folder = cache / digest[:16]
    cache.mkdir(parents=True, exist_ok=True)
    with (cache / "install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (folder / "twilio.min.js").exists():
            subprocess.run(
                [str(ROOT / "scripts/voice-sdk.sh"), str(folder)],
                check=True, timeout=600, stdout=subprocess.DEVNULL,
            )  # fmt: skip
    return folder
