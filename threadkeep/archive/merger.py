"""Format 3 captures: written without the lock, merged by whoever holds it.

A capture (:func:`submit`) writes, with no lock, each with ``create`` (write once, never
overwrite): its raw body (``raw/…``: already there is fine), a pointer in the inbox
(``inbox/<time>/<sha256>``), then its capture object (``captures/<time>/<sha256>.json``: a
:class:`~threadkeep.archive.records.PendingCapture`, everything the merge needs). Once that
returned, the capture is durable: it is never lost. ``<time>`` is the capture time (UTC,
``%Y%m%dT%H%M%S.%fZ``) and ``<sha256>`` the hash of the capture object's bytes: the key.

The merge (:func:`merge`, under the lock: the folder's file lock, a bucket's lease) lists the
inbox in key order (capture-time order) and merges each pending capture as a format 2
capture was merged (:func:`threadkeep.archive.order.place`), its records written in one batch;
then it writes the log lines of the batch as one pack of the journal (the commit point), and
removes the pointers. A kill anywhere leaves pointers that are merged again by the next
merge: a capture whose line is in a pack already is passed over (its pointer removed); one
whose records a killed merge wrote (a record names its raw body and time) is merged by
replaying its scope (:func:`~threadkeep.archive.order.place` with ``again``), which gives the
records a clean merge gives. A pointer with no capture object (a writer killed between the
two) older than :data:`DEAD_POINTER` is removed.
"""

from __future__ import annotations

import gzip
import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

from pydantic import ValidationError

from threadkeep._version import __version__
from threadkeep.archive import layout
from threadkeep.archive.files import Result, StoreFiles
from threadkeep.archive.log import CaptureLog, Reading
from threadkeep.archive.records import AddResult, CaptureEntry, Outcome, PendingCapture
from threadkeep.archive.storage import Storage
from threadkeep.errors import ArchiveError, ParseError
from threadkeep.models import Export

__all__ = [
    "BATCH",
    "DEAD_POINTER",
    "Merged",
    "Pending",
    "capture_time",
    "key_of",
    "logged_keys",
    "merge",
    "pending",
    "submit",
]

BATCH = 256
"""Captures merged in one batch of records and one pack (a long inbox: several)."""
DEAD_POINTER = timedelta(minutes=10)
"""A pointer with no capture object older than this is a dead writer's: removed."""


class Applied(Protocol):
    """What merging one capture did (:class:`threadkeep.archive.apply.Applied`)."""

    result: AddResult
    snapshot_path: str | None
    outcome: Outcome
    document: str | None
    kind: str | None


Parse = Callable[[bytes, str | None], Result]
"""Parses a raw body from a url (``threadkeep.archive.apply.parse``)."""


class Placer(Protocol):
    """:func:`threadkeep.archive.order.place`."""

    def __call__(
        self,
        files: StoreFiles,
        log: CaptureLog,
        result: Result,
        *,
        sha: str,
        at: datetime,
        generation: int,
        again: bool = False,
    ) -> Applied: ...


def capture_time(at: datetime) -> str:
    """The ``<time>`` of a capture key: UTC, ``%Y%m%dT%H%M%S.%fZ`` (sorts in time order)."""
    return at.astimezone(UTC).strftime("%Y%m%dT%H%M%S.%fZ")


def submit(files: StoreFiles, pending: PendingCapture, data: bytes | None) -> str:
    """Write a capture without the lock: its raw body ``data`` (None: the caller found it
    stored; else created unless it is there), its inbox pointer, then its capture object
    (durable from then on). Its key. The same capture written twice (the same time, url and
    bytes) is one capture: one key, one object."""
    storage = files.storage
    if data is not None and pending.sha256 is not None:
        storage.create(layout.raw_path(pending.sha256), gzip.compress(data, mtime=0))
    body = pending.model_dump_json().encode("utf-8")
    key = key_of(pending)
    written = datetime.now(UTC).isoformat().encode("ascii")
    storage.create(layout.inbox_path(key), written)  # first: an object is never left unmerged
    storage.create(layout.capture_path(key), body)
    return key


