"""An account export into the store: :meth:`Archive.export` and ``threadkeep archive EXPORT``.

An export (the zip X/Twitter lets every account download, or its unpacked folder) is one
capture:

* its **raw body** is a *bundle*: a zip of the data files the parser read (``manifest.js``,
  ``tweets.js`` and its parts, ``deleted-tweets.js``, ``note-tweet.js``, …; Grailbird's
  ``data/js/tweets/*.js``), each as it was, in name order, with fixed times, so the same
  export always makes the same bytes. Its media are not in it: each media file a tweet names
  is a small *pointer* member (``threadkeep-media sha256:<hex> size:<n>``) and its bytes are
  in the media store (:mod:`~threadkeep.archive.media`), once. The rest of the export (direct
  messages, likes, ads data) is never read and never stored. The bundle is what ``reparse``
  parses again: it is an export of its own (``threadkeep.parse(bundle)``);
* its **time** is the export's generation date (``archiveInfo.generationDate``; a Grailbird
  export, which has none, its newest tweet's time), so archiving the same export again is the
  same capture: it writes nothing at all;
* its **documents**: ``export-<account id>`` (every tweet, deleted ones kept and marked: a tweet
  a later export no longer holds is removed there) and ``thread-<root id>`` for each thread
  unrolled from it (the key of a Thread Reader unroll of the same thread, whose tweets merge
  with it), written by :func:`~threadkeep.archive.apply.apply` in one batch, and one log line.

Order of writes, under the store lock: the media files, a batch at a time (durable), each
batch's index lines after it, then the capture as :func:`~threadkeep.archive.apply.capture`
writes one (raw body, snapshots, tweet records, document records in one batch, then the log
line), except that the batch's files are written (durable) each time :data:`FLUSH_AT` bytes of
them are held, and its document records at its end: a large export's records are never all in
memory. A crash at any instant leaves a store that ``threadkeep verify`` passes (files ahead of
the log, as a crash in the renames at the end of a batch leaves them).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, TYPE_CHECKING, Any, cast

from threadkeep._version import __version__
from threadkeep.archive import order
from threadkeep.archive.apply import Applied, _forget_raw, _not_recorded
from threadkeep.archive.files import StoreFiles
from threadkeep.archive.log import CaptureLog
from threadkeep.archive.media import BATCH, MediaEntry, MediaStore
from threadkeep.archive.records import AddResult, CaptureEntry
from threadkeep.errors import ArchiveError, UnsupportedPage
from threadkeep.models import Export, Sighting, Tweet
from threadkeep.words import plural

if TYPE_CHECKING:
    import os

    from threadkeep.account.container import ExportFiles

__all__ = ["ExportArchived", "archive_export", "bundle", "pointer"]

Progress = Callable[[str], None]
_TIME = (1980, 1, 1, 0, 0, 0)  # every bundle member's time: the same export, the same bytes
POINTER = b"threadkeep-media"
FLUSH_AT = 32 * 2**20  # bytes of snapshots and records held back before they are written


@dataclass(frozen=True)
class ExportArchived:
    """What archiving an export did.

    ``result`` is the capture's, for its ``export-<account id>`` document (``unchanged`` and
    ``written`` False when this export was archived before: nothing was written); ``threads``
    the thread documents, each with what the capture did to it; ``media_files`` and
    ``media_known`` how many media files were copied into the store and how many it held
    already; ``tweets`` how many tweets the export holds, ``deleted`` how many of them it marks
    deleted.
    """

    result: AddResult
    threads: tuple[AddResult, ...]
    tweets: int
    deleted: int
    media_files: int
    media_known: int
    written: bool

    def counts(self) -> dict[str, object]:
        """What a JSON line says of it: the threads' documents and the counts."""
        return {
            "threads": [part.document for part in self.threads],
            "tweets": self.tweets,
            "deleted": self.deleted,
            "media_files": self.media_files,
            "media_known": self.media_known,
            "written": self.written,
        }

    def summary(self, source: str) -> str:
        """``export.zip: new export-52338276 (1223 tweets, 31 threads, 40 media files)``."""
        if not self.written:
            return f"{source}: already archived ({self.result.document}): nothing written"
        counts = [
            plural(self.tweets, "tweet"),
            plural(len(self.threads), "thread"),
            f"{self.deleted} deleted" if self.deleted else "",
            f"{len(self.result.removed)} removed since" if self.result.removed else "",
            f"{plural(self.media_files, 'media file')} copied",
        ]
        said = ", ".join(c for c in counts if c)
        return f"{source}: {self.result.outcome} {self.result.document} ({said})"


class _Recording:
    """An :class:`ExportFiles` that notes every file the parser reads (the bundle's members)."""

    def __init__(self, files: ExportFiles) -> None:
        self._files = files
        self.read_names: list[str] = []

    def _note(self, name: str) -> None:
        if name not in self.read_names:
            self.read_names.append(name)

    def read(self, name: str) -> bytes:
        self._note(name)
        return self._files.read(name)

    def open(self, name: str) -> IO[bytes]:
        self._note(name)
        return cast("IO[bytes]", self._files.open(name))

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self._files, attribute)


