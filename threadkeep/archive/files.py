"""The records I/O layer: every file of a store read and written as what it holds.

:class:`StoreFiles` sits on a :class:`~threadkeep.archive.Storage` and the paths of
:mod:`threadkeep.archive.layout`: the store file, raw bodies, snapshots, document records and
tweet records. Every damaged file it reads (not JSON, the wrong schema, bad gzip, truncated, a
body that does not match its hash) raises :class:`DamagedFile`, a :class:`CorruptStore` that
names the file, so that no caller sees a pydantic or zlib traceback.

The generation of derived files is a value the caller passes; :meth:`StoreFiles.generation`
reads the one in use from the store file, and :meth:`StoreFiles.switch_generation` changes it.

:meth:`StoreFiles.batch` holds the writes of a block back and makes them together at its end
(a capture's snapshot and records: their syncs waited for together, not one file after
another); reads in the block, in the thread that holds them, see the writes held back.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from threadkeep._version import __version__
from threadkeep.archive import layout
from threadkeep.archive.layout import STORE_FILE
from threadkeep.archive.records import FORMAT, RebuildRecord, StoredDocument, StoredTweet
from threadkeep.archive.storage import Storage, write_atomic_many
from threadkeep.errors import ArchiveError, CorruptStore
from threadkeep.models import Article, Export, Listing, Thread, Tweet, result_adapter

__all__ = ["DamagedFile", "Result", "StoreFiles"]

Result = Thread | Listing | Article | Tweet | Export
Held = tuple[dict[str, bytes], dict[str, bytes]]  # a batch's writes: its two rounds
M = TypeVar("M", bound=BaseModel)


class DamagedFile(CorruptStore):
    """A stored file that does not hold what its place in the layout says it holds.

    ``path`` is the file (relative to the store); ``problem`` says what is wrong, in the
    words ``verify`` reports.
    """

    def __init__(self, path: str, problem: str, *, location: str) -> None:
        self.problem = problem
        hint = "" if layout.is_source(path) else "; `threadkeep verify --repair` rebuilds it"
        super().__init__(f"{location}: {path}: {problem}{hint}", path=path)


KEPT = 256
"""How many parsed snapshots a process keeps for its merges (:meth:`StoreFiles.snapshot_kept`)."""
KEPT_BYTES = 16 * 1024 * 1024
"""At most this much snapshot JSON kept (parsed, about 2.5 times as much in memory)."""


def _dump(model: BaseModel) -> bytes:
    return model.model_dump_json(indent=1).encode("utf-8")


def _export_chunks(result: Export) -> Iterator[bytes]:
    """An export's snapshot JSON, a tweet (and a thread) at a time, one a line: the dump of a
    200,000-tweet export in one piece took several times its size in memory."""
    head = result.model_dump_json(exclude={"tweets", "threads"}).encode("utf-8")
    yield head[:-1]  # without its closing brace
    for name in ("tweets", "threads"):
        yield f',\n"{name}": [\n'.encode("ascii")
        for index, item in enumerate(getattr(result, name)):
            yield (b",\n" if index else b"") + item.model_dump_json().encode("utf-8")
        yield b"\n]"
    yield b"\n}"


class StoreFiles:
    """Reads and writes the files of one store (see the module docstring)."""

    def __init__(self, storage: Storage, *, location: str, lock_timeout: float) -> None:
        self.storage = storage
        self.location = location
        self.lock_timeout = lock_timeout
        self._batch = threading.local()  # .held: the writes of this thread's batch (batch())
        self._read_ahead = threading.local()  # .found: files read ahead (read_ahead())
        self._kept: OrderedDict[str, tuple[Result, int]] = OrderedDict()  # snapshot_kept()
        self._kept_bytes = 0

    def lock(self, timeout: float | None = None) -> contextlib.AbstractContextManager[None]:
        """The store's write lock (``timeout`` seconds at most: default ``lock_timeout``; 0,
        only when no one holds it now)."""
        return self.storage.lock(self.lock_timeout if timeout is None else timeout)

    @contextlib.contextmanager
    def batch(self, *, flush_at: int | None = None) -> Iterator[None]:
        """Hold back the writes of the block, and make them together when it ends.

        When the block ends without error, every file it wrote is written atomically and is
        durable before this returns, in two rounds: first every file but the document
        records, renamed in the order of their last write (snapshot, tweet records), then the
        document records, which name a snapshot of the first round: after a crash at any
        instant, a document record never names a snapshot that is not on disk. When the block
        raises, nothing it wrote is written. Reads in the block (:meth:`has`, records) see the
        writes held back, in this thread only; :meth:`~threadkeep.archive.Storage.list` does
        not.

        ``flush_at`` bounds the memory of a long block (an account export's hundreds of
        thousands of records): whenever the first round's files held back reach that many
        bytes, they are written (durable) there and then, and the block goes on. The document
        records still wait for the end, after every file they name; a crash (or an error) in
        between leaves files of the first round written, as a crash during the renames at the
        end does: derived records ahead of the log, which ``verify`` accepts and ``verify
        --repair`` rebuilds, and a raw body no line names, which ``repair`` records.
        """
        assert self._held() is None, "batches do not nest"
        rounds: Held = ({}, {})
        self._batch.held = rounds
        self._batch.flush_at = flush_at
        self._batch.size = 0
        try:
            yield
            for held in rounds:
                write_atomic_many(self.storage, list(held.items()))
        except BaseException:
            ahead: dict[str, bytes | None] | None = getattr(self._read_ahead, "found", None)
            if ahead is not None:  # it holds writes that may not have been made: forgotten
                ahead.clear()
            raise
        finally:
            self._batch.held = None

    @contextlib.contextmanager
    def read_ahead(self) -> Iterator[None]:
        """Keep, for the block (which holds the lock: no one else writes the records), the
        files :meth:`prefetch` reads at once, every file the block writes and every record
        found missing, so that reading them again costs no round trip (an object store's
        records) and no failed open (a local disk's)."""
        if getattr(self._read_ahead, "found", None) is not None:  # inside one already: its
            yield
            return
        self._read_ahead.found = {}
        try:
            yield
        finally:
            self._read_ahead.found = None

    def prefetch(self, paths: Iterable[str]) -> None:
        """In a :meth:`read_ahead` block, read ``paths`` at once where the storage can
        (``read_many``); elsewhere, or without it, nothing."""
        found: dict[str, bytes | None] | None = getattr(self._read_ahead, "found", None)
        read_many: Callable[[Sequence[str]], dict[str, bytes | None]] | None = getattr(
            self.storage, "read_many", None
        )
        if found is None or read_many is None:
            return
        wanted = list(dict.fromkeys(p for p in paths if p not in found))
        if wanted:
            found.update(read_many(wanted))

    def _held(self) -> Held | None:
        held: Held | None = getattr(self._batch, "held", None)
        return held

    def _write(self, path: str, data: bytes, *, names_others: bool = False) -> None:
        """Write ``path`` now, or hold it back for the end of the batch (see :meth:`batch`):
        in its second round when it ``names_others`` (a document record)."""
        found: dict[str, bytes | None] | None = getattr(self._read_ahead, "found", None)
        if found is not None:
            found[path] = data
        rounds = self._held()
        if rounds is None:
            self.storage.write_atomic(path, data)
            return
        held = rounds[1 if names_others else 0]
        held.pop(path, None)  # renamed in the order of the last writes
        held[path] = data
        if names_others or self._batch.flush_at is None:
            return
        self._batch.size += len(data)
        if self._batch.size >= self._batch.flush_at:  # bounded: write what is held so far
            write_atomic_many(self.storage, list(held.items()))
            held.clear()
            self._batch.size = 0

    def _held_back(self, path: str) -> bytes | None:
        for held in self._held() or ():
            if path in held:
                return held[path]
        return None

    def _read(self, path: str) -> bytes:
        held = self._held_back(path)
        if held is not None:
            return held
        found: dict[str, bytes | None] | None = getattr(self._read_ahead, "found", None)
        if found is not None and path in found:
            ahead = found[path]
            if ahead is None:
                raise FileNotFoundError(path)
            return ahead
        try:
            return self.storage.read(path)
        except FileNotFoundError:
            raise
        except OSError as exc:
            raise ArchiveError(
                f"{self.location}: could not read {path}: {exc.strerror or exc}", path=path
            ) from exc

    def _damaged(self, path: str, problem: str) -> DamagedFile:
        return DamagedFile(path, problem, location=self.location)

    # -- the store file --------------------------------------------------------------------

    def exists(self) -> bool:
        """True when the store file exists (the folder holds a store)."""
        return self.storage.exists(STORE_FILE)

    def create(self) -> None:
        """Make the store file of a new store (generation 1), unless another process did."""
        if not self.exists():
            with self.lock():
                if not self.exists():
                    self.switch_generation(1)

    def generation(self) -> int:
        """The generation of derived files in use, read from the store file now."""
        return self.info()[1]

    def format(self) -> int:
        """The store's format (1: threadkeep 0.1.0's, upgraded by the first write), read now."""
        return self.info()[0]

    def info(self) -> tuple[int, int]:
        """The store's format and the generation in use, read from the store file now."""
        try:
            info = json.loads(self._read(STORE_FILE))
            version, generation = int(info["format"]), int(info.get("generation", 1))
        except (OSError, ArchiveError, ValueError, KeyError, TypeError) as exc:
            raise CorruptStore(
                f"{self.location}: {STORE_FILE} is unreadable ({exc})", path=STORE_FILE
            ) from exc
        if version > FORMAT:
            raise CorruptStore(
                f"{self.location} is a format {version} store; this threadkeep "
                f"({__version__}) reads format {FORMAT} and older: upgrade threadkeep",
                path=STORE_FILE,
            )
        return version, generation

    def switch_generation(self, generation: int) -> None:
        """Make ``generation`` the one in use, in one atomic write (the caller holds the lock)."""
        info = {"format": FORMAT, "generation": generation, "written_by": __version__}
        self.storage.write_atomic(STORE_FILE, json.dumps(info, indent=1).encode("utf-8"))

    def temporaries(self) -> list[str]:
        """The temporary files the store's own writes left (:func:`layout.is_own_temporary`):
        none when the storage cannot name them. Under the lock, every one is a dead writer's."""
        named: Callable[[], Iterator[str]] | None = getattr(self.storage, "temporaries", None)
        return [path for path in named() if layout.is_own_temporary(path)] if named else []

    def drop_temporaries(self) -> list[str]:
        """Remove the temporary files writers killed in the middle of a write left; the caller
        holds the lock, which every writer holds while it writes one. Those removed."""
        found = self.temporaries()
        for path in found:
            self.storage.remove(path)
        return found

    def rebuild(self, generation: int) -> RebuildRecord | None:
        """What the rebuild that made ``generation`` read of the log; None when none made it
        (generation 1: every line is read as it says). Damage raises :class:`DamagedFile`."""
        return self._record(layout.rebuild_path(generation), RebuildRecord)

    def save_rebuild(self, record: RebuildRecord, generation: int) -> None:
        """Write what a rebuild read, into its generation before the store switches to it."""
        self._write(layout.rebuild_path(generation), _dump(record))

    def clear_generation(self, generation: int) -> None:
        """Remove every file of ``generation`` (the leftovers of an interrupted rebuild)."""
        for path in list(self.storage.list(layout.generation_folder(generation))):
            self.storage.remove(path)

    # -- raw bodies ------------------------------------------------------------------------

    def keep_raw(self, sha256: str, data: bytes) -> bool:
        """Store a captured body under its hash, unless it is stored already; True if it was not."""
        return self.keep_gzipped(sha256, gzip.compress(data, mtime=0))

    def keep_gzipped(self, sha256: str, gzipped: bytes) -> bool:
        """:meth:`keep_raw` of a body given gzipped already (the caller hashed it as it
        compressed it: a large body is never held whole); True if it was not stored."""
        path = layout.raw_path(sha256)
        if self.has(path):
            return False
        self._write(path, gzipped)
        return True

    def has_raw(self, sha256: str) -> bool:
        """True when a body with this hash is stored."""
        return self.storage.exists(layout.raw_path(sha256))

    def drop_raw(self, sha256: str) -> None:
        """Remove a body that a failed capture stored and no log line names (see ``capture``)."""
        self.storage.remove(layout.raw_path(sha256))

    def raw(self, sha256: str) -> bytes:
        """The body with this hash; :class:`FileNotFoundError` when none is stored."""
        return self.raw_at(layout.raw_path(sha256))

    def raw_at(self, path: str) -> bytes:
        """The body stored at ``path``, checked against the hash its name promises."""
        data = self._read(path)
        try:
            body = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            raise self._damaged(path, f"unreadable raw capture ({exc})") from exc
        digest = hashlib.sha256(body).hexdigest()
        if digest != layout.raw_sha(path):
            problem = f"raw capture does not match its hash (it hashes to {digest})"
            raise self._damaged(path, problem)
        return body

    def raw_paths(self) -> Iterator[str]:
        return self.storage.list(layout.RAW)

    # -- snapshots -------------------------------------------------------------------------

    def write_snapshot(
        self, key: str, number: int, content: str, result: Result, generation: int
    ) -> str:
        """Store the ``number``-th snapshot of document ``key``; its path."""
        path = layout.snapshot_path(key, number, content, generation)
        if not isinstance(result, Export):
            self._write(path, _dump(result))
            return path
        rounds = self._held()
        stream = getattr(self.storage, "write_atomic_chunks", None)
        if rounds is None or self._batch.flush_at is None or stream is None:
            self._write(path, b"".join(_export_chunks(result)))
            return path
        # A bounded batch (see batch()): what it holds is written first, then the export's
        # snapshot straight into its file, never whole in memory; its document record follows.
        write_atomic_many(self.storage, list(rounds[0].items()))
        rounds[0].clear()
        self._batch.size = 0
        stream(path, _export_chunks(result))
        return path

    def snapshot(self, path: str) -> Result:
        """The parsed content a snapshot holds (a missing one is damage too: it is named)."""
        return self._snapshot(path, self._snapshot_data(path))

    def _snapshot_data(self, path: str) -> bytes:
        try:
            return self._read(path)
        except FileNotFoundError as exc:
            raise self._damaged(path, "snapshot missing") from exc

    def _snapshot(self, path: str, data: bytes) -> Result:
        try:
            return result_adapter.validate_json(data)
        except ValidationError as exc:
            problem = f"snapshot is not valid JSON of a result ({exc.errors()[0]['msg']})"
            raise self._damaged(path, problem) from exc

    def snapshot_kept(self, path: str, source: tuple[str | None, datetime]) -> Result:
        """:meth:`snapshot`, kept for this process's next merges (the last ``KEPT``, at most
        ``KEPT_BYTES`` of JSON): a capture merged out of time order reads every snapshot of its
        document again. A snapshot's name holds its number and its content's hash, not its
        source: one kept is used only while its ``source`` (raw sha256, capture time) is the
        one the caller's record names. Only merges read through it: ``verify`` reads each
        snapshot as it is on the storage now."""
        kept = self._kept.get(path)
        if kept is not None:
            held = kept[0].source
            if held is not None and (held.sha256, held.captured_at) == source:
                self._kept.move_to_end(path)
                return kept[0]
            self._kept_bytes -= self._kept.pop(path)[1]
        data = self._snapshot_data(path)
        found = self._snapshot(path, data)
        if isinstance(found, Export) or len(data) > KEPT_BYTES // 8:  # an export: 200,000
            return found  # tweets, or a very long thread: not kept
        self._kept[path] = (found, len(data))
        self._kept_bytes += len(data)
        while len(self._kept) > KEPT or self._kept_bytes > KEPT_BYTES:
            self._kept_bytes -= self._kept.popitem(last=False)[1][1]
        return found

    def snapshot_paths(self, generation: int) -> Iterator[str]:
        return self.storage.list(layout.snapshots_folder(generation))

    def has(self, path: str) -> bool:
        return self._held_back(path) is not None or self.storage.exists(path)

    # -- document and tweet records --------------------------------------------------------

    def document(self, key: str, generation: int) -> StoredDocument | None:
        """The record of document ``key``, or None (also for a key no file can have)."""
        return self.document_as(key, generation, StoredDocument)

    def tweet(self, key: str, generation: int) -> StoredTweet | None:
        """The record of tweet ``key``, or None (also for a key no file can have)."""
        return self.tweet_as(key, generation, StoredTweet)

    def document_as(self, key: str, generation: int, model: type[M]) -> M | None:
        """Document ``key`` read as ``model`` (a format 1 store's records are the public ones)."""
        if not layout.is_safe_key(key):
            return None
        return self._record(layout.document_path(key, generation), model)

    def tweet_as(self, key: str, generation: int, model: type[M]) -> M | None:
        """Tweet ``key`` read as ``model`` (a format 1 store's records are the public ones)."""
        if not layout.is_safe_key(key):
            return None
        return self._record(layout.tweet_path(key, generation), model)

    def save_document(self, record: StoredDocument, generation: int) -> None:
        path = layout.document_path(record.key, generation)
        self._write(path, _dump(record), names_others=True)

    def save_tweet(self, record: StoredTweet, generation: int) -> None:
        self._write(layout.tweet_path(record.key, generation), _dump(record))

    def document_paths(self, generation: int) -> Iterator[str]:
        return self.storage.list(layout.documents_folder(generation))

    def tweet_paths(self, generation: int) -> Iterator[str]:
        return self.storage.list(layout.tweets_folder(generation))

    def document_at(self, path: str) -> StoredDocument:
        return self._at(path, StoredDocument)

    def tweet_at(self, path: str) -> StoredTweet:
        return self._at(path, StoredTweet)

    def records_at(self, paths: Iterator[str], model: type[M]) -> Iterator[M]:
        """The records at ``paths`` as ``model``, skipping those removed since listed."""
        for path in paths:
            record = self._record(path, model)
            if record is not None:  # removed since it was listed: a rebuild cleared it
                yield record

    def _record(self, path: str, model: type[M]) -> M | None:
        try:
            return self._at(path, model)
        except FileNotFoundError:
            # In a read_ahead block a missing record stays missing until the block writes it
            # (_write keeps what it writes there), as a prefetch's None says on an object
            # store: a merge asks for each new tweet's record three times, and a local disk
            # then answers once.
            found: dict[str, bytes | None] | None = getattr(self._read_ahead, "found", None)
            if found is not None:
                found.setdefault(path, None)
            return None

    def _at(self, path: str, model: type[M]) -> M:
        data = self._read(path)
        try:
            return model.model_validate_json(data)
        except ValidationError as exc:
            raise self._damaged(path, f"damaged record ({exc.errors()[0]['msg']})") from exc