def key_of(pending: PendingCapture) -> str:
    """The key of a capture object: its time and the hash of its bytes."""
    body = pending.model_dump_json().encode("utf-8")
    return layout.capture_key(capture_time(pending.time), hashlib.sha256(body).hexdigest())


def unchanged_result(line: CaptureEntry) -> AddResult:
    """What an unchanged capture logged by :func:`unchanged_line` did."""
    assert line.sha256 is not None
    return AddResult(
        outcome="unchanged",
        document=line.document,
        kind=line.kind,
        snapshot_written=False,
        captured_at=line.time,
        sha256=line.sha256,
    )


def unchanged_line(
    files: StoreFiles,
    log: CaptureLog,
    entry: CaptureEntry,
    generation: int | None = None,
    data: bytes | None = None,
) -> CaptureEntry | None:
    """The log line of ``entry`` as an unchanged capture, when that is what it is without
    parsing it (the caller holds the lock, and has read the ``generation`` in use under it,
    and the log as ``data``, or they are read now); else None.

    It is when a snapshot of the document in use was written from the same bytes, by a
    logged capture from the same url parsed by this threadkeep (the same parser gives the same
    content), and the document's latest snapshot has that content: a parse would find it
    unchanged. The snapshot is the evidence, not what the log says of those captures: a
    rebuild (``reparse``, ``repair``, the upgrade of a format 1 store) may have read them
    otherwise (into another document, or none).
    """
    assert entry.sha256 is not None
    data = log.read() if data is None else data
    # The captures that made a document's content from these bytes: the unchanged
    # ones (most lines naming them, one each time they are seen again) made none. (A
    # snapshot a rebuild made later for one of those is not seen here: then a parse.)
    made = {
        capture.time: capture.document
        for _, capture in log.making(data, entry.sha256, entry.parser_version)
        if capture.url == entry.url
    }
    key = next((key for key in reversed(made.values()) if key is not None), None)
    generation = files.generation() if generation is None else generation
    document = files.document(key, generation) if key is not None else None
    if document is None or not document.snapshots:
        return None
    newest = log.newest(data)
    if newest is not None and newest > entry.time:
        reading = Reading(files.rebuild(generation))
        times = [capture.time for _, capture in reading.naming(data, document.key)]
        if max(times, default=entry.time) > entry.time:
            return None  # older than a copy of it: placed among them by a parse
    contents = {
        ref.content_sha256
        for ref in document.snapshots
        if ref.raw_sha256 == entry.sha256 and ref.captured_at in made
    }
    if document.snapshots[-1].content_sha256 not in contents:
        return None
    return entry.model_copy(update={"document": document.key, "kind": document.kind})


_KEY_PATTERN = r"[0-9]{8}T[0-9]{6}\.[0-9]{6}Z/[0-9a-f]{64}"  # a capture key: <time>/<sha256>
_KEY = re.compile(_KEY_PATTERN)
_CAPTURE = re.compile(rb'"capture":"(%s)"' % _KEY_PATTERN.encode())


def logged_keys(data: bytes) -> set[str]:
    """The capture keys log ``data`` names (one pass: a field's quotes inside a url or an
    error are escaped, so the search cannot be fooled)."""
    return {found.group(1).decode("ascii") for found in _CAPTURE.finditer(data)}


FEW = 16
"""An inbox of at most this many pointers is checked against the log one key at a time
(:func:`logged_key`: a byte search each), a longer one with one pass of :func:`logged_keys`."""


def logged_key(data: bytes, key: str) -> bool:
    """True when log ``data`` names capture ``key`` (what ``key in logged_keys(data)`` says, by
    one byte search: no set of every key the log names is built)."""
    return _KEY.fullmatch(key) is not None and data.find(b'"capture":"%s"' % key.encode()) >= 0