def pointer(sha256: str, size: int) -> bytes:
    """A media file's member in a bundle: where its bytes are in the media store."""
    return POINTER + f" sha256:{sha256} size:{size}\n".encode("ascii")


def bundle(names: Iterable[str], read: Callable[[str], bytes], out: IO[bytes]) -> None:
    """Write into ``out`` a zip of the members ``names`` (each's bytes from ``read``) in name
    order, with fixed times: the same members, the same bytes. One member in memory at a time."""
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zipped:
        for name in sorted(set(names)):
            info = zipfile.ZipInfo(name, date_time=_TIME)
            info.create_system = 3
            info.external_attr = 0o644 << 16
            zipped.writestr(info, read(name))


def _hash_and_gzip(stream: IO[bytes]) -> tuple[str, bytes]:
    """The sha256 of ``stream``'s bytes and their gzip (as a raw body is stored), read a
    megabyte at a time: the bundle of a large export is never held uncompressed."""
    stream.seek(0)
    digest = hashlib.sha256()
    packed = io.BytesIO()
    with gzip.GzipFile(fileobj=packed, mode="wb", mtime=0) as gzipped:
        while chunk := stream.read(2**20):
            digest.update(chunk)
            gzipped.write(chunk)
    return digest.hexdigest(), packed.getvalue()


def _media_of(tweet: Tweet) -> Iterator[tuple[Tweet, int]]:
    for index, _ in enumerate(tweet.media):
        yield tweet, index
    if tweet.retweet_of is not None:
        yield from _media_of(tweet.retweet_of)


def _time(parsed: Export) -> datetime:
    """The capture's time: the export's generation date, else its newest tweet's time."""
    if parsed.generated_at is not None:
        return parsed.generated_at
    times = [t.created_at for t in parsed.tweets if t.created_at is not None]
    return max(times) if times else datetime.now(UTC)


def archive_export(
    files: StoreFiles,
    log: CaptureLog,
    media: MediaStore,
    source: bytes | os.PathLike[str],
    *,
    name: str | None = None,
    progress: Progress | None = None,
    parser: Callable[[ExportFiles], Export] | None = None,
) -> ExportArchived:
    """Archive the export at ``source`` (a zip's bytes, a zip file or an unpacked folder).

    ``parser`` reads it (default: :func:`threadkeep.account.read_export`).

    :class:`UnsupportedPage` when it is not an account export; a damaged export raises the
    container's :class:`~threadkeep.errors.MalformedExport`, naming the file inside it, and
    nothing is written.
    """
    from threadkeep.account.container import open_export

    if parser is None:
        from threadkeep.account import read_export

        parser = read_export

    say = progress or (lambda _: None)
    label = name or (str(source) if not isinstance(source, bytes) else "the export")
    opened = open_export(source, name=name)
    if opened is None:
        raise UnsupportedPage(
            f"{label} is not an account export (no data/manifest.js, "
            "data/tweets.js, data/tweet.js nor Grailbird data/js/tweets/)"
        )
    with opened as export_files:
        say(f"reading {label}")
        recording = _Recording(export_files)
        parsed = parser(cast("ExportFiles", recording))
        say(f"{plural(len(parsed.tweets), 'tweet')}, {plural(len(parsed.threads), 'thread')}")
        at = _time(parsed)
        if parsed.source is None or parsed.source.kind != "export":
            update = {"source": Sighting(kind="export", url=parsed.url)}
            parsed = parsed.model_copy(update=update)
        deleted = sum(1 for t in parsed.tweets if t.deleted)
        with files.lock():
            copies = _copy_media(export_files, media, parsed, at, say)  # before the capture
            pointers = copies.pointers
            names = [*recording.read_names, *pointers]
            with tempfile.TemporaryFile() as zipped:
                bundle(names, lambda n: pointers.get(n) or export_files.read(n), zipped)
                sha, packed = _hash_and_gzip(zipped)
            data = [packed]
            del packed
            counts = (len(parsed.tweets), deleted, copies.copied, copies.known)
            done = _archived_before(files, log, sha, at)
            if done is not None:
                say("archived before: nothing written")
                return ExportArchived(done, (), *counts, written=copies.written)
            say("writing the records")
            applied = _capture(files, log, data, parsed, sha=sha, at=at)
    return ExportArchived(applied.result, tuple(applied.parts), *counts, written=True)


@dataclass
class _Copies:
    """What copying an export's media did: each file's pointer (its member in the bundle),
    the files copied and those the store held already, and whether anything was written."""

    pointers: dict[str, bytes] = field(default_factory=dict)
    copied: int = 0
    known: int = 0
    written: bool = False


