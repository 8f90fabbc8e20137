"""The capture log: the one place that appends to it and reads it back.

One JSON line a capture attempt, failed ones included, written last in every capture (see
:mod:`threadkeep.archive.apply`); the layout module says where it lives.

The end of the log: a last line without its newline that is a whole JSON object only lost
its newline; it is read like any other line, and the next append ends it first. One that is
not was torn (a crash, bytes cut off the end): it is not damage, readers skip it, the next
append cuts it off whatever its length (:meth:`Storage.append_line`), and ``verify --repair``
recovers its capture from the raw body it names (:mod:`threadkeep.archive.recover`, which
reads what the torn text still holds: :meth:`CaptureLog.torn`).

Format 3 (a store that many writers share): the log is no longer appended. It is the
concatenation, in order, of ``captures.jsonl`` when there is one (an older store's log,
frozen: never written again) and the packs of the journal, ``journal/<seq>.jsonl`` for seq
= 1, 2, … (:class:`Journal`), each written once, whole, by the lock holder. Offsets are byte
offsets in that concatenation, so every offset an older store wrote stays valid. The frozen
log is read up to its last whole line (a torn tail is left out, as an append cut it off,
and one whole last line without its newline is read with one), then the packs follow.

Any other line that does not hold a :class:`CaptureEntry` is damage:
:meth:`CaptureLog.entries` raises :class:`CorruptStore` naming it, :meth:`CaptureLog.scan`
reports it and reads on (``verify`` and ``repair`` use that).
"""

from __future__ import annotations

import contextlib
import json
import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from pydantic import ValidationError

from threadkeep.archive import layout
from threadkeep.archive.layout import JOURNAL, LOG, STORE_FILE
from threadkeep.archive.records import CaptureEntry, RebuildRecord
from threadkeep.archive.storage import Storage, is_whole_line
from threadkeep.errors import ArchiveError, CorruptStore

__all__ = [
    "COMPACT_AT",
    "CaptureLog",
    "DamagedLine",
    "Journal",
    "JournalConflict",
    "Reading",
    "journaled",
    "lines",
    "naming",
    "read_up_to",
]

MAKING = frozenset({"new", "changed"})
"""The outcomes of the captures that made a document's content (:meth:`CaptureLog.making`)."""
MAKING_KEPT = 256
"""Raw bodies whose making lines one :class:`CaptureLog` remembers (:meth:`~CaptureLog.making`)."""
COMPACT_AT = 64
"""Packs a reader reads past the last compacted one before the lock holder compacts them."""


class JournalConflict(ArchiveError):
    """The next pack of a journal was written by someone else: another process holds the
    lock (a lease taken over). Nothing was overwritten; the caller's batch stays pending."""


def journaled(storage: Storage) -> bool:
    """True when the store's file says format 3 or later: the log is a journal of packs."""
    try:
        info = json.loads(storage.read(STORE_FILE))
        return int(info["format"]) >= 3
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        return False


