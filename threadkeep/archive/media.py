"""The media store: every media file (photo, video, GIF) once, by the sha256 of its bytes.

Layout (see docs/format.md)::

    media/<ab>/<sha256>     the file's bytes as they came (photos and videos are compressed
                            already: no gzip), named by their hash
    media.jsonl             the index, append-only: one :class:`MediaEntry` a line, saying
                            which media url and which export file name is which stored file

A file is stored once however many tweets, exports or fetches bring it. The index is looked up
by the media's url (``https://pbs.twimg.com/media/….jpg``) and by the name of the file that held
it in an account export (``data/tweets_media/<tweet id>-<name>``, looked up by its last part,
so ``tweet_media/`` of older exports finds it too); the latest line for a key wins. The media
issue fetches into the same store and reuses the index (``origin`` is then the url fetched).

Like the raw captures and the capture log, media files and the index are the source of truth:
never rewritten, never rebuilt (but for damage ``verify --repair`` sets aside, its bytes kept:
:mod:`~threadkeep.archive.media_repair`). A damaged index line is skipped by readers with a
warning. The order of writes keeps a store valid after a crash at any
instant: the files first (one batch, durable when it returns), then their index lines (one
append, synced). A file a crash left without its line is *unindexed*, not damage:
``verify`` lists it, ``verify --repair`` indexes it (origin ``recovered``), and the next
archive of its export indexes it under its url and file name without copying it again.
"""

from __future__ import annotations

import hashlib
import io
import logging
import posixpath
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import BinaryIO, cast

from pydantic import AwareDatetime, BaseModel, ConfigDict, ValidationError

from threadkeep.archive import layout
from threadkeep.archive.log import Journal, journaled
from threadkeep.archive.storage import Storage, is_whole_line, write_atomic_many
from threadkeep.errors import CorruptStore

logger = logging.getLogger("threadkeep")

__all__ = ["MediaCheck", "MediaEntry", "MediaStore", "file_key"]

BATCH = 64
"""How many media files are written (and synced) together."""


