"""Password hashing: Argon2id with the library's current parameters (RFC 9106), in the CPU
pool's threads only (Argon2 releases the GIL while it hashes: frontdoor.cpu).

A hash costs a quarter of a second of CPU and 64 MiB on purpose: on the event loop, a few
dozen sign-ins would hold every webhook that long. So the hasher is private to this module
and reached through coroutines that run it in the pool (tests/test_loop_blocking.py holds
that nothing else imports argon2).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from frontdoor.core import passwords as rules
from frontdoor.cpu import WAITING_PER_WORKER, CpuThreads, default_workers

_HASHER = PasswordHasher()
# Verified when the login is unknown (or has no password), so that every refusal costs one
# verification, as long as a wrong password does. Hashed once, when the module is loaded.
_DECOY = _HASHER.hash("frontdoor-decoy-password")
# The threads each hash runs on (Argon2's parallelism).
HASH_LANES = _HASHER.parallelism


@dataclass(kw_only=True, frozen=True)
class Checked:
    matches: bool
    # The password hashed again with the library's current parameters, when they changed.
    rehashed: str | None = None


def hashing_threads(*, counters: Counter[str] | None = None) -> CpuThreads:
    """The pool the service hashes in (sized by `hashing_pool_size` for this process's CPUs)."""
    workers, waiting = hashing_pool_size(cpus=default_workers(), lanes=HASH_LANES)
    return CpuThreads(workers=workers, waiting=waiting, counters=counters)


def hashing_pool_size(*, cpus: int, lanes: int) -> tuple[int, int]:
    """(hashes at once, hashes waiting) for a host of `cpus` CPUs.

    A hash runs its `lanes` on as many threads of its own: as many hashes at once as fill the
    CPUs once, not `lanes` times over (on two CPUs, two hashes of four lanes made callers'
    webhooks wait half as long again: bench/README.md). As many admitted, running or waiting,
    as one hash per CPU would admit: a morning's burst of sign-ins waits its turn rather than
    being refused."""
    workers = max(1, cpus // lanes)
    return workers, max(0, cpus * (1 + WAITING_PER_WORKER) - workers)


async def hash_password(cpu: CpuThreads, password: str) -> str:
    return await cpu.run("password_hash", _HASHER.hash, password)


async def check_password(cpu: CpuThreads, stored_hash: str | None, password: str) -> Checked:
    """Whether `password` matches; a missing hash costs the same and never matches."""
    return await cpu.run("password_check", _check, stored_hash, password)


def _check(stored_hash: str | None, password: str) -> Checked:
    try:
        matches = _HASHER.verify(stored_hash or _DECOY, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return Checked(matches=False)
    if matches and stored_hash and _HASHER.check_needs_rehash(stored_hash):
        return Checked(matches=True, rehashed=_HASHER.hash(password))
    return Checked(matches=matches)


@cache
def common_passwords() -> frozenset[str]:
    text = files("frontdoor.console").joinpath("common_passwords.txt").read_text("utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


def weakness(password: str) -> str | None:
    """Why a new password is refused, in French; None when it is acceptable."""
    return rules.weakness(password, common=common_passwords())