class Journal:
    """An append-only file of JSON lines kept as packs written once (format 3): ``frozen``
    (an older store's file, never written again), then ``folder/<seq>.jsonl``.

    Only the lock holder appends (:meth:`append`: the pack after the last, ``create``d:
    another pack there raises :class:`JournalConflict`) and compacts (:meth:`compact`).
    Readers take no lock: a pack they listed that a compaction removed meanwhile makes them
    list again (the compacted pack holds the same bytes).
    """

    def __init__(self, storage: Storage, frozen: str, folder: str) -> None:
        self.storage = storage
        self.frozen = frozen
        self.folder = folder
        self._read: dict[str, bytes] = {}  # packs (never rewritten): read once
        self._frozen: bytes | None = None  # the frozen file once a pack follows it
        self.spans: list[tuple[int, str]] = [(0, frozen)]  # where each file starts, last read
        self._held: tuple[list[tuple[int, int, str]], int] | None = None  # chain, in holding()
        self._holding = False
        self._leftovers = False  # the last listing saw packs a compacted pack holds
        self._ranges: dict[str, tuple[int, int] | None] = {}  # pack_range of names listed

    @contextlib.contextmanager
    def holding(self) -> Iterator[None]:
        """For a block that holds the store lock (a merge): only this process writes packs,
        so the folder is listed once and the chain kept as this process changes it (a list
        of an object store is a request, and a merge reads the log several times)."""
        self._holding, self._held = True, None
        try:
            yield
        finally:
            self._holding, self._held = False, None

    def chain(self) -> tuple[list[tuple[int, int, str]], int]:
        """The packs to read, in order (``(first, last, path)``: a compacted pack in place of
        those it holds), and the last sequence number written (0: none)."""
        if self._held is not None:
            return list(self._held[0]), self._held[1]
        found = self._listed()
        if self._holding:
            self._held = (list(found[0]), found[1])
        return found

    def _listed(self) -> tuple[list[tuple[int, int, str]], int]:
        for attempt in range(20):
            best: dict[int, tuple[int, str]] = {}
            top = 0
            listed = 0
            if len(self._ranges) > 4096:  # names of packs compacted away long ago
                self._ranges.clear()
            for path in self.storage.list(self.folder):
                if path in self._ranges:
                    found = self._ranges[path]
                else:
                    found = self._ranges[path] = layout.pack_range(path)
                if found is None:
                    continue
                listed += 1
                first, last = found
                top = max(top, last)
                if first not in best or best[first][0] < last:
                    best[first] = (last, path)
            chain: list[tuple[int, int, str]] = []
            seq = 1
            while seq in best:
                last, path = best[seq]
                chain.append((seq, last, path))
                seq = last + 1
            if seq > top:
                self._leftovers = listed > len(chain)  # packs a compacted one holds
                return chain, top
            time.sleep(0.01 * attempt)  # listed while a compaction swapped packs: again
        raise CorruptStore(
            f"{self.folder}/: pack {seq} is missing (packs up to {top} exist)", path=self.folder
        )

    def head(self, packs: bool) -> bytes:
        """The frozen file as the concatenation reads it: as stored while no pack follows;
        else up to its last whole line, ended with a newline (read once: with a pack after
        it, nothing writes it again)."""
        if packs and self._frozen is not None:
            return self._frozen
        try:
            data = self.storage.read(self.frozen)
        except FileNotFoundError:
            data = b""
        if not packs:
            return data
        data = data[: read_up_to(data)]
        if data and not data.endswith(b"\n"):
            data += b"\n"
        self._frozen = data
        return data

    def read(self, extra: bytes = b"") -> bytes:
        """The whole concatenation (with ``extra``, lines not written yet, after it)."""
        for _ in range(20):
            chain, _ = self.chain()
            try:
                self._read_at_once([path for _, _, path in chain])
                parts = [self._pack(path) for _, _, path in chain]
            except FileNotFoundError:
                continue  # compacted meanwhile: list again
            head = self.head(bool(parts) or bool(extra))
            spans, at = [(0, self.frozen)], len(head)
            for (_, _, path), part in zip(chain, parts, strict=True):
                spans.append((at, path))
                at += len(part)
            self.spans = spans
            return head + b"".join(parts) + extra
        raise CorruptStore(f"{self.folder}/: the packs keep changing", path=self.folder)

    def forget(self) -> None:
        """Read every pack from the storage again (``verify``: damage on disk since this
        process read a pack must be seen; the packs are otherwise never rewritten)."""
        self._read.clear()
        self._frozen = None

    def _read_at_once(self, paths: list[str]) -> None:
        """Read the packs not read yet at once, where the storage can (``read_many``: an
        object store's round trips add up); a pack missing stays unread (:meth:`_pack`
        raises for it)."""
        read_many: Callable[[Sequence[str]], dict[str, bytes | None]] | None = getattr(
            self.storage, "read_many", None
        )
        wanted = [path for path in paths if path not in self._read]
        if read_many is None or len(wanted) < 2:
            return
        for path, data in read_many(wanted).items():
            if data is not None:
                self._read[path] = data

    def _pack(self, path: str) -> bytes:
        found = self._read.get(path)
        if found is None:  # a pack is never rewritten: read once per process
            found = self._read[path] = self.storage.read(path)
        return found

    def where(self, data: bytes, at: int) -> tuple[str, int]:
        """The file (the frozen one or a pack) that holds offset ``at`` of ``data`` (the
        last :meth:`read`), and the number of its line there, counted from 1."""
        start, path = next((s for s in reversed(self.spans) if s[0] <= at), self.spans[0])
        return path, data.count(b"\n", start, at) + 1

    def torn(self) -> bytes | None:
        """The frozen file's torn tail while no pack follows it (a pack cut it off)."""
        chain, _ = self.chain()
        if chain:
            return None
        data = self.head(False)
        return data[read_up_to(data) :] or None

    def append(self, data: bytes) -> int:
        """Write ``data`` (whole lines) as the next pack (the caller holds the lock); its
        sequence number. :class:`JournalConflict` when another wrote that pack."""
        _, top = self.chain()
        path = layout.pack_path(self.folder, top + 1)
        if not self.storage.create(path, data):
            self._held = None
            raise JournalConflict(
                f"{path} was written by another process while this one held the store lock "
                "(the lock was lost or taken over); nothing was overwritten and the captures "
                "of this batch are still pending",
                path=path,
            )
        self._read[path] = data  # never rewritten: not read back
        if self._held is not None:
            self._held = ([*self._held[0], (top + 1, top + 1, path)], top + 1)
        return top + 1

    def compact(self, at: int = COMPACT_AT) -> str | None:
        """Write one pack with the bytes of the packs read after the last compacted one,
        when there are more than ``at`` (and one for the whole chain when it has more than
        ``at`` packs); then remove the packs it holds. The caller holds the lock. The
        compacted pack written, or None."""
        chain, _ = self.chain()
        made = None
        tail: list[tuple[int, int, str]] = []
        for item in reversed(chain):
            if item[0] != item[1]:
                break
            tail.insert(0, item)
        if len(tail) > at:
            made = self._compact(tail)
        elif len(chain) > at:
            made = self._compact(chain)
        if made is not None or self._leftovers:  # the packs it holds, or a killed one's
            self._held = None
            self.sweep()
            self._leftovers = False
        return made

    def _compact(self, items: list[tuple[int, int, str]]) -> str:
        first, last = items[0][0], items[-1][1]
        data = b"".join(self._pack(path) for _, _, path in items)
        path = layout.pack_path(self.folder, last, first)
        if not self.storage.create(path, data) and self.storage.read(path) != data:
            raise CorruptStore(f"{path} differs from the packs it holds", path=path)
        self._read[path] = data
        return path

    def sweep(self) -> list[str]:
        """Remove the packs a compacted pack of the chain holds (a compaction removes them
        once it is written; a kill in between leaves them, unread). Those removed."""
        chain, _ = self.chain()
        used = {path for _, _, path in chain}
        removed = []
        for path in list(self.storage.list(self.folder)):
            found = layout.pack_range(path)
            if found is None or path in used:
                continue
            if any(first <= found[0] and found[1] <= last for first, last, _ in chain):
                self.storage.remove(path)
                self._read.pop(path, None)
                removed.append(path)
        return removed