class MediaEntry(BaseModel):
    """One line of the media index: a stored file, and the url and export file it came as.

    ``type`` is the media's type (``photo``, ``video``, ``gif``) as the copy said it;
    ``file`` the file that held it in an account export; ``tweet`` the id of the tweet it
    belongs to; ``origin`` where the bytes came from (``export <account id>``, a url fetched,
    or ``recovered`` for a file ``verify --repair`` indexed); ``time`` when that copy was made
    (an export's generation date).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    sha256: str
    size: int
    type: str | None = None
    url: str | None = None
    file: str | None = None
    tweet: str | None = None
    origin: str
    time: AwareDatetime


def file_key(name: str) -> str:
    """How the index looks up an export file name: its last part (``<tweet id>-<name>``)."""
    return posixpath.basename(name)


def _keys(entry: MediaEntry) -> list[tuple[str, str]]:
    keys = []
    if entry.url:
        keys.append(("url", entry.url))
    if entry.file:
        keys.append(("file", file_key(entry.file)))
    return keys


@dataclass
class MediaCheck:
    """What :meth:`MediaStore.check` found: files counted, damage, files no line names."""

    files: int = 0
    lines: int = 0
    problems: list[tuple[str, str]] = field(default_factory=list)
    unindexed: list[str] = field(default_factory=list)
    set_aside: list[str] = field(default_factory=list)
    """Files the index names that a repair set aside as damaged: to fetch again."""


class MediaStore:
    """The media files of one store and their index (see the module docstring)."""

    def __init__(self, storage: Storage, *, location: str) -> None:
        self.storage = storage
        self.location = location
        # The index as last read: the bytes of its whole lines and what they make. The file
        # is only ever appended to, so a later read parses only the lines after those bytes
        # (each fetched file adds one: parsing the whole index each time was quadratic).
        self._read: tuple[bytes, dict[tuple[str, str], MediaEntry]] = (b"", {})
        self._warned: set[int] = set()  # the damaged lines said already
        # Format 3: the index is media.jsonl (frozen) then the packs of media-journal/.
        self.journal = Journal(storage, layout.MEDIA_INDEX, layout.MEDIA_JOURNAL)

    def has_index(self) -> bool:
        """True when the index has a line or a pack (a store with no media has neither)."""
        return self.storage.exists(layout.MEDIA_INDEX) or any(
            True for _ in self.storage.list(layout.MEDIA_JOURNAL)
        )

    # -- reading ---------------------------------------------------------------------------

    def entries(self) -> list[MediaEntry]:
        """Every index line, oldest first (a torn last line skipped; a damaged line skipped
        with a warning, see :meth:`index`)."""
        found = []
        for number, item in self.lines():
            if isinstance(item, str):
                self._warn(number, item)
                continue
            found.append(item)
        return found

    def _warn(self, number: int, problem: str) -> None:
        """Say once that index line ``number`` is damaged and skipped. The index is left as it
        is (the source of truth): ``verify`` reports the line, ``verify --repair`` sets it
        aside and indexes again the files it may have named."""
        if number in self._warned:
            return
        self._warned.add(number)
        path, line = self.line_place(number)
        logger.warning(
            "%s: %s line %d is damaged (%s): skipped; threadkeep verify --repair sets it aside",
            self.location, path, line, problem,
        )  # fmt: skip

    def line_place(self, number: int) -> tuple[str, int]:
        """The file (``media.jsonl`` or a pack of ``media-journal/``) that holds line
        ``number`` of the index, and its line number there."""
        data = self.journal.read()
        at = 0
        for _ in range(number - 1):
            at = data.index(b"\n", at) + 1
        return self.journal.where(data, at)

    def lines(self) -> Iterator[tuple[int, MediaEntry | str]]:
        """Each line of the index (``media.jsonl`` then the packs of ``media-journal/``) by its
        number: its entry, or why it is damaged (a torn last line, which a crash may leave, is
        neither: skipped)."""
        data = self.journal.read()
        if not data:
            return
        split = data.split(b"\n")
        aside: set[bytes] | None = None
        for number, line in enumerate(split, start=1):
            if not line.strip():
                continue
            if number == len(split) and not is_whole_line(line):  # torn by a crash: skipped
                return
            try:
                yield number, MediaEntry.model_validate_json(line)
            except ValidationError as exc:
                aside = self.lines_set_aside() if aside is None else aside
                if line.strip() not in aside:  # one a repair set aside is no longer damage
                    yield number, exc.errors()[0]["msg"]

    def lines_set_aside(self) -> set[bytes]:
        """The damaged index lines a repair kept in ``media.jsonl.damaged``: the index itself
        is never rewritten (its packs are written once), so readers pass over these."""
        try:
            data = self.storage.read(layout.MEDIA_INDEX_DAMAGED)
        except FileNotFoundError:
            return set()
        return {line.strip() for line in data.split(b"\n") if line.strip()}

    def index(self) -> dict[tuple[str, str], MediaEntry]:
        """The index, by ``("url", url)`` and ``("file", file_key(name))``: the latest line wins
        (a torn last line skipped; a damaged line skipped, said once as a warning).

        Only the lines written since the last call are parsed, when the bytes read then are
        still the file's start; else (a repair rewrote it) the whole file is."""
        data = self.journal.read()
        seen, known = self._read
        if not data.startswith(seen):
            seen, known = b"", {}
            self._warned.clear()  # rewritten (a repair): its line numbers changed
        whole = data.rfind(b"\n") + 1  # the lines ended by a line break: kept for next time
        found = dict(known)
        number = seen.count(b"\n")
        for line in data[len(seen) : whole].split(b"\n")[:-1]:
            number += 1
            self._index_line(found, line, number)
        self._read = (data[:whole], dict(found)) if whole >= len(seen) else self._read
        last = data[max(whole, len(seen)) :]
        if last and is_whole_line(last):  # an unended last line, whole: read, not kept
            self._index_line(found, last, number + 1)
        return found

    def _index_line(
        self, found: dict[tuple[str, str], MediaEntry], line: bytes, number: int
    ) -> None:
        if not line.strip():
            return
        try:
            entry = MediaEntry.model_validate_json(line)
        except ValidationError as exc:
            if line.strip() not in self.lines_set_aside():  # one a repair set aside: passed over
                self._warn(number, exc.errors()[0]["msg"])
            return
        for key in _keys(entry):
            found[key] = entry

    def find(self, *, url: str | None = None, file: str | None = None) -> MediaEntry | None:
        """The stored media for this url, else this export file name; None when unknown."""
        index = self.index()
        if url and ("url", url) in index:
            return index[("url", url)]
        if file and ("file", file_key(file)) in index:
            return index[("file", file_key(file))]
        return None

    def has(self, sha256: str) -> bool:
        return self.storage.exists(layout.media_path(sha256))

    def read(self, sha256: str) -> bytes:
        """The media file with this hash, checked against it; :class:`FileNotFoundError` when
        none is stored, :class:`CorruptStore` when it is damaged."""
        path = layout.media_path(sha256)
        data = self.storage.read(path)
        digest = hashlib.sha256(data).hexdigest()
        if digest != sha256:
            raise CorruptStore(
                f"{self.location}: {path}: media file does not match its hash "
                f"(it hashes to {digest})",
                path=path,
            )
        return data

    def open(self, sha256: str) -> BinaryIO:
        """The media file with this hash as a binary stream, to read in chunks (not checked
        against its hash: the reader hashes what it reads); :class:`FileNotFoundError` when
        none is stored. A storage without ``open(path)`` gives the file read whole."""
        path = layout.media_path(sha256)
        opener = getattr(self.storage, "open", None)
        if opener is None:
            return io.BytesIO(self.storage.read(path))
        return cast("BinaryIO", opener(path))

    def paths(self) -> Iterator[str]:
        for path in self.storage.list(layout.MEDIA):
            name = layout.media_sha(path)
            if len(name) == 64 and path == layout.media_path(name):
                yield path

    # -- writing (the caller holds the store lock) -----------------------------------------

    def write_streamed(self, sha256: str, chunks: Iterable[bytes]) -> bool:
        """Write the file of ``sha256`` from ``chunks`` as they come (a large video is never
        whole in memory), durable when this returns, unless it is stored already; whether it
        was written. Its index line is written by :meth:`store` (``data`` None)."""
        if self.has(sha256):
            return False
        write = getattr(self.storage, "write_atomic_chunks", None)
        path = layout.media_path(sha256)
        if write is None:  # a storage that cannot stream: one file, written whole
            write_atomic_many(self.storage, [(path, b"".join(chunks))])
        else:
            write(path, chunks)
        return True

    def write_hashed(self, chunks: Iterable[bytes]) -> tuple[str, int]:
        """Write a file whose hash is not known yet from ``chunks`` as they come (a fetched
        video is never whole in memory): into a temporary file in ``media/``, hashed while it
        is written, synced, then renamed to its sha256's path (kept as it is when stored
        already). Its ``(sha256, size)``; its index line is written by :meth:`store` (``data``
        None). An exception while the chunks come leaves no file, not even a temporary one.

        Unlike the other writes, no store lock is needed: the file's name is its hash, so two
        writers of it write the same bytes, and one rename wins whole.

        Example:
            >>> import tempfile
            >>> from threadkeep.archive.storage import LocalStorage
            >>> media = MediaStore(LocalStorage(tempfile.mkdtemp()), location="store")
            >>> sha, size = media.write_hashed([b"not really ", b"a jpeg"])
            >>> media.read(sha), size
            (b'not really a jpeg', 17)
        """
        digest = hashlib.sha256()
        size = 0

        def hashing() -> Iterator[bytes]:
            nonlocal size
            for chunk in chunks:
                digest.update(chunk)
                size += len(chunk)
                yield chunk

        write = getattr(self.storage, "write_atomic_named", None)
        if write is None:  # a storage that cannot stream: one file, written whole
            data = b"".join(hashing())
            if not self.has(digest.hexdigest()):
                write_atomic_many(self.storage, [(layout.media_path(digest.hexdigest()), data)])
        else:
            write(layout.MEDIA, hashing(), lambda: layout.media_path(digest.hexdigest()))
        return digest.hexdigest(), size

    def store(self, items: Sequence[tuple[bytes | None, MediaEntry]]) -> tuple[int, int]:
        """Store each ``(data, entry)``: a file not stored yet is written, a url or file name
        the index does not have yet (or has as other bytes) gets a line. ``data`` None: the
        file was written already (:meth:`write_streamed`). The files are durable before their
        lines are written. How many files (of those given as data) and lines were written."""
        index = self.index()
        stored: set[str] = set()
        files: list[tuple[str, bytes]] = []
        lines: list[MediaEntry] = []
        for data, entry in items:
            if data is not None and entry.sha256 not in stored and not self.has(entry.sha256):
                files.append((layout.media_path(entry.sha256), data))
            stored.add(entry.sha256)
            keys = _keys(entry)
            if any(
                index.get(key, None) is None or index[key].sha256 != entry.sha256 for key in keys
            ):
                lines.append(entry)
                for key in keys:
                    index[key] = entry
        for start in range(0, len(files), BATCH):
            write_atomic_many(self.storage, files[start : start + BATCH])
        self._append(lines)
        return len(files), len(lines)

    def _append(self, entries: list[MediaEntry]) -> None:
        if entries:
            text = b"".join(e.model_dump_json().encode("utf-8") + b"\n" for e in entries)
            if journaled(self.storage):
                self.journal.append(text)
                self.journal.compact()
            else:
                self.storage.append_line(layout.MEDIA_INDEX, text)

    # -- verify and repair -----------------------------------------------------------------

    def check(self) -> MediaCheck:
        """Every media file against its hash, every index line against the files."""
        checked = MediaCheck()
        on_disk: set[str] = set()
        for path in self.paths():
            checked.files += 1
            sha = layout.media_sha(path)
            on_disk.add(sha)
            try:
                self.read(sha)
            except CorruptStore:
                checked.problems.append((path, "media file does not match its hash"))
        named: set[str] = set()
        aside = {layout.media_sha(p).split(".")[0] for p in self.storage.list(layout.MEDIA_DAMAGED)}
        for number, item in self.lines():
            if isinstance(item, str):
                path, line = self.line_place(number)
                checked.problems.append((path, f"line {line} is damaged ({item})"))
                continue
            checked.lines += 1
            named.add(item.sha256)
            if item.sha256 not in on_disk and item.sha256 in aside:  # a repair set it aside
                if layout.media_path(item.sha256) not in checked.set_aside:
                    checked.set_aside.append(layout.media_path(item.sha256))
            elif item.sha256 not in on_disk:
                problem = f"media file missing (line {number} of {layout.MEDIA_INDEX} names it)"
                checked.problems.append((layout.media_path(item.sha256), problem))
        checked.unindexed = [layout.media_path(sha) for sha in sorted(on_disk - named)]
        return checked

    def index_unindexed(self, paths: list[str], *, at: AwareDatetime) -> list[str]:
        """Index the files a copy cut short left without a line (``verify --repair``): their
        url and export file name are unknown (the next archive of the export adds them)."""
        entries = []
        for path in paths:
            sha = layout.media_sha(path)
            try:
                data = self.read(sha)
            except (CorruptStore, FileNotFoundError):
                continue
            entries.append(MediaEntry(sha256=sha, size=len(data), origin="recovered", time=at))
        self._append(entries)
        return [layout.media_path(e.sha256) for e in entries]
