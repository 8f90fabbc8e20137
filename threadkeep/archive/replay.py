"""The capture log replayed into memory: what every derived record of a generation must be.

:class:`Replay` runs the log, oldest first, through the merge code that ``add`` and
``reparse`` use (:func:`~threadkeep.archive.apply.apply`) into a :class:`MemoryStorage`, never
into the store; :mod:`~threadkeep.archive.checks` compares its records with those on disk.

Where each capture's content comes from:

* the snapshot it wrote in this generation, found by the raw hash and time in its ``source``
  (the caller's index of intact snapshots);
* an unchanged capture (it wrote none): its document's latest snapshot;
* a capture whose snapshot is damaged or gone, or that a reparse read differently: its raw
  body, parsed again as ``reparse`` does. So a generation that ``add``, ``reparse`` or
  ``repair`` built replays to itself, whichever parser made its snapshots.

Nothing is parsed but those captures, and no snapshot is written (its path is named only): the
replay costs about what the merges cost, and its records are kept compressed.
"""

from __future__ import annotations

import contextlib
import zlib
from collections.abc import Iterator
from datetime import datetime

from threadkeep.archive import layout
from threadkeep.archive.apply import apply, parse
from threadkeep.archive.files import Result, StoreFiles
from threadkeep.archive.records import CaptureEntry, StoredDocument, StoredSnapshot
from threadkeep.errors import ArchiveError, ParseError

__all__ = ["Capture", "MemoryStorage", "Replay", "ReplayFiles", "describe", "parsed"]

Capture = tuple[str, datetime]
"""A capture as the records name it: its raw hash and its time."""
MADE_NOTHING = ("failed", "empty")
"""Outcomes of captures that made no document (in the generation they were logged in)."""
RECENT = 16
"""How many snapshots the replay keeps at hand (an unchanged capture takes its document's
latest, most often one of the last few read)."""


def describe(entry: CaptureEntry) -> str:
    """A capture in the words of a report: its time and url."""
    return f"{entry.time.isoformat()} {entry.url or '(no url)'}"


def parsed(files: StoreFiles, entry: CaptureEntry) -> Result | None:
    """The capture parsed again from its raw body (as ``reparse`` does), or None."""
    if entry.sha256 is None:
        return None
    try:
        return parse(files.raw(entry.sha256), url=entry.url, source=entry.url)
    except (FileNotFoundError, ArchiveError, ParseError):
        return None


