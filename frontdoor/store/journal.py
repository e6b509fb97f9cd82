"""The outage journal: webhooks answered while the store was unreachable, kept on local disk.

Each entry is one verified webhook, a step of a call or an SMS (its path, query, form and
time), with the answer the caller or sender got, appended as a JSON line and fsync'd before
that answer goes back to Twilio. When the store answers again the entries are replayed into
it (frontdoor.voice.replay), and a segment is deleted once every entry of it is committed.

Personal data: the forms hold callers' numbers, recording URLs, SMS texts and what callers
said at a menu (SpeechResult: read again on replay, stored nowhere else). The folder is
0700, the files 0600, and nothing of an entry is ever logged. An erasure removes the person's
refused entries (and waits for the ones still to be replayed); the retention purge removes
the refused entries past their department's retention.

Files, in `folder`:
- `<instance>.lock`: held (flock) by the running instance that owns the journal;
- `<instance>.jsonl`: the segment being appended to;
- `<instance>.<n>.jsonl`: sealed segments, waiting to be replayed.
A segment whose instance is gone (its lock free, e.g. a restart with a new name) is adopted
by the next instance that opens the folder, so nothing waits for a name that never returns.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from frontdoor.store.private_files import open_private, private_folder, write_private

_SEGMENT = re.compile(r"^(?P<instance>.+?)(?:\.(?P<n>\d+))?\.jsonl$")


@dataclass(kw_only=True, frozen=True)
class Entry:
    """One webhook kept during an outage."""

    path: str  # e.g. /twilio/voice/menu
    query: Mapping[str, str]
    form: Mapping[str, str]
    at: datetime  # the webhook's time, as the handler saw it
    key: str  # its receipt key: a webhook already in the store is not replayed
    answer: str  # the TwiML the caller got
    instance: str = ""
    # The call it is a step of: its department and CallSid (kit.twilio_webhook.call_key).
    call: str = ""
    # Since when the replay has kept it back: its call is not in the store yet (its first
    # webhooks wait in another instance's journal).
    kept_since: datetime | None = None

    @property
    def call_sid(self) -> str:
        """The caller's call: a referent's leg names it as its parent."""
        return self.form.get("ParentCallSid") or self.form.get("CallSid", "")

    @property
    def waits_under(self) -> str:
        """The key of its call among the waiting entries (a line written before calls were
        keyed by department: its CallSid)."""
        return self.call or self.call_sid

    def line(self) -> str:
        fields = {
            "path": self.path,
            "query": dict(self.query),
            "form": dict(self.form),
            "at": self.at.isoformat(),
            "key": self.key,
            "answer": self.answer,
            "instance": self.instance,
            "call": self.call,
        }
        if self.kept_since is not None:
            fields["kept_since"] = self.kept_since.isoformat()
        return json.dumps(fields, ensure_ascii=False, sort_keys=True)

    def carries(self, value: str) -> bool:
        """Whether one of its fields is this value (a caller's number, say)."""
        return any(field.strip() == value for field in (*self.form.values(), *self.query.values()))

    @classmethod
    def parse(cls, line: str) -> Entry:
        data: dict[str, Any] = json.loads(line)
        return cls(
            path=data["path"],
            query=data["query"],
            form=data["form"],
            at=datetime.fromisoformat(data["at"]),
            key=data["key"],
            answer=data["answer"],
            instance=data.get("instance", ""),
            call=data.get("call", ""),
            kept_since=datetime.fromisoformat(data["kept_since"]) if "kept_since" in data else None,
        )


@dataclass(kw_only=True)
class Segment:
    """A sealed file of entries, replayed as a whole then deleted."""

    path: Path
    entries: list[Entry] = field(default_factory=list)


class Journal:
    """This instance's journal: append during an outage, hand sealed segments to the replay."""

    def __init__(self, folder: Path, instance: str) -> None:
        self.folder = folder
        self.instance = instance
        self._lock_file: IO[str] | None = None
        self._current: IO[str] | None = None
        self._next_segment = 0
        self._writing = asyncio.Lock()
        # Entries not yet in the store, by the caller's CallSid: the call's memory meanwhile
        # (SMS, of no call, are under ""; see entries_on).
        self._waiting: dict[str, list[Entry]] = {}

    def open(self) -> None:
        """Take this instance's lock, adopt orphaned segments, and remember what waits."""
        private_folder(self.folder)
        self._lock_file = open_private(self.folder / f"{self.instance}.lock")
        try:
            fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock_file.close()
            self._lock_file = None
            raise RuntimeError(
                f"the journal of instance {self.instance!r} in {self.folder} is held by a "
                "running process: give each instance its own FRONTDOOR_INSTANCE_NAME"
            ) from None
        self._adopt_orphans()
        self._seal()
        for segment in self.sealed():
            for entry in segment.entries:
                self._waiting.setdefault(entry.waits_under, []).append(entry)

    def close(self) -> None:
        if self._current is not None:
            self._current.close()
            self._current = None
        if self._lock_file is not None:
            self._lock_file.close()  # releases the lock; the file stays for the next owner
            self._lock_file = None

    async def append(self, entry: Entry) -> None:
        """Returns once the entry is on disk (fsync'd)."""
        async with self._writing:
            await asyncio.to_thread(self._write, entry.line())
        self._waiting.setdefault(entry.waits_under, []).append(entry)

    def holds(self, call: str | None) -> bool:
        """Whether a call (its department and CallSid) has steps waiting here (its next steps
        join them, in order)."""
        return bool(call) and call in self._waiting

    def entries_of(self, call: str) -> Sequence[Entry]:
        return tuple(self._waiting.get(call, ()))

    def entries_on(self, path: str) -> Sequence[Entry]:
        """The waiting entries of one webhook, oldest first (an SMS belongs to no call)."""
        found = [e for entries in self._waiting.values() for e in entries if e.path == path]
        return sorted(found, key=lambda entry: entry.at)

    @property
    def waiting(self) -> int:
        return sum(len(entries) for entries in self._waiting.values())

    async def seal(self) -> None:
        """Close the segment being written, so the replay can take it whole."""
        async with self._writing:
            self._seal()

    def _seal(self) -> None:
        current = self.folder / f"{self.instance}.jsonl"
        if self._current is not None:
            self._current.close()
            self._current = None
        if current.exists() and current.stat().st_size > 0:
            current.rename(self._new_segment_path())
        elif current.exists():
            current.unlink()

    def sealed(self) -> list[Segment]:
        """This instance's sealed segments, oldest first, with their entries."""
        segments = []
        for path in sorted(self.folder.glob(f"{self.instance}.*.jsonl"), key=_segment_number):
            if _SEGMENT.match(path.name) and _owner(path) == self.instance:
                text = path.read_text(encoding="utf-8")
                entries = [Entry.parse(line) for line in text.splitlines() if line.strip()]
                segments.append(Segment(path=path, entries=entries))
        return segments

    async def replayed(self, segment: Segment, *, kept: Sequence[Entry] = ()) -> None:
        """Every entry of the segment is in the store, but those `kept` back: these are
        written again to the segment being written (on disk before the segment goes), and
        stay waiting; forget the others, delete the segment."""
        if kept:
            async with self._writing:
                for entry in kept:
                    await asyncio.to_thread(self._write, entry.line())
        segment.path.unlink(missing_ok=True)
        _sync_folder(self.folder)
        keys = {entry.key for entry in segment.entries} - {entry.key for entry in kept}
        for call in {entry.waits_under for entry in segment.entries}:
            left = [e for e in self._waiting.get(call, []) if e.key not in keys]
            if left:
                self._waiting[call] = left
            else:
                self._waiting.pop(call, None)

    def set_aside(self, entry: Entry) -> None:
        """Keep an entry the store refuses in `<instance>.refused`, for an operator to read."""
        path = self.folder / f"{self.instance}.refused"
        while True:
            with open_private(path) as refused:
                fcntl.flock(refused, fcntl.LOCK_EX)
                if not _is_current(refused, path):
                    continue  # rewritten by forget_set_aside meanwhile: append to the new one
                refused.write(entry.line() + "\n")
                refused.flush()
                os.fsync(refused.fileno())
                return

    def forget_set_aside(self, forgotten: Callable[[Entry], bool]) -> int:
        """Remove the refused entries `forgotten` picks (a person erased, a retention passed)
        from the folder's `.refused` files, every instance's; how many went."""
        removed = 0
        for path in sorted(self.folder.glob("*.refused")):
            with path.open("r", encoding="utf-8") as held:
                fcntl.flock(held, fcntl.LOCK_EX)  # set_aside waits, then appends to the new file
                lines = [line for line in held.read().splitlines() if line.strip()]
                kept = [line for line in lines if not _picked(line, forgotten)]
                if len(kept) != len(lines):
                    write_private(path, "".join(line + "\n" for line in kept).encode())
                    _sync_folder(self.folder)
                    removed += len(lines) - len(kept)
        return removed

    def waiting_in_folder(self, picked: Callable[[Entry], bool]) -> int:
        """How many entries waiting to be replayed, in any instance's segment of the folder,
        `picked` picks (an erasure waits for them to reach the store)."""
        count = 0
        for path in self.folder.glob("*.jsonl"):
            try:
                text = path.read_text(encoding="utf-8")
            except FileNotFoundError:
                continue  # replayed and deleted meanwhile
            count += sum(1 for line in text.splitlines() if _picked(line, picked))
        return count

    def _write(self, line: str) -> None:
        if self._current is None:
            path = self.folder / f"{self.instance}.jsonl"
            self._current = open_private(path)
            _sync_folder(self.folder)
        self._current.write(line + "\n")
        self._current.flush()
        os.fsync(self._current.fileno())

    def _new_segment_path(self) -> Path:
        taken = [_segment_number(p) for p in self.folder.glob(f"{self.instance}.*.jsonl")]
        self._next_segment = max([self._next_segment, *taken]) + 1
        return self.folder / f"{self.instance}.{self._next_segment}.jsonl"

    def _adopt_orphans(self) -> None:
        """Segments of instances that no longer run become this instance's, in order."""
        for lock_path in sorted(self.folder.glob("*.lock")):
            owner = lock_path.name.removesuffix(".lock")
            if owner == self.instance:
                continue
            with lock_path.open("a") as lock:
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue  # that instance is running: it replays its own
                # Its sealed segments first, then the one it was writing: the order of calls.
                orphans = sorted(self.folder.glob(f"{owner}.*.jsonl"), key=_segment_number)
                orphans.append(self.folder / f"{owner}.jsonl")
                for orphan in orphans:
                    if orphan.exists() and _owner(orphan) == owner:
                        orphan.rename(self._new_segment_path())
                lock_path.unlink()
        _sync_folder(self.folder)


def _picked(line: str, picked: Callable[[Entry], bool]) -> bool:
    """Whether a line is an entry `picked` picks; a line being written is not one yet."""
    try:
        entry = Entry.parse(line)
    except (ValueError, KeyError, TypeError):
        return False
    return picked(entry)


def _is_current(file: IO[str], path: Path) -> bool:
    """Whether the open file is still the one at `path` (not replaced by a rewrite)."""
    try:
        return os.fstat(file.fileno()).st_ino == path.stat().st_ino
    except FileNotFoundError:
        return False


def _owner(path: Path) -> str:
    match = _SEGMENT.match(path.name)
    return match["instance"] if match else ""


def _segment_number(path: Path) -> int:
    match = _SEGMENT.match(path.name)
    return int(match["n"]) if match and match["n"] else 0


def _sync_folder(folder: Path) -> None:
    # A new or removed file is durable once its folder is.
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