@dataclass(frozen=True)
class DamagedLine:
    """A log line (counted from 1) that holds no capture entry, and why."""

    number: int
    detail: str


class CaptureLog:
    """Appends capture entries to the log of a store and reads them back, oldest first."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self.journal = Journal(storage, LOG, JOURNAL)
        self.staged: list[bytes] = []  # a merge's lines, read after the log until written
        self._newest: tuple[int, datetime | None] = (0, None)  # (bytes read, newest time)
        self._making: dict[tuple[str, str], tuple[int, list[tuple[int, CaptureEntry]]]] = {}

    def newest(self, data: bytes) -> datetime | None:
        """The latest capture time in log ``data`` (a read of this log), or None when it has
        no line: what tells a capture that arrives in time order (the common case) from one
        that does not (:mod:`threadkeep.archive.order`).

        The times of the lines read before are remembered, so that a process adding one
        capture after another reads only the times of the lines added since. A line whose time
        cannot be read is passed over: its capture is not placed by this answer alone.
        """
        start, newest = self._newest
        if start > len(data):  # another log (a test replaced it): read it all
            start, newest = 0, None
        end = read_up_to(data)
        times = _times(data, start, end)
        latest = _latest_utc(times)
        if latest is None:  # a time not in UTC as threadkeep writes it: each one read
            for found in times:
                try:
                    at = datetime.fromisoformat(found.decode("ascii"))
                except (ValueError, UnicodeDecodeError):
                    continue
                if at.tzinfo is not None and (latest is None or at > latest):
                    latest = at
        if latest is not None and (newest is None or latest > newest):
            newest = latest
        self._newest = (max(start, end), newest)
        return newest

    def making(
        self, data: bytes, sha256: str, parser_version: str
    ) -> list[tuple[int, CaptureEntry]]:
        """The lines of log ``data`` (a read of this log) by which threadkeep
        ``parser_version`` made a document's content from raw body ``sha256`` (outcome
        ``new`` or ``changed``), oldest first, with their offsets (:func:`making_lines`).

        The lines found in the stored log, and how far it was read, are remembered for each
        body (the last :data:`MAKING_KEPT`), so that a process re-capturing the same bytes
        again and again reads only the lines added since (a log is only ever appended to: an
        offset always holds the same line). Lines staged by a merge in progress
        (:meth:`stage`) are read each time, never remembered: a merge that fails drops them.
        """
        stored = len(data) - sum(map(len, self.staged))
        start, found = self._making.pop((sha256, parser_version), (0, []))
        if start > stored:  # another log (a test replaced it): read it all
            start, found = 0, []
        end = read_up_to(data) if stored == len(data) else stored  # staged: after whole lines
        if end > start:
            found = found + making_lines(data, sha256, parser_version, start, end)
        self._making[sha256, parser_version] = (end, found)
        if len(self._making) > MAKING_KEPT:
            del self._making[next(iter(self._making))]  # the body re-captured longest ago
        return [*found, *making_lines(data, sha256, parser_version, end, len(data))]

    def append(self, entry: CaptureEntry) -> None:
        """Add one line (the caller holds the store lock): in format 3, a pack of one line."""
        self.append_many([entry])

    def append_many(self, entries: Iterable[CaptureEntry]) -> None:
        """Add lines in one write (format 3: one pack, the commit point of a merge)."""
        data = b"".join(entry.model_dump_json().encode("utf-8") + b"\n" for entry in entries)
        if not data:
            return
        if journaled(self.storage):
            self.journal.append(data)
            self.journal.compact()
        else:
            for line in data.splitlines(keepends=True):
                self.storage.append_line(LOG, line)

    def append_pack(self, entry: CaptureEntry) -> None:
        """Write one line as a pack of its own (format 3: the caller holds the lock and knows
        the format), with no line staged meanwhile: readers in other threads never see it
        before it is written."""
        self.journal.append(entry.model_dump_json().encode("utf-8") + b"\n")
        self.journal.compact()

    def stage(self, entry: CaptureEntry) -> None:
        """Hold a line of a merge in progress: :meth:`read` ends with it (the caller holds
        the lock, so it is where the line will be) until :meth:`commit` writes it."""
        self.staged.append(entry.model_dump_json().encode("utf-8") + b"\n")

    def commit(self) -> None:
        """Write the staged lines as one pack (format 3)."""
        staged, self.staged = self.staged, []
        if staged:
            self.journal.append(b"".join(staged))
            self.journal.compact()

    def discard(self) -> None:
        """Drop the staged lines (the merge failed: its captures stay pending)."""
        self.staged = []

    def scan(self) -> Iterator[CaptureEntry | DamagedLine]:
        """Every line in order: its entry, or what is wrong with it (a torn last line skipped)."""
        for _, item in lines(self.read()):
            yield item

    def torn(self) -> bytes | None:
        """The torn last line (no newline, not a whole JSON object), or None when there is none.

        What a crash or a cut left of a capture's line, until the next append cuts it off:
        ``verify --repair`` reads the time and url of the capture it names from it.
        """
        return self.journal.torn()

    def read(self) -> bytes:
        """The whole log as stored (empty when there is none yet), with the lines of a merge
        in progress (:meth:`stage`) after it."""
        return self.journal.read(b"".join(self.staged))

    def of(self, sha256: str) -> list[tuple[int, CaptureEntry]]:
        """Every readable entry naming the raw hash ``sha256``, oldest first, with its line's
        offset in the log (:func:`naming`; a damaged line is skipped)."""
        return naming(self.read(), "sha256", sha256, strict=False)

    def entries(self) -> Iterator[CaptureEntry]:
        """Every entry, oldest first; a damaged line raises :class:`CorruptStore`."""
        for _, entry in self.entries_at():
            yield entry

    def entries_at(self) -> Iterator[tuple[int, CaptureEntry]]:
        """Every entry with its line's offset, oldest first; a damaged line raises
        :class:`CorruptStore`."""
        data = self.read()
        for at, item in lines(data):
            if isinstance(item, DamagedLine):
                path, number = self.journal.where(data, at)
                raise CorruptStore(f"{path} line {number} is damaged ({item.detail})", path=path)
            yield at, item


_TIME = re.compile(rb'(?m)^\{"time":"([^"]{1,64})"')
"""A log line's time: its first field, as :meth:`CaptureLog.append` writes it."""
_LINE_TIME = re.compile(rb'\n\{"time":"([^"]{1,64})"')
"""The time of each line after the first (a literal to search for, in C: a ``(?m)^`` anchor
would be tried at every byte)."""
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
_WHOLE = b"0000-00-00T00:00:00Z"  # a UTC time as threadkeep writes it, each digit a 0
_FRACTION = b"0000-00-00T00:00:00.000000Z"  # and one with a fraction of a second
_Z_FIRST = bytes.maketrans(b"Z", b"!")
"""``Z`` as a byte that sorts before ``.``: so ``…:05Z`` sorts before ``…:05.500000Z``."""