class MemoryStorage:
    """A :class:`~threadkeep.archive.Storage` in memory, each file compressed (the replay's)."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    def read(self, path: str) -> bytes:
        try:
            return zlib.decompress(self.files[path])
        except KeyError:
            raise FileNotFoundError(path) from None

    def exists(self, path: str) -> bool:
        return path in self.files

    def write_atomic(self, path: str, data: bytes) -> None:
        self.files[path] = zlib.compress(data, 1)

    def append_line(self, path: str, line: bytes) -> None:
        raise NotImplementedError("the replay writes no log")

    def create(self, path: str, data: bytes) -> bool:
        if path in self.files:
            return False
        self.write_atomic(path, data)
        return True

    def list(self, prefix: str) -> Iterator[str]:
        return iter(sorted(p for p in self.files if p.startswith(prefix + "/")))

    def list_after(self, prefix: str, after: str | None) -> Iterator[str]:
        return (p for p in self.list(prefix) if after is None or p > after)

    def remove(self, path: str) -> None:
        self.files.pop(path, None)

    def lock(self, timeout: float) -> contextlib.AbstractContextManager[None]:
        return contextlib.nullcontext()


class ReplayFiles(StoreFiles):
    """The replay's records, in memory; a snapshot is named, not written (it is on disk).

    Its name is the one its document on ``disk`` gives it (the same capture, the same
    content): a snapshot a capture added out of time order made later is numbered in the
    order written, not in the order of capture times; else the number the merge gives it.
    """

    def __init__(self, storage: MemoryStorage, disk: StoreFiles | None = None) -> None:
        location = disk.location if disk is not None else ""
        super().__init__(storage, location=location, lock_timeout=0)
        self.disk = disk
        self.on_disk: dict[str, StoredDocument | None] = {}

    def write_snapshot(
        self, key: str, number: int, content: str, result: Result, generation: int
    ) -> str:
        source = result.source
        named = (source.sha256, source.captured_at) if source is not None else None
        for ref in self._on_disk(key, generation):
            if (ref.raw_sha256, ref.captured_at) == named and layout.snapshot_hash(
                ref.path
            ) == content[:16]:
                return ref.path
        return layout.snapshot_path(key, number, content, generation)

    def _on_disk(self, key: str, generation: int) -> list[StoredSnapshot]:
        if self.disk is None:
            return []
        if key not in self.on_disk:
            try:
                self.on_disk[key] = self.disk.document(key, generation)
            except ArchiveError:  # damaged: verify says so
                self.on_disk[key] = None
        document = self.on_disk[key]
        return document.snapshots if document is not None else []


class Replay:
    """The log replayed through :func:`apply` into memory: what every record must be."""

    def __init__(
        self,
        files: StoreFiles,
        index: dict[Capture, str],
        generation: int,
        *,
        in_time_order: bool = True,
    ) -> None:
        self.files = files
        self.in_time_order = in_time_order  # False: in log order, as threadkeep merged before
        self.index = index
        self.generation = generation
        self.memory = ReplayFiles(MemoryStorage(), files)
        self.origin: dict[str, str | Result] = {}  # replayed snapshot -> where its content is
        self.made_by: dict[str, list[str]] = {}  # document -> its captures, oldest first
        self.unknown: set[str] = set()  # documents with a capture that could not be replayed
        self.recent: dict[str, Result] = {}  # the last snapshots read, for unchanged captures
        self.misread: list[tuple[CaptureEntry, str | None]] = []  # a rebuild file's wrong lines

    def run(self, entries: list[CaptureEntry], *, rebuilt: int = 0) -> None:
        """Replay ``entries``; the first ``rebuilt`` ones are those the rebuild that made the
        generation read (as it read them): each must make the document it says. They are
        merged in capture-time order (ties in log order), as every capture is."""
        ordered = list(enumerate(entries))
        if self.in_time_order:
            ordered.sort(key=lambda item: (item[1].time, item[0]))
        for number, entry in ordered:
            if entry.sha256 is None:
                continue
            result = self._content(entry)
            if result is None:
                if entry.outcome not in MADE_NOTHING and entry.document:
                    self.unknown.add(entry.document)
                continue
            applied = apply(
                self.memory, result, sha=entry.sha256, at=entry.time, generation=self.generation
            )
            if applied.snapshot_path is not None:
                path = self.index.get((entry.sha256, entry.time))
                self.origin[applied.snapshot_path] = path or result
            if number < rebuilt and applied.document != entry.document:
                self.misread.append((entry, applied.document))
            if applied.document is not None:
                self.made_by.setdefault(applied.document, []).append(describe(entry))
            elif entry.document and entry.outcome not in MADE_NOTHING:
                # Logged by a threadkeep (0.1.0) that made a document of a capture with no
                # tweets; today's merge makes none (outcome ``empty``). That is no damage:
                # the document is not compared (``reparse`` drops it and says so).
                self.unknown.add(entry.document)

    def _content(self, entry: CaptureEntry) -> Result | None:
        """The content this capture gave, from the cheapest place that holds it."""
        path = self.index.get((entry.sha256 or "", entry.time))
        if path is not None:
            return self._snapshot(path)
        if entry.outcome in MADE_NOTHING:
            return None
        if entry.outcome == "unchanged" and entry.document:
            latest = self._latest(entry.document)
            if latest is not None:
                return latest
        return parsed(self.files, entry)

    def _latest(self, key: str) -> Result | None:
        """The content of the latest snapshot the replay gave document ``key``."""
        document = self.memory.document(key, self.generation)
        if document is None or not document.snapshots:
            return None
        origin = self.origin.get(document.snapshots[-1].path)
        return self._snapshot(origin) if isinstance(origin, str) else origin

    def _snapshot(self, path: str) -> Result | None:
        if path in self.recent:
            return self.recent[path]
        try:
            result = self.files.snapshot(path)
        except ArchiveError:  # changed since it was checked: the next verify says so
            return None
        self.recent[path] = result
        if len(self.recent) > RECENT:
            del self.recent[next(iter(self.recent))]
        return result
