"""`frontdoor serve --workers N`: N instances of their own, and none left alone."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from frontdoor.cli import main
from frontdoor.serve_workers import serve, worker_settings
from frontdoor.settings import Settings


def test_each_worker_is_an_instance_of_its_own_name(settings: Settings) -> None:
    names = {worker_settings(settings, index).instance_name for index in (1, 2, 3)}

    assert names == {f"{settings.instance_name}-{index}" for index in (1, 2, 3)}


def test_every_worker_runs_in_its_own_process_and_one_ending_ends_the_service(
    tmp_path: Path,
) -> None:
    def run(index: int) -> int:
        (tmp_path / f"worker-{index}").write_text(str(os.getpid()))
        if index != 1:
            signal.pause()  # serving, until stopped
        while len(list(tmp_path.glob("worker-*"))) < 3:  # worker 1 ends once all have started
            signal.sigtimedwait([], 0.01)
        return 0

    status = serve(3, run)

    pids = {(tmp_path / f"worker-{index}").read_text() for index in (1, 2, 3)}
    assert len(pids) == 3
    assert status == 1  # they ended without being asked to


def test_a_number_of_workers_out_of_bounds_is_refused(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["serve", "--workers", "0"]) == 2
    assert "--workers" in capsys.readouterr().err
