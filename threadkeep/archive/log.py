"""The capture log: the one place that appends to it and reads it back.

One JSON line a capture attempt, failed ones included, written last in every capture (see
:mod:`threadkeep.archive.apply`); the layout module says where it lives.

The end of the log: a last line without its newline that is a whole JSON object only lost
its newline; it is read like any other line, and the next append ends it first. One that is
not was torn (a crash, bytes cut off the end): it is not damage, readers skip it, the next
append cuts it off whatever its length (:meth:`Storage.append_line`), and ``verify --repair``
recovers its capture from the raw body it names (:mod:`threadkeep.archive.recover`, which
reads what the torn text still holds: :meth:`CaptureLog.torn`).

Any other line that does not hold a :class:`CaptureEntry` is damage:
:meth:`CaptureLog.entries` raises :class:`CorruptStore` naming it, :meth:`CaptureLog.scan`
reports it and reads on (``verify`` and ``repair`` use that).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from pydantic import ValidationError

from threadkeep.archive.layout import LOG
from threadkeep.archive.records import CaptureEntry, RebuildRecord
from threadkeep.archive.storage import Storage, is_whole_line
from threadkeep.errors import CorruptStore

__all__ = ["CaptureLog", "DamagedLine", "Reading", "lines", "naming", "read_up_to"]


@dataclass(frozen=True)
class DamagedLine:
    """A log line (counted from 1) that holds no capture entry, and why."""

    number: int
    detail: str


class CaptureLog:
    """Appends capture entries to the log of a store and reads them back, oldest first."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self._newest: tuple[int, datetime | None] = (0, None)  # (bytes read, newest time)

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
        for found in _TIME.finditer(data, start, end):
            try:
                at = datetime.fromisoformat(found.group(1).decode("ascii"))
            except (ValueError, UnicodeDecodeError):
                continue
            if at.tzinfo is not None and (newest is None or at > newest):
                newest = at
        self._newest = (max(start, end), newest)
        return newest

    def append(self, entry: CaptureEntry) -> None:
        """Add one line (the caller holds the store lock)."""
        self.storage.append_line(LOG, entry.model_dump_json().encode("utf-8") + b"\n")

    def scan(self) -> Iterator[CaptureEntry | DamagedLine]:
        """Every line in order: its entry, or what is wrong with it (a torn last line skipped)."""
        for _, item in lines(self.read()):
            yield item

    def torn(self) -> bytes | None:
        """The torn last line (no newline, not a whole JSON object), or None when there is none.

        What a crash or a cut left of a capture's line, until the next append cuts it off:
        ``verify --repair`` reads the time and url of the capture it names from it.
        """
        data = self.read()
        return data[read_up_to(data) :] or None

    def read(self) -> bytes:
        """The whole log as stored (empty when there is none yet)."""
        try:
            return self.storage.read(LOG)
        except FileNotFoundError:
            return b""

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
        for at, item in lines(self.read()):
            if isinstance(item, DamagedLine):
                raise CorruptStore(f"{LOG} line {item.number} is damaged ({item.detail})", path=LOG)
            yield at, item


_TIME = re.compile(rb'(?m)^\{"time":"([^"]{1,64})"')
"""A log line's time: its first field, as :meth:`CaptureLog.append` writes it."""


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


def naming(
    data: bytes, field: str, value: str, *, strict: bool, outcomes: frozenset[str] | None = None
) -> list[tuple[int, CaptureEntry]]:
    """The entries of log ``data`` whose ``field`` is ``value``, oldest first, each with its
    line's offset: found by a byte search, without reading the other lines. With
    ``outcomes``, only the lines where ``field`` is followed by one of those outcomes are
    found (each place of ``field`` is read on, in C, to its line's ``outcome``: a field the
    log writes before it, such as ``sha256``), and no other line is parsed.

    The search cannot be fooled by a url or an error holding the same words: in a JSON
    string their quotes are escaped. A torn last line is skipped; a damaged line raises
    :class:`CorruptStore` (``strict``) or is skipped.
    """
    needle = b'"' + field.encode() + b'":"' + value.encode("utf-8") + b'"'
    pattern = None
    if outcomes is not None:
        pattern = re.compile(
            re.escape(needle)
            + rb'[^\n]*?"outcome":"(?:%s)"'
            % b"|".join(re.escape(outcome.encode()) for outcome in sorted(outcomes))
        )

    def search(start: int) -> int:
        at = data.find(needle, start)
        while pattern is not None and at >= 0 and pattern.match(data, at) is None:
            at = data.find(needle, at + len(needle))
        return at

    found: list[tuple[int, CaptureEntry]] = []
    at = search(0)
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
        at = search(end)
    return found
