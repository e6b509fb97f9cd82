"""What a private file or folder must be: the owner's alone."""

from __future__ import annotations

import stat
from pathlib import Path


def assert_private(root: Path) -> None:
    """Every file under `root` 0600, every folder (root included) 0700."""
    assert mode(root) == 0o700, root
    for path in root.rglob("*"):
        assert mode(path) == (0o700 if path.is_dir() else 0o600), path


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)
