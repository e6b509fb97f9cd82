"""The ports test servers are given: never one another test process holds, never one in use,
never one the kernel may hand to someone else meanwhile."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests import ports
from tests.conftest import ROOT


def start_at(monkeypatch: pytest.MonkeyPatch, port: int) -> None:
    """The next search begins at this port, as if chance had chosen it."""
    monkeypatch.setattr(ports.random, "randrange", lambda _span: port - ports.FIRST_PORT)


def test_a_port_another_test_process_holds_is_not_handed_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    holds_one = "from tests.ports import free_port; print(free_port(), flush=True); input()"
    other = subprocess.Popen(
        [sys.executable, "-c", holds_one],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert other.stdout is not None
        theirs = int(other.stdout.readline())
        # Nothing listens on it yet: their server has not started, which is the moment that
        # binding port 0 and closing the socket left open to everyone.
        assert ports.bindable(theirs)
        start_at(monkeypatch, theirs)

        assert ports.free_port() != theirs
    finally:
        other.communicate("\n", timeout=30)


def test_a_port_something_listens_on_is_not_taken_for_free() -> None:
    """A service of the machine, or a server still closing, holds no lock file: the port is
    tried before it is handed out. (The port listened on here is one of this process's own,
    so that no other test's reserved port is taken from it.)"""
    port = ports.free_port()
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", port))
        listener.listen()

        assert not ports.bindable(port)
    assert ports.bindable(port)


def test_one_process_is_never_given_the_same_port_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    first = ports.free_port()
    start_at(monkeypatch, first)

    assert ports.free_port() != first


def test_ports_are_outside_the_range_the_kernel_hands_out_by_itself() -> None:
    kernel_range = Path("/proc/sys/net/ipv4/ip_local_port_range")
    if not kernel_range.exists():
        pytest.skip("not Linux")
    low, _high = (int(word) for word in kernel_range.read_text().split())

    assert low >= ports.END_PORT
    assert ports.FIRST_PORT <= ports.free_port() < ports.END_PORT