def _times(data: bytes, start: int, end: int) -> list[bytes]:
    """The times of the lines of log ``data`` that start in ``[start, end)`` (``start`` where
    a line starts), as written."""
    times = []
    if start == 0:
        first = _TIME.match(data, 0, end)
        if first is not None:
            times.append(first.group(1))
    return times + _LINE_TIME.findall(data, max(start - 1, 0), end)


def _latest_utc(times: list[bytes]) -> datetime | None:
    """The latest of ``times`` when each is a UTC time as threadkeep writes it (fixed-width
    digits, ``Z``, six digits of fraction when it is not zero), found in C: such times order
    as their bytes do once ``Z`` sorts before ``.``. Else None (the caller reads each one, as
    for any other form)."""
    if not times:
        return None
    joined = b"\n".join(times)
    shape = joined.translate(_DIGITS_AS_ZERO)  # each time its template, if it is one
    whole, fraction = shape.count(_WHOLE), shape.count(_FRACTION)
    rest = shape.replace(_FRACTION, b"").replace(_WHOLE, b"")
    if whole + fraction != len(times) or rest != b"\n" * (len(times) - 1):
        return None
    latest = max(joined.translate(_Z_FIRST).split(b"\n")).replace(b"!", b"Z")
    try:
        return datetime.fromisoformat(latest.decode("ascii"))
    except ValueError:  # digits that are no date (month 13): each read, as for any form
        return None


