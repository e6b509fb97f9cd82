"""Files that hold personal data on local disk: only their owner may read them.

Mail attachments, the outage journal, an SQLite database: created 0600 in folders 0700,
whatever the process's umask, and an existing one found more open is closed again.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO

FILE_MODE = 0o600
FOLDER_MODE = 0o700


def private_folder(folder: Path, *, root: Path | None = None) -> Path:
    """Make `folder` (and each folder between `root` and it) exist, owner-only."""
    chain = [folder]
    if root is not None:
        chain = [root, *reversed([p for p in folder.parents if root in p.parents]), folder]
    for path in chain:
        path.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
        os.chmod(path, FOLDER_MODE)
    return folder


def write_private(path: Path, data: bytes) -> None:
    """Replace the file's content with `data`: a new file (0600) renamed over the old one,
    so that a reader never sees half of it."""
    temporary = path.with_name(f".{path.name}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        try:
            os.fchmod(descriptor, FILE_MODE)
            with os.fdopen(descriptor, "wb", closefd=False) as file:
                file.write(data)
                file.flush()
                os.fsync(descriptor)
        finally:
            os.close(descriptor)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)  # a full disk leaves no half file behind
        raise


def open_private(path: Path) -> IO[str]:
    """Open a text file to append to, created (or made) 0600."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
    os.fchmod(descriptor, FILE_MODE)
    return os.fdopen(descriptor, "a", encoding="utf-8")


def private_file(path: Path) -> None:
    """Make sure a file that another library writes (an SQLite database) exists, 0600,
    before it opens it; a missing folder is made private (an existing one is left as is)."""
    if not path.parent.exists():
        private_folder(path.parent)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE)
    try:
        os.fchmod(descriptor, FILE_MODE)
    finally:
        os.close(descriptor)