@dataclass
class Pending:
    """What the inbox holds: captures to merge, pointers of merged ones, dead pointers."""

    todo: list[tuple[str, PendingCapture]] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)  # pointers whose line is in the log
    dead: list[str] = field(default_factory=list)  # no capture object, older than the limit
    waiting: list[str] = field(default_factory=list)  # no capture object yet
    damaged: list[tuple[str, str]] = field(default_factory=list)  # (path, problem)


def pending(
    files: StoreFiles,
    data: bytes,
    *,
    now: datetime | None = None,
    known: dict[str, PendingCapture] | None = None,
) -> Pending:
    """The inbox, read against log ``data`` (the caller holds the lock, or only looks).
    ``known``: capture objects the caller wrote, by key (not read back)."""
    storage = files.storage
    now = now or datetime.now(UTC)
    found = Pending()
    pointers = list(storage.list(layout.INBOX))
    logged = logged_keys(data) if len(pointers) > FEW else None
    for pointer in pointers:
        key = layout.inbox_key(pointer)
        if logged_key(data, key) if logged is None else key in logged:
            found.merged.append(pointer)
            continue
        if known is not None and key in known:
            found.todo.append((key, known[key]))
            continue
        try:
            body = storage.read(layout.capture_path(key))
        except FileNotFoundError:
            found.waiting.append(pointer)
            if _written(storage, pointer) < now - DEAD_POINTER:
                found.dead.append(pointer)
            continue
        try:
            found.todo.append((key, PendingCapture.model_validate_json(body)))
        except ValidationError as exc:
            found.damaged.append((layout.capture_path(key), exc.errors()[0]["msg"]))
    return found


def _written(storage: Storage, pointer: str) -> datetime:
    """When a pointer was written (its content); the epoch when that cannot be read."""
    try:
        text = storage.read(pointer).decode("ascii")
        at = datetime.fromisoformat(text)
    except (FileNotFoundError, ValueError, UnicodeDecodeError):
        return datetime(1970, 1, 1, tzinfo=UTC)
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


@dataclass
class Merged:
    """What a merge did: each merged capture's result (or the parse error it logged)."""

    results: dict[str, AddResult | ParseError] = field(default_factory=dict)
    removed: list[str] = field(default_factory=list)  # pointers removed (merged, dead)
    damaged: list[tuple[str, str]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.results)


def merge(
    files: StoreFiles,
    log: CaptureLog,
    place: Placer,
    *,
    own: dict[str, Result] | None = None,
    locked: bool = False,
    parse: Parse | None = None,
    written: dict[str, PendingCapture] | None = None,
) -> Merged:
    """Merge every pending capture (takes the lock, unless the caller holds it:
    ``locked``). ``own`` holds the parses a writer made of its own captures, by key, and
    ``written`` the capture objects it wrote; ``parse`` reads the others' raw bodies
    (default: :func:`threadkeep.parse`)."""
    if not locked:
        with files.lock():
            return merge(files, log, place, own=own, locked=True, parse=parse, written=written)
    # under the lock: the records read, and the journal's packs, stay true while it is held
    with files.read_ahead(), log.journal.holding():
        return _merge_pending(files, log, place, own, parse, written)


def _merge_pending(
    files: StoreFiles,
    log: CaptureLog,
    place: Placer,
    own: dict[str, Result] | None,
    parse: Parse | None,
    written: dict[str, PendingCapture] | None,
) -> Merged:
    done = Merged()
    generation = files.generation()
    inbox = pending(files, log.read(), known=written)
    done.damaged = inbox.damaged
    for pointer in [*inbox.merged, *inbox.dead]:
        files.storage.remove(pointer)
        done.removed.append(pointer)
    for start in range(0, len(inbox.todo), BATCH):  # one batch of records, one pack, each
        keys: list[str] = []
        try:
            with files.batch():
                for key, capture in inbox.todo[start : start + BATCH]:
                    line, outcome = _merge_one(
                        files, log, place, key, capture, (own or {}).get(key), generation, parse
                    )
                    log.stage(line)
                    keys.append(key)
                    done.results[key] = outcome
            log.commit()  # the commit point: one pack
        finally:
            log.discard()
        for key in keys:
            files.storage.remove(layout.inbox_path(key))
    prune: Callable[[str], None] | None = getattr(files.storage, "prune", None)
    if prune is not None:  # a folder's empty folders (an object store has none)
        prune(layout.INBOX)
    return done