def lines(data: bytes) -> Iterator[tuple[int, CaptureEntry | DamagedLine]]:
    """Every line of log ``data`` with its offset: its entry, or what is wrong with it (a torn
    last line skipped)."""
    start = 0
    for number, line in enumerate(data.split(b"\n"), start=1):
        at, start = start, start + len(line) + 1
        if not line.strip():
            continue
        if start > len(data) and not is_whole_line(line):  # torn: not damage
            return
        try:
            yield at, CaptureEntry.model_validate_json(line)
        except ValidationError as exc:
            yield at, DamagedLine(number, exc.errors()[0]["msg"])


def read_up_to(data: bytes) -> int:
    """The offset up to which log ``data`` holds whole lines: a torn last line is left out
    (the next append cuts it off and writes its own line there)."""
    tail = data[data.rfind(b"\n") + 1 :]
    return len(data) if not tail.strip() or is_whole_line(tail) else len(data) - len(tail)


class Reading:
    """The log as one generation reads it: each line as it says, but those the rebuild that
    made the generation read otherwise (its :class:`RebuildRecord`), as it read them."""

    def __init__(self, record: RebuildRecord | None) -> None:
        self.end = record.log_offset if record is not None else 0
        self.otherwise = {line.offset: line for line in record.read} if record else {}

    def entry(self, offset: int, entry: CaptureEntry) -> CaptureEntry:
        """The line at ``offset`` as the generation reads it."""
        line = self.otherwise.get(offset) if offset < self.end else None
        if line is None:
            return entry
        update = {"outcome": line.outcome, "document": line.document, "kind": line.kind}
        return entry.model_copy(update=update)

    def naming(self, data: bytes, key: str) -> list[tuple[int, CaptureEntry]]:
        """The lines of log ``data`` the generation reads as of document ``key``, oldest first,
        with their offsets (:func:`naming`, strict)."""
        found = [
            (at, self.entry(at, entry)) for at, entry in naming(data, "document", key, strict=True)
        ]
        for at, line in self.otherwise.items():
            if line.document == key and at < self.end:  # moved here from another document
                found.append((at, self.entry(at, _line_at(data, at))))
        mine = {at: entry for at, entry in found if entry.document == key}
        return sorted(mine.items())


