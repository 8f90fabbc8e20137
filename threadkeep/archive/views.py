"""Building the read side from the records: public records, the merged thread, a history.

The views themselves are plain data in :mod:`threadkeep.archive.view_models`. These builders
take the records I/O layer (:class:`~threadkeep.archive.files.StoreFiles`), the capture log and
the generation to read, never the :class:`~threadkeep.archive.Archive` that calls them.

A format 2 store keeps in its records only what changes with content (see
:mod:`threadkeep.archive.records`); :class:`Reader` assembles the public records from them:

* a document's captures are the log lines naming it, as the generation reads them (a line
  the rebuild that made it read otherwise, as its ``rebuild.json`` says: see
  :class:`~threadkeep.archive.log.Reading`), plus any snapshot a capture cut short wrote
  before its line (it is listed, as before); ``captures``, ``first_captured`` and
  ``last_captured`` are counted from them;
* each capture maps to one snapshot of its document: the one it wrote (the snapshot whose raw
  hash and time are the capture's), else the one before it in capture time (ties in the
  order of the log): captures are merged in capture-time order (:mod:`~threadkeep.archive.order`);
* a tweet's sightings are the captures whose snapshot shows it (the snapshot's ``shown``),
  grouped by source kind, url, raw body and document, in the order of their first capture
  time (ties in the order of the log); its
  ``first_seen`` and ``last_seen``, and each version's, are the first and last of them.

The log is read once per :class:`Reader`, and each document record once.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from datetime import datetime
from typing import TypeVar

from threadkeep.archive import layout, merge
from threadkeep.archive.files import StoreFiles
from threadkeep.archive.log import CaptureLog, Reading, naming
from threadkeep.archive.merge import text_hash
from threadkeep.archive.records import (
    FORMAT_1,
    CaptureEntry,
    DocumentRecord,
    SnapshotRef,
    StoredDocument,
    StoredSnapshot,
    StoredTweet,
    TweetRecord,
)
from threadkeep.archive.view_models import ArchivedThread, ArchivedTweet, History, SnapshotChange
from threadkeep.urls import unarchive

__all__ = [
    "ArchivedThread",
    "ArchivedTweet",
    "History",
    "Reader",
    "SnapshotChange",
    "archived_tweet",
    "history",
]

Group = tuple[str, str | None, str | None]
"""A sighting within one document: source kind, url, raw hash."""
K = TypeVar("K")


class _Seen:
    """The captures of one group (or one snapshot): where the first is in the log, first and
    last time, how many."""

    __slots__ = ("first", "last", "order", "times")

    def __init__(self, order: float, at: datetime) -> None:
        self.order, self.first, self.last, self.times = order, at, at, 0

    def add(self, order: float, at: datetime, times: int = 1) -> None:
        self.order = min(self.order, order)
        self.first = min(self.first, at)
        self.last = max(self.last, at)
        self.times += times


class _Document:
    """A stored document with its captures counted and each snapshot's sightings grouped."""

    def __init__(self, stored: StoredDocument, log: _Log) -> None:
        self.stored = stored
        self.captures = 0
        self.first: datetime | None = None
        self.last: datetime | None = None
        self.groups: list[dict[Group, _Seen]] = [{} for _ in stored.snapshots]
        self.spans: list[_Seen | None] = [None] * len(stored.snapshots)
        logged = log.of_document(stored.key)
        writers = self._writers(log, logged)
        # Each capture that wrote no snapshot shows what the snapshot before it in capture
        # time shows (ties in log order): the one its document had when it was merged.
        ordered = sorted(
            ((stored.snapshots[i].captured_at, order), i) for i, (order, _) in enumerate(writers)
        )
        places = [place for place, _ in ordered]
        captures: dict[float, tuple[CaptureEntry | None, int | None]] = {
            order: (entry, i) for i, (order, entry) in enumerate(writers)
        }
        for order, entry in logged:
            captures.setdefault(order, (entry, None))
        for order, (capture, wrote) in sorted(captures.items()):
            if wrote is None:
                assert capture is not None
                at = bisect.bisect_left(places, (capture.time, order)) - 1
                before = ordered[at][1] if at >= 0 else None
                self._count(order, capture.time, before, capture, writers)
            else:
                self._count(order, stored.snapshots[wrote].captured_at, wrote, None, writers)

    def _writers(
        self, log: _Log, logged: list[tuple[float, CaptureEntry]]
    ) -> list[tuple[float, CaptureEntry | None]]:
        """Each snapshot's writer: its place in the log (after it, if unlogged) and its entry."""
        captures: dict[tuple[str, datetime], tuple[float, CaptureEntry]] = {}
        for order, entry in logged:
            captures.setdefault((entry.sha256 or "", entry.time), (order, entry))
        writers: list[tuple[float, CaptureEntry | None]] = []
        for i, ref in enumerate(self.stored.snapshots):
            found = log.writer(ref, captures)
            writers.append(found if found is not None else (log.size + i, None))
        return writers

    def _count(
        self,
        order: float,
        at: datetime,
        snapshot: int | None,
        entry: CaptureEntry | None,
        writers: list[tuple[float, CaptureEntry | None]],
    ) -> None:
        """One capture of the document, a sighting of what ``snapshot`` shows."""
        self.captures += 1
        self.first = at if self.first is None else min(self.first, at)
        self.last = at if self.last is None else max(self.last, at)
        if snapshot is None:
            return
        ref = self.stored.snapshots[snapshot]
        url, sha = ref.url, ref.raw_sha256
        if entry is not None:  # an unchanged capture: its own bytes, its own url
            sha = entry.sha256
            writer = writers[snapshot][1]
            if entry.url is not None and (writer is None or writer.url != entry.url):
                url = unarchive(entry.url)
        span = self.spans[snapshot]
        if span is None:
            span = self.spans[snapshot] = _Seen(order, at)
        span.add(order, at)
        group = self.groups[snapshot].setdefault((ref.kind, url, sha), _Seen(order, at))
        group.add(order, at)

    def public(self) -> DocumentRecord:
        stored = self.stored
        first = self.first or stored.snapshots[0].captured_at
        return DocumentRecord(
            key=stored.key,
            kind=stored.kind,
            id=stored.id,
            url=stored.url,
            title=stored.title,
            author=stored.author,
            tweets=stored.tweets,
            snapshots=[SnapshotRef.model_validate(_ref(ref)) for ref in stored.snapshots],
            first_captured=first,
            last_captured=self.last or first,
            captures=self.captures,
        )


