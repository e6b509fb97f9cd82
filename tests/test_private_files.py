"""Files holding personal data are their owner's only (0600, in folders 0700), whatever the
process's umask: mail attachments, the outage journal, an SQLite database."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from frontdoor.store.attachments import FolderStore
from frontdoor.store.db import create_engine
from frontdoor.store.journal import Entry, Journal
from tests.private_files import assert_private, mode

NUMBER = "+33611223344"


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The most open umask a process can run with: nothing is masked."""
    before = os.umask(0)
    yield
    os.umask(before)


def entry(number: str, *, at: datetime | None = None) -> Entry:
    return Entry(
        path="/twilio/sms",
        query={},
        form={"From": number, "To": "+33536490046", "Body": "Rappelez-moi", "MessageSid": "SM1"},
        at=at or datetime(2026, 5, 12, 8, 0, tzinfo=UTC),
        key=f"key-{number}",
        answer="<Response/>",
    )


@pytest.mark.usefixtures("open_umask")
def test_attachments_are_private_files_in_private_folders(tmp_path: Path) -> None:
    store = FolderStore(tmp_path / "attachments")

    key = store.save(department="dac46", request_id=7, message_id="<m1@x>", index=0, data=b"PDF")

    assert (tmp_path / "attachments" / key).read_bytes() == b"PDF"
    assert_private(tmp_path / "attachments")


@pytest.mark.usefixtures("open_umask")
def test_an_attachment_folder_found_open_is_closed_again(tmp_path: Path) -> None:
    root = tmp_path / "attachments"
    (root / "dac46").mkdir(parents=True, mode=0o755)
    os.chmod(root, 0o755)

    FolderStore(root).save(department="dac46", request_id=7, message_id="<m>", index=0, data=b"x")

    assert_private(root)


def test_a_requests_attachments_are_deleted_together(tmp_path: Path) -> None:
    store = FolderStore(tmp_path / "attachments")
    for index in range(2):
        store.save(department="dac46", request_id=7, message_id="<m>", index=index, data=b"x")
    kept = store.save(department="dac46", request_id=8, message_id="<n>", index=0, data=b"y")

    assert store.delete(department="dac46", request_id=7) == 2
    assert store.delete(department="dac46", request_id=7) == 0
    assert [p.name for p in (tmp_path / "attachments").rglob("*.bin")] == [Path(kept).name]


@pytest.mark.usefixtures("open_umask")
async def test_the_journal_its_segments_and_its_refused_entries_are_private(
    tmp_path: Path,
) -> None:
    journal = Journal(tmp_path / "journal", "instance-a")
    journal.open()
    await journal.append(entry(NUMBER))
    await journal.seal()
    journal.set_aside(entry(NUMBER))
    journal.close()

    assert_private(tmp_path / "journal")
    assert {p.suffix for p in (tmp_path / "journal").iterdir()} == {".lock", ".jsonl", ".refused"}


@pytest.mark.usefixtures("open_umask")
def test_refused_entries_forgotten_leave_the_others_in_a_private_file(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "journal", "instance-a")
    journal.open()
    journal.set_aside(entry(NUMBER))
    journal.set_aside(entry("+33699000000"))

    forgotten = journal.forget_set_aside(lambda e: e.carries(NUMBER))
    journal.set_aside(entry("+33699000001"))  # after the rewrite: into the new file
    journal.close()

    refused = (tmp_path / "journal" / "instance-a.refused").read_text(encoding="utf-8")
    assert forgotten == 1
    assert NUMBER not in refused
    assert "+33699000000" in refused
    assert "+33699000001" in refused
    assert_private(tmp_path / "journal")


@pytest.mark.usefixtures("open_umask")
async def test_an_sqlite_database_and_its_wal_are_private(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'var' / 'frontdoor.sqlite3'}")
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE t (x TEXT)"))
        await connection.execute(text("INSERT INTO t VALUES ('+33611223344')"))
        # While it is open: the database, its WAL and its shared memory.
        modes = {path.name: mode(path) for path in (tmp_path / "var").iterdir()}
    await engine.dispose()

    assert modes == {
        "frontdoor.sqlite3": 0o600,
        "frontdoor.sqlite3-wal": 0o600,
        "frontdoor.sqlite3-shm": 0o600,
    }
    assert mode(tmp_path / "var") == 0o700
