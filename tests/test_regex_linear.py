"""No regular expression of the service backtracks: each is linear on the inputs that make a
careless pattern quadratic or worse (a long run of one character class, then a character
that makes the match fail). Patterns run on the event loop, on what callers, senders and
browsers send: a pattern that takes seconds on 8 KB stalls every call in progress (the
access log's mail pattern did). Generated from every compiled pattern in the package, so a
new one is checked without anyone remembering to."""

from __future__ import annotations

import importlib
import itertools
import pkgutil
import re
import signal
import time
from collections.abc import Iterator
from types import FrameType

import pytest

import frontdoor

LENGTH = 50_000  # a quadratic pattern takes seconds here, a linear one milliseconds
BOUND_S = 2.0  # generous: a busy machine is slower, not a thousand times slower
PIECES = ("a", "1", "0", ".", "-", "_", " ", "+", "@", "/", ":", "\t", "a.", "a-", "a1", "1-",
          "1 ", "00 ", "+1", "a@", "@a", "a@a.", "[1-", "<a", "{1", "a ", "=a")  # fmt: skip
ENDINGS = ("", "!", "\x00", " x", "@")
BEGINNINGS = ("", "a@", "<", "[")


def _patterns() -> Iterator[tuple[str, re.Pattern[str] | re.Pattern[bytes]]]:
    seen: set[int] = set()
    for module in pkgutil.walk_packages(frontdoor.__path__, "frontdoor."):
        if module.name.startswith("frontdoor.migrations") or module.name == "frontdoor.__main__":
            continue
        loaded = importlib.import_module(module.name)
        for name, value in vars(loaded).items():
            if isinstance(value, re.Pattern) and id(value) not in seen:  # imported ones once
                seen.add(id(value))
                yield f"{module.name}.{name}", value


PATTERNS = dict(_patterns())


def _on_alarm(_signum: int, _frame: FrameType | None) -> None:
    raise TimeoutError


def test_the_package_has_patterns_to_check() -> None:
    assert "frontdoor.logs._MAIL" in PATTERNS
    assert any(isinstance(p.pattern, bytes) for p in PATTERNS.values())


def _took_too_long(pattern: re.Pattern[str] | re.Pattern[bytes], text: str) -> bool:
    subject = text.encode("latin-1", "replace") if isinstance(pattern.pattern, bytes) else text
    started = time.perf_counter()
    signal.setitimer(signal.ITIMER_REAL, BOUND_S)  # re checks for signals as it runs
    try:
        pattern.search(subject)  # type: ignore[arg-type]
    except TimeoutError:
        return True
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return time.perf_counter() - started > BOUND_S


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_a_pattern_is_linear_on_long_runs(name: str) -> None:
    pattern = PATTERNS[name]
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    try:
        # The first slow input fails it: a backtracking pattern is slow on hundreds of them,
        # and waiting for each would hold the suite for many minutes.
        slow = next(
            (
                f"{beginning!r} + {piece!r} × {LENGTH // len(piece)} + {ending!r}"
                for piece, beginning, ending in itertools.product(PIECES, BEGINNINGS, ENDINGS)
                if _took_too_long(pattern, beginning + piece * (LENGTH // len(piece)) + ending)
            ),
            None,
        )
    finally:
        signal.signal(signal.SIGALRM, previous)

    assert slow is None, f"{name} ({pattern.pattern!r}) backtracks on: {slow}"