def _ref(ref: StoredSnapshot) -> dict[str, object]:
    return {name: getattr(ref, name) for name in SnapshotRef.model_fields}


class _Log:
    """The log, read once, as the generation reads it (the lines its rebuild read otherwise,
    as it read them: :class:`~threadkeep.archive.log.Reading`): the captures of a document,
    and the capture that wrote a snapshot, each with its place in the log (its line's offset)."""

    def __init__(self, data: bytes, reading: Reading) -> None:
        self.data = data
        self.size = len(data)
        self.reading = reading

    def of_document(self, key: str) -> list[tuple[float, CaptureEntry]]:
        """The captures of document ``key`` that made it (new, changed, unchanged)."""
        return [
            (order, entry)
            for order, entry in self.reading.naming(self.data, key)
            if entry.sha256 is not None and entry.outcome not in ("failed", "empty")
        ]

    def writer(
        self, ref: StoredSnapshot, captures: dict[tuple[str, datetime], tuple[float, CaptureEntry]]
    ) -> tuple[float, CaptureEntry] | None:
        """The logged capture that wrote snapshot ``ref``: among the document's ``captures``,
        else (a capture logged under another key, before a reparse) found by its raw hash."""
        if ref.raw_sha256 is None:
            return None
        found = captures.get((ref.raw_sha256, ref.captured_at))
        if found is None:
            for order, line in naming(self.data, "sha256", ref.raw_sha256, strict=True):
                entry = self.reading.entry(order, line)
                if entry.time == ref.captured_at and entry.outcome not in ("failed", "empty"):
                    return order, entry
        return found


