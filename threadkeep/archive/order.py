"""Captures placed in capture-time order, whatever order they are added in.

The records of a generation are what the log's captures make when merged in the order of
their capture times (ties in the order of the log): :func:`in_time_order` is that order, and
``reparse``, ``repair`` and the replay ``verify`` compares with all merge in it. A copy of 2020
added after one of 2021 is merged before it: what the 2021 copy no longer shows stays removed
since 2021, with the 2020 content; the versions of a tweet are in the order they were seen;
a document's latest content is its newest capture's.

:func:`place` merges one new capture (:meth:`Archive.add`, an account export) so:

* **in order** (the common case: no capture of the store is later): merged as it always was,
  :func:`~threadkeep.archive.apply.apply` onto the records as they are. Told apart cheaply:
  the log's latest time (:meth:`CaptureLog.newest`) is not after it;
* **in order for what it touches**: when a later capture exists, the records this capture
  reads and writes (its documents, the tweets they show, and every document those tweets
  were seen in: the *scope*) are looked at; when none of their captures is later, it is
  merged as above;
* **out of order**: the scope's captures (from the log, as the generation reads it) and
  this one are merged again in time order, into memory, and the records of its documents
  and tweets that came out otherwise are written, with the snapshots they name, in the
  capture's one batch, before its log line. Nothing else can change: a document's record
  comes from its own captures only, a tweet's from the captures of the documents it was seen
  in, and every capture of those is in the replay.

A snapshot keeps its file: a capture that wrote one keeps it, and a snapshot a capture makes
only now (its copy differs from the one now before it) is numbered after the document's last
(so a snapshot's number is the order it was written in; the document lists its snapshots in
capture-time order). A crash at any instant leaves what a cut-short capture leaves: records
ahead of the log, which ``verify`` accepts and ``verify --repair`` rebuilds.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from datetime import datetime
from typing import TypeVar

from threadkeep.archive import layout, merge
from threadkeep.archive.apply import Applied, apply
from threadkeep.archive.files import Result, StoreFiles
from threadkeep.archive.log import CaptureLog, Reading, naming
from threadkeep.archive.records import (
    CaptureEntry,
    CaptureRef,
    StoredDocument,
    StoredSnapshot,
    StoredTweet,
)
from threadkeep.archive.replay import MADE_NOTHING, MemoryStorage, parsed
from threadkeep.errors import ArchiveError
from threadkeep.models import Export

__all__ = ["in_time_order", "is_in_order", "place"]

T = TypeVar("T")


def in_time_order(lines: Iterable[tuple[int, T]], time: dict[int, datetime]) -> list[T]:
    """``lines`` (each with its place in the log) in capture-time order, ties in log order."""
    return [item for _, item in sorted(lines, key=lambda line: (time[line[0]], line[0]))]


def place(
    files: StoreFiles,
    log: CaptureLog,
    result: Result,
    *,
    sha: str,
    at: datetime,
    generation: int,
    again: bool = False,
) -> Applied:
    """Merge one capture (the caller holds the lock and the batch) in capture-time order.

    ``again``: the capture may have been merged before by a merge killed before its log line
    was written (format 3: a pending capture merged once more). When a record names it
    already (its document a snapshot of its raw body and time, or one of its tweets a change
    by it), its scope is replayed (rederived), which gives exactly what one merge gives.
    """
    data = log.read()
    named = again and _names(files, result, CaptureRef(sha256=sha, time=at), generation)
    if not named and is_in_order(log, data, at):
        return apply(files, result, sha=sha, at=at, generation=generation)
    scope = _Scope(files, data, generation, result)
    newest = scope.newest()
    if not named and (newest is None or newest <= at):
        return apply(files, result, sha=sha, at=at, generation=generation)
    return scope.rederive(result, sha=sha, at=at)


def _names(files: StoreFiles, result: Result, capture: CaptureRef, generation: int) -> bool:
    """True when a record of ``result``'s documents or tweets names ``capture`` already."""
    results = [result, *(result.threads if isinstance(result, Export) else ())]
    for each in results:
        key, _ = merge.document_key(each)
        document = files.document(key, generation)
        for ref in document.snapshots if document is not None else ():
            if (ref.raw_sha256, ref.captured_at) == (capture.sha256, capture.time):
                return True
        own, referred = merge.members(each)
        for member in own + referred:
            record = files.tweet(member.key, generation)
            if record is not None and capture in record.changes:
                return True
    return False


def is_in_order(log: CaptureLog, data: bytes, at: datetime) -> bool:
    """True when no capture in the log (``data``) is later than ``at``."""
    newest = log.newest(data)
    return newest is None or newest <= at