def _line_at(data: bytes, at: int) -> CaptureEntry:
    """The entry of the line that starts at offset ``at`` of log ``data``."""
    end = data.find(b"\n", at)
    try:
        return CaptureEntry.model_validate_json(data[at:] if end < 0 else data[at:end])
    except ValidationError as exc:
        raise _damaged(data, at, exc) from exc


def _damaged(data: bytes, at: int, exc: ValidationError) -> CorruptStore:
    """The error for the damaged line that starts at offset ``at`` of log ``data``."""
    number = data.count(b"\n", 0, at) + 1
    return CorruptStore(f"{LOG} line {number} is damaged ({exc.errors()[0]['msg']})", path=LOG)


def making_lines(
    data: bytes, sha256: str, parser_version: str, start: int, stop: int
) -> list[tuple[int, CaptureEntry]]:
    """The lines of log ``data`` starting in ``[start, stop)`` (each where a line starts) by
    which threadkeep ``parser_version`` made a document's content from raw body ``sha256``:
    outcome ``new`` or ``changed``. What :func:`naming` finds of them, by one regex searched
    in C over the range (the version as JSON writes it): threadkeep writes a line's fields in
    one order (``sha256``, ``status``, ``parser_version``, ``outcome``), so such a line holds
    these bytes together, which no url or error can (their quotes are escaped). Each line
    found is read and checked; a torn last line is passed over, a damaged one too."""
    pattern = re.compile(
        rb'"sha256":"%s","status":(?:null|-?[0-9]+),"parser_version":"%s",'
        rb'"outcome":"(?:new|changed)"'
        % (
            re.escape(sha256.encode("utf-8")),
            re.escape(json.dumps(parser_version, ensure_ascii=False)[1:-1].encode("utf-8")),
        )
    )
    found: list[tuple[int, CaptureEntry]] = []
    for match in pattern.finditer(data, start, stop):
        first = data.rfind(b"\n", 0, match.start()) + 1
        end = data.find(b"\n", match.end())
        line = data[first:] if end < 0 else data[first:end]
        if end < 0 and not is_whole_line(line):
            continue  # torn
        try:
            entry = CaptureEntry.model_validate_json(line)
        except ValidationError:
            continue
        if (entry.sha256, entry.parser_version) == (sha256, parser_version) and (
            entry.outcome in MAKING
        ):
            found.append((first, entry))
    return found


def naming(
    data: bytes,
    field: str,
    value: str,
    *,
    strict: bool,
) -> list[tuple[int, CaptureEntry]]:
    """The entries of log ``data`` whose ``field`` is ``value``, oldest first, each with its
    line's offset: found by a byte search, without reading the other lines.

    The search cannot be fooled by a url or an error holding the same words: in a JSON
    string their quotes are escaped. A torn last line is skipped; a damaged line raises
    :class:`CorruptStore` (``strict``) or is skipped.
    """
    needle = b'"' + field.encode() + b'":"' + value.encode("utf-8") + b'"'
    found: list[tuple[int, CaptureEntry]] = []
    at = data.find(needle)
    while at >= 0:
        start = data.rfind(b"\n", 0, at) + 1
        end = data.find(b"\n", at)
        line = data[start:] if end < 0 else data[start:end]
        if end >= 0 or is_whole_line(line):
            try:
                entry = CaptureEntry.model_validate_json(line)
            except ValidationError as exc:
                if strict:
                    raise _damaged(data, start, exc) from exc
            else:
                if getattr(entry, field) == value:
                    found.append((start, entry))
        if end < 0:
            break
        at = data.find(needle, end)
    return found