class Reader:
    """The public records of one generation: assembled (format 2) or as stored (format 1)."""

    def __init__(self, files: StoreFiles, log: CaptureLog, generation: int, format: int) -> None:
        self.files = files
        self.capture_log = log
        self.generation = generation
        self.old = format == FORMAT_1
        self._log: _Log | None = None
        self._documents: dict[str, _Document | None] = {}

    def _entries(self) -> _Log:
        if self._log is None:
            reading = Reading(self.files.rebuild(self.generation))
            self._log = _Log(self.capture_log.read(), reading)
        return self._log

    def _document(self, key: str) -> _Document | None:
        if key not in self._documents:
            stored = self.files.document(key, self.generation)
            self._documents[key] = _Document(stored, self._entries()) if stored else None
        return self._documents[key]

    # -- public records --------------------------------------------------------------------

    def document(self, key: str) -> DocumentRecord | None:
        """The document record ``key``, or None."""
        if self.old:
            return self.files.document_as(key, self.generation, DocumentRecord)
        document = self._document(key)
        return document.public() if document is not None else None

    def tweet(self, key: str) -> TweetRecord | None:
        """The tweet record ``key``, or None."""
        if self.old:
            return self.files.tweet_as(key, self.generation, TweetRecord)
        stored = self.files.tweet(key, self.generation)
        return self.assemble(stored) if stored is not None else None

    def records(self) -> Iterator[TweetRecord]:
        """Every tweet record of the generation, in no particular order."""
        paths = self.files.tweet_paths(self.generation)
        if self.old:
            yield from self.files.records_at(paths, TweetRecord)
            return
        for stored in self.files.records_at(paths, StoredTweet):
            yield self.assemble(stored)

    def assemble(self, stored: StoredTweet) -> TweetRecord:
        """The public record of a stored tweet: its sightings and times from the captures."""
        groups: dict[tuple[str, Group], _Seen] = {}
        versions: dict[str, _Seen] = {}
        for key in stored.documents:
            document = self._document(key)
            if document is None:
                continue
            for ref, span, found in zip(
                document.stored.snapshots, document.spans, document.groups, strict=True
            ):
                if span is None or stored.key not in ref.shown:
                    continue
                for group, seen in found.items():
                    _merge(groups, (key, group), seen)
                version = ref.shown[stored.key]
                if version is not None:
                    _merge(versions, version, span)
        made = stored.changes[0].time if stored.changes else None
        sightings = [
            {
                "kind": kind,
                "url": url,
                "sha256": sha,
                "document": key,
                "first_seen": seen.first,
                "last_seen": seen.last,
                "times": seen.times,
            }
            for (key, (kind, url, sha)), seen in sorted(
                groups.items(), key=lambda g: (g[1].first, g[1].order)
            )
        ]
        first = min((seen.first for seen in groups.values()), default=made)
        last = max((seen.last for seen in groups.values()), default=made)
        assert first is not None and last is not None, stored.key
        return TweetRecord.model_validate(  # one validation, of plain data (the fast one)
            {
                "key": stored.key,
                "id": stored.id,
                "author": stored.author,
                "latest": stored.latest,
                "versions": [
                    {
                        "text": text,
                        "first_seen": seen.first if seen else made or first,
                        "last_seen": seen.last if seen else made or first,
                    }
                    for text in stored.versions
                    for seen in [versions.get(text_hash(text)) if text is not None else None]
                ],
                "sightings": sightings,
                "first_seen": first,
                "last_seen": last,
                "removed": stored.removed,
                "removed_at": stored.removed_at,
                "documents": stored.documents,
            }
        )

    # -- views -----------------------------------------------------------------------------

    def find(self, identifier: str) -> DocumentRecord | None:
        """The document ``identifier`` names: a thread id, a tweet id, or a document key.

        A tweet id gives the thread it belongs to (or else the first document that showed it).
        """
        identifier = identifier.strip()
        if not identifier.isdigit():
            return self.document(identifier)
        document = self.document(f"thread-{identifier}")
        if document is not None:
            return document
        record = (
            self.files.tweet_as(identifier, self.generation, TweetRecord)
            if self.old
            else self.files.tweet(identifier, self.generation)
        )
        if record is None:
            return None
        keys = sorted(record.documents, key=lambda k: (not k.startswith("thread-"), k))
        for key in keys:
            if (found := self.document(key)) is not None:
                return found
        return None

    def merged(self, document: DocumentRecord) -> ArchivedThread:
        """Every tweet a document ever showed, in its order, from the tweet records (read at
        once where the storage can: an object store's round trips add up)."""
        tweets = []
        with self.files.read_ahead():
            self.files.prefetch(
                layout.tweet_path(key, self.generation)
                for key in document.tweets
                if layout.is_safe_key(key)
            )
            for key in document.tweets:
                record = self.tweet(key)
                if record is None:
                    continue  # a crash between records: the next capture or reparse restores it
                position = record.documents.get(document.key)
                seen_until = document.last_captured if self.old else None
                tweets.append(archived_tweet(record, position=position, seen_until=seen_until))
        return ArchivedThread(
            kind=document.kind,
            document=document.key,
            id=document.id,
            url=document.url,
            title=document.title,
            author=document.author,
            first_captured=document.first_captured,
            last_captured=document.last_captured,
            captures=document.captures,
            snapshots=len(document.snapshots),
            tweets=tuple(tweets),
        )