class _PlacingFiles(StoreFiles):
    """The replay's records, in memory; a snapshot keeps the file its capture wrote (on
    disk), and one written only now is held to be written with the records."""

    def __init__(self, disk: StoreFiles, generation: int, documents: dict[str, StoredDocument]):
        super().__init__(MemoryStorage(), location=disk.location, lock_timeout=0)
        self.on_disk = documents
        self.numbers: dict[str, int] = {}
        self.pending: dict[str, tuple[str, int, str, Result]] = {}
        self.records: dict[str, StoredDocument | StoredTweet] = {}

    # The replay's records are kept as objects, each read a copy of its lists and dicts (what
    # a merge changes in place; what they hold it replaces, never changes): a record turned
    # into JSON and read back on every read and write was most of an out-of-order add.

    def document(self, key: str, generation: int) -> StoredDocument | None:
        if not layout.is_safe_key(key):  # as on disk: no file can have it
            return None
        found = self.records.get(layout.document_path(key, generation))
        return _copy(found) if isinstance(found, StoredDocument) else None

    def tweet(self, key: str, generation: int) -> StoredTweet | None:
        if not layout.is_safe_key(key):
            return None
        found = self.records.get(layout.tweet_path(key, generation))
        return _copy(found) if isinstance(found, StoredTweet) else None

    def save_document(self, record: StoredDocument, generation: int) -> None:
        self.records[layout.document_path(record.key, generation)] = _copy(record)

    def save_tweet(self, record: StoredTweet, generation: int) -> None:
        self.records[layout.tweet_path(record.key, generation)] = _copy(record)

    def write_snapshot(
        self, key: str, number: int, content: str, result: Result, generation: int
    ) -> str:
        source = result.source
        assert source is not None
        document = self.on_disk.get(key)
        for ref in document.snapshots if document is not None else ():
            if (ref.raw_sha256, ref.captured_at) == (source.sha256, source.captured_at) and (
                layout.snapshot_hash(ref.path) == content[:16]
            ):
                return ref.path
        number = self.numbers.get(key) or layout.next_number(document)
        self.numbers[key] = number + 1
        path = layout.snapshot_path(key, number, content, generation)
        self.pending[path] = (key, number, content, result)
        return path


R = TypeVar("R", StoredDocument, StoredTweet)


def _copy(record: R) -> R:
    """A copy of ``record`` whose lists and dicts are its own (their items are shared)."""
    fresh = {
        name: type(value)(value)
        for name, value in record.__dict__.items()
        if isinstance(value, list | dict)
    }
    return record.model_copy(update=fresh)