def _merge_one(
    files: StoreFiles,
    log: CaptureLog,
    place: Placer,
    key: str,
    capture: PendingCapture,
    result: Result | None,
    generation: int,
    parse: Parse | None,
) -> tuple[CaptureEntry, AddResult | ParseError]:
    """Merge one pending capture (in the caller's batch); its log line and what it did."""
    fields = capture.model_dump(exclude={"error"})
    if capture.error is not None or capture.sha256 is None:
        error = capture.error or "no body"
        line = CaptureEntry(**fields, outcome="failed", error=error, capture=key)
        return line, ParseError(error, source=capture.url)
    if result is None:
        line = CaptureEntry(**fields, outcome="unchanged", capture=key)
        if line.parser_version == __version__:
            same = unchanged_line(files, log, line, generation)
            if same is not None:
                return same, unchanged_result(same)
        try:
            result = _parse(files, capture, parse)
        except ParseError as exc:
            line = CaptureEntry(**fields, outcome="failed", error=exc.reason, capture=key)
            return line, exc
        fields["parser_version"] = __version__
    if isinstance(result, Export):
        reason = "an account export: archive it with Archive.export()"
        line = CaptureEntry(**fields, outcome="failed", error=reason, capture=key)
        return line, ParseError(reason, source=capture.url)
    files.prefetch(_record_paths(result, generation))
    applied = place(
        files, log, result, sha=capture.sha256, at=capture.time, generation=generation, again=True
    )
    line = CaptureEntry(
        **fields,
        outcome=applied.outcome,
        document=applied.document,
        kind=applied.kind,
        snapshot=applied.snapshot_path,
        capture=key,
    )
    return line, applied.result


def _parse(files: StoreFiles, capture: PendingCapture, parse: Parse | None) -> Result:
    """A pending capture parsed from its raw body (another writer's)."""
    assert capture.sha256 is not None
    try:
        data = files.raw(capture.sha256)
    except (FileNotFoundError, ArchiveError) as exc:
        raise ParseError(f"its raw body cannot be read ({exc})", source=capture.url) from exc
    if parse is None:
        from threadkeep.parsing import parse as parse_input

        parsed: Result = parse_input(data, url=capture.url, source=capture.url)
    else:
        parsed = parse(data, capture.url)
    if parsed.source is None:
        reason = "threadkeep JSON with no source (no sighting): nothing says where it is from"
        raise ParseError(reason, source=capture.url)
    return parsed


def capture_objects(files: StoreFiles) -> Iterator[str]:
    """Every capture object's key, sorted."""
    for path in files.storage.list(layout.CAPTURES):
        time, name = path.split("/")[-2:]
        if name.endswith(".json"):
            yield f"{time}/{name.removesuffix('.json')}"


def _record_paths(result: Result, generation: int) -> list[str]:
    """The records a merge of ``result`` reads: its document's and its tweets' (read at once
    where the storage can, before the merge reads them one by one)."""
    from threadkeep.archive import merge as merging

    key, _ = merging.document_key(result)
    paths = [layout.document_path(key, generation)] if layout.is_safe_key(key) else []
    own, referred = merging.members(result)
    paths += [
        layout.tweet_path(member.key, generation)
        for member in own + referred
        if layout.is_safe_key(member.key)
    ]
    return paths