def _merge(into: dict[K, _Seen], key: K, seen: _Seen) -> None:
    """Add the captures ``seen`` counts to those counted under ``key``."""
    known = into.get(key)
    if known is None:
        known = into[key] = _Seen(seen.order, seen.first)
    known.add(seen.order, seen.first, seen.times)
    known.last = max(known.last, seen.last)


def archived_tweet(
    record: TweetRecord, *, position: int | None = None, seen_until: datetime | None = None
) -> ArchivedTweet:
    """Flatten a record into its latest content plus history.

    ``seen_until`` is the document's last capture, for a format 1 store: a re-capture with
    unchanged content wrote no tweet records there, so a tweet still present was last seen
    then. A format 2 store's records count every capture already.
    """
    last_seen = record.last_seen
    if seen_until is not None and not record.removed:
        last_seen = max(last_seen, seen_until)
    content = record.latest.model_dump(exclude={"position", "source"})
    return ArchivedTweet(
        **content,
        position=position,
        removed=record.removed,
        removed_at=record.removed_at,
        first_seen=record.first_seen,
        last_seen=last_seen,
        sightings=tuple(record.sightings),
        versions=tuple(record.versions),
    )


def _texts(files: StoreFiles, path: str) -> dict[str, str | None]:
    own, _ = merge.members(files.snapshot(path))
    return {m.key: m.tweet.text for m in own}


def history(
    files: StoreFiles, log: CaptureLog, document: DocumentRecord, generation: int
) -> History:
    """The captures and snapshot-to-snapshot changes of one document of ``generation`` (its
    captures as the generation reads the log).

    A damaged snapshot raises :class:`~threadkeep.errors.CorruptStore` naming it.
    """
    reading = Reading(files.rebuild(generation))
    read = (reading.entry(at, entry) for at, entry in log.entries_at())
    wrote = {(ref.raw_sha256, ref.captured_at) for ref in document.snapshots}
    captures = tuple(  # and those that wrote a snapshot of it as a part (an export's thread)
        sorted(
            (
                entry
                for entry in read
                if entry.document == document.key or (entry.sha256, entry.time) in wrote
            ),
            key=lambda entry: entry.time,  # in capture-time order, ties in log order
        )
    )
    changes = []
    before: dict[str, str | None] | None = None
    for ref in document.snapshots:
        now = _texts(files, ref.path)
        if before is None:
            changes.append(
                SnapshotChange(path=ref.path, captured_at=ref.captured_at, tweets=len(now))
            )
        else:
            changed = tuple(k for k in now if k in before and now[k] != before[k])
            added = tuple(k for k in now if k not in before)
            removed = tuple(k for k in before if k not in now)
            changes.append(
                SnapshotChange(
                    path=ref.path,
                    captured_at=ref.captured_at,
                    tweets=len(now),
                    added=added,
                    removed=removed,
                    changed=changed,
                    other_changes=not (added or removed or changed),
                )
            )
        before = now
    return History(document=document.key, captures=captures, snapshots=tuple(changes))