class _Scope:
    """The records a capture touches, and every logged capture that made them."""

    def __init__(self, files: StoreFiles, data: bytes, generation: int, result: Result) -> None:
        self.files = files
        self.data = data
        self.generation = generation
        self.reading = Reading(files.rebuild(generation))
        key, _ = merge.document_key(result)
        self.own = [key]
        if isinstance(result, Export):
            self.own += [merge.document_key(thread)[0] for thread in result.threads]
        self.documents: dict[str, StoredDocument] = {}
        self.read: dict[str, Result | None] = {}
        own, referred = merge.members(result)
        if isinstance(result, Export):
            for thread in result.threads:
                more, also = merge.members(thread)
                own, referred = own + more, referred + also
        self.tweets: dict[str, StoredTweet | None] = {}
        keys = [m.key for m in own + referred]
        for document in self.own:
            stored = self._document(document)
            keys += stored.tweets if stored is not None else []
        wanted = set(self.own)
        for tweet in dict.fromkeys(keys):
            record = files.tweet(tweet, generation)
            self.tweets[tweet] = record
            if record is not None:
                wanted.update(record.documents)
        self.captures: dict[int, CaptureEntry] = {}
        done: set[str] = set()
        while wanted:  # an export's threads are made by the export's captures: theirs too
            document = wanted.pop()
            done.add(document)
            for at, entry in self.reading.naming(data, document):
                if entry.sha256 is not None and entry.outcome not in MADE_NOTHING:
                    self.captures[at] = entry
            stored = self._document(document)
            for ref in stored.snapshots if stored is not None else ():
                if ref.kind == "export" and ref.raw_sha256 is not None:
                    for at, line in naming(data, "sha256", ref.raw_sha256, strict=False):
                        entry = self.reading.entry(at, line)
                        if entry.document and entry.document not in done:
                            wanted.add(entry.document)

    def _document(self, key: str) -> StoredDocument | None:
        if key not in self.documents:
            stored = self.files.document(key, self.generation)
            if stored is None:
                return None
            self.documents[key] = stored
        return self.documents[key]

    def newest(self) -> datetime | None:
        """The latest time of the scope's captures (None: it has none)."""
        return max((entry.time for entry in self.captures.values()), default=None)

    def rederive(self, result: Result, *, sha: str, at: datetime) -> Applied:
        """Merge the scope's captures and this one in time order; write what came out
        otherwise (into the caller's batch); what this capture did."""
        end = len(self.data)
        lines: list[tuple[int, CaptureEntry | None]] = [*self.captures.items(), (end, None)]
        times = {offset: entry.time if entry else at for offset, entry in lines}
        memory = _PlacingFiles(self.files, self.generation, self.documents)
        applied: Applied | None = None
        for entry in in_time_order(lines, times):
            if entry is None:
                applied = apply(memory, result, sha=sha, at=at, generation=self.generation)
                continue
            if applied is None and self._changed_nothing(entry):
                continue  # before this capture all is as it was: it changes nothing again
            content, hashed = self._content(entry)
            if content is None:  # unreadable: what it made stays as it is on disk
                continue
            assert entry.sha256 is not None
            at_time, generation = entry.time, self.generation
            apply(
                memory, content, sha=entry.sha256, at=at_time, generation=generation, content=hashed
            )
        assert applied is not None
        return self._write(memory, applied, result)

    def _changed_nothing(self, entry: CaptureEntry) -> bool:
        """True for a capture that wrote no snapshot of its document (an unchanged copy): it
        changed no record (but an export's, whose threads may have changed)."""
        document = self._document(entry.document) if entry.document else None
        if document is None or document.kind == "export":
            return False
        captured = (entry.sha256, entry.time)
        return all((ref.raw_sha256, ref.captured_at) != captured for ref in document.snapshots)

    def _content(self, entry: CaptureEntry) -> tuple[Result | None, str | None]:
        """What a logged capture of the scope held: its snapshot, else (an unchanged capture)
        the snapshot its document had before it, else its raw body parsed again; with its
        content hash when a snapshot names it."""
        document = self._document(entry.document) if entry.document else None
        snapshots = document.snapshots if document is not None else []
        for ref in snapshots:
            if (ref.raw_sha256, ref.captured_at) == (entry.sha256, entry.time):
                found = self._snapshot(ref)
                if found is not None:
                    return found, ref.content_sha256
                return parsed(self.files, entry), None
        if entry.outcome == "unchanged" and snapshots:
            times = [ref.captured_at for ref in snapshots]
            before = bisect.bisect_right(times, entry.time) - 1
            if before >= 0:
                found = self._snapshot(snapshots[before])
                if found is not None:
                    return found, snapshots[before].content_sha256
        return parsed(self.files, entry), None

    def _snapshot(self, ref: StoredSnapshot) -> Result | None:
        """A snapshot's content (the unchanged captures after it read it again: kept)."""
        path = ref.path
        if path not in self.read:
            try:
                source = (ref.raw_sha256, ref.captured_at)
                self.read[path] = self.files.snapshot_kept(path, source)
            except (ArchiveError, FileNotFoundError):
                self.read[path] = None
        return self.read[path]

    def _write(self, memory: _PlacingFiles, applied: Applied, result: Result) -> Applied:
        """Write the records of the capture's documents and tweets that changed, and the
        snapshots they name; what the capture did, said against the store before it."""
        files, generation = self.files, self.generation
        for key in self.own:
            document = memory.document(key, generation)
            if document is None or document == self.documents.get(key):
                continue
            for ref in document.snapshots:
                if ref.path in memory.pending:
                    name, number, content, snapshot = memory.pending.pop(ref.path)
                    files.write_snapshot(name, number, content, snapshot, generation)
            files.save_document(document, generation)
        new, changed, removed, back = [], [], [], []
        own_keys = [m.key for m in merge.members(result)[0]]
        for key, before in self.tweets.items():
            after = memory.tweet(key, generation)
            if after is None or after == before:
                continue
            files.save_tweet(after, generation)
            if key not in own_keys and before is not None and before.removed == after.removed:
                continue  # a tweet it refers to, or one of the document's it does not show
            if before is None:
                new.append(key)
            elif after.removed and not before.removed:
                removed.append(key)
            elif before.removed and not after.removed:
                back.append(key)
            elif len(after.versions) > len(before.versions):
                changed.append(key)
        outcome = applied.outcome
        had = self.documents.get(applied.document or "")
        if had is not None and outcome == "new":  # first in time, not to the store
            held = {ref.content_sha256 for ref in had.snapshots}
            outcome = "unchanged" if merge.content_hash(result) in held else "changed"
        said = applied.result.model_copy(
            update={
                "outcome": outcome,
                "new": tuple(new),
                "changed": tuple(changed),
                "removed": tuple(removed),
                "reappeared": tuple(back),
            }
        )
        placed = Applied(said, applied.snapshot_path)
        placed.parts = applied.parts
        return placed