def _copy_media(
    files: ExportFiles, media: MediaStore, parsed: Export, at: datetime, say: Progress
) -> _Copies:
    """Copy every media file a tweet names into the media store, :data:`BATCH` at a time
    (one batch in memory, never the export's gigabytes of video at once); the caller holds
    the store lock."""
    account = parsed.account.id if parsed.account and parsed.account.id else None
    origin = f"export {account}" if account else "export"
    named = [(t, i) for tweet in parsed.tweets for t, i in _media_of(tweet)]
    named = [(t, i) for t, i in named if t.media[i].file and files.has(t.media[i].file or "")]
    done = _Copies()
    shas: set[str] = set()
    chunk: list[tuple[bytes | None, MediaEntry]] = []
    held = 0  # bytes of media in ``chunk``
    for number, (tweet, index) in enumerate(named, start=1):
        item = tweet.media[index]
        assert item.file is not None
        data, sha, size, written = _media_file(files, media, item.file)
        done.copied += written
        held += len(data or b"")
        done.pointers[item.file] = pointer(sha, size)
        entry = MediaEntry(
            sha256=sha,
            size=size,
            type=item.kind,
            url=item.url,
            file=item.file,
            tweet=tweet.id,
            origin=origin,
            time=at,
        )
        chunk.append((data, entry))
        shas.add(sha)
        if len(chunk) == BATCH or held >= _HELD_MEDIA or number == len(named):
            copied, lines = media.store(chunk)
            done.copied += copied
            done.written = done.written or bool(copied or lines)
            chunk, held = [], 0
            say(f"media {number}/{len(named)}")
    done.known = len(shas) - done.copied
    return done


# Media up to this size are read whole and written in batches (one fsync round for many
# photos); larger ones (videos) are hashed, then copied, a chunk at a time, never whole in
# memory. A batch is written once it holds _HELD_MEDIA bytes, or BATCH files.
_WHOLE_MEDIA = 8 << 20
_HELD_MEDIA = 64 << 20
_CHUNK = 1 << 20


def _streamed(size: int) -> bool:
    return size > _WHOLE_MEDIA


def _media_file(
    files: ExportFiles, media: MediaStore, name: str
) -> tuple[bytes | None, str, int, bool]:
    """``(data, sha256, size, written)`` of the media file ``name``. A large one is hashed,
    then copied into the store a chunk at a time (unless it is there already): its data is
    None, and ``written`` says whether it was copied. A media file is bounded by the export's
    total size only, not by the data files' limit."""
    if not _streamed(files.size(name)):
        with files.open(name) as stream:
            data = stream.read()
        return data, hashlib.sha256(data).hexdigest(), len(data), False
    digest, size = hashlib.sha256(), 0
    with files.open(name) as stream:
        while block := stream.read(_CHUNK):
            digest.update(block)
            size += len(block)
    sha = digest.hexdigest()
    with files.open(name) as stream:
        written = media.write_streamed(sha, _same_bytes(stream, sha, files, name))
    return None, sha, size, written


def _same_bytes(stream: IO[bytes], sha: str, files: ExportFiles, name: str) -> Iterator[bytes]:
    """The chunks of ``stream``; an error before the last one is handed on when they are not
    the bytes hashed as ``sha`` (a folder changed while it was read): the copy is dropped."""
    digest = hashlib.sha256()
    while block := stream.read(_CHUNK):
        digest.update(block)
        yield block
    if digest.hexdigest() != sha:
        raise files.refuse(name, "changed while it was read: read it again when it is still")


def _archived_before(
    files: StoreFiles, log: CaptureLog, sha: str, at: datetime
) -> AddResult | None:
    """The capture of this export when it is logged already (same bundle, same time)."""
    for _, entry in log.of(sha):
        if entry.time == at and entry.outcome not in ("failed", "empty") and entry.document:
            return AddResult(
                outcome="unchanged",
                document=entry.document,
                kind=entry.kind,
                snapshot_written=False,
                captured_at=at,
                sha256=sha,
            )
    return None


def _capture(
    files: StoreFiles,
    log: CaptureLog,
    data: list[bytes],
    parsed: Export,
    *,
    sha: str,
    at: datetime,
) -> Applied:
    """The capture, as :func:`~threadkeep.archive.apply.capture` writes one (the caller holds
    the lock): one batch, its files written :data:`FLUSH_AT` bytes at a time and its document
    records at its end, then the log line. ``data`` holds the bundle gzipped, taken out of
    it once stored."""
    generation = files.generation()
    stored = False
    try:
        with files.batch(flush_at=FLUSH_AT):
            stored = files.keep_gzipped(sha, data.pop())  # let go once written
            applied = order.place(files, log, parsed, sha=sha, at=at, generation=generation)
        log.append(
            CaptureEntry(
                time=at,
                url=None,
                sha256=sha,
                parser_version=__version__,
                outcome=applied.outcome,
                document=applied.document,
                kind=applied.kind,
                snapshot=applied.snapshot_path,
            )
        )
    except ArchiveError as exc:
        if stored:
            _forget_raw(files, log, sha)
        raise _not_recorded(exc, None) from exc
    return applied
