"""A first pass over a WARC file's record headers: which records are pages, where they are.

:func:`index` reads every record's headers (never a payload it does not need) and yields a
:class:`Ref` for each record threadkeep reads: a ``response`` or ``resource`` whose payload is
HTML, JSON or text, and a ``revisit`` (resolved to the page it repeats when that page is in the
same file, else marked unresolved). A damaged record is a :class:`Ref` too (``damage`` says
what is wrong) and the pass goes on from the next record it can find.
:func:`per_record_gzip` tells a ``.warc.gz`` compressed record by record (seekable) from one
gzipped whole (read through :mod:`gzip`; offsets are then positions in the uncompressed WARC).
"""

from __future__ import annotations

import re
import zlib
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from hashlib import blake2b
from typing import IO

from threadkeep.limits import MAX_INPUT_BYTES

__all__ = ["Ref", "index", "is_page_type", "per_record_gzip"]

GZIP_MAGIC = b"\x1f\x8b"
_PAGE_TYPES = ("html", "json", "text/", "xml")
_NOT_PAGES = ("text/css", "text/javascript", "text/ecmascript", "text/x-javascript")
"""Text that is never a page: a crawl's style sheets and scripts are read by nothing."""
_CONTENT_LENGTH = re.compile(rb"(?im)^content-length:[ \t]*(\d+)")
_MEMBER_CAP = 1 << 24


@dataclass(frozen=True)
class Ref:
    """One record to read: its ``offset``; for a resolved revisit, the ``original``'s offset."""

    offset: int
    url: str | None = None
    original: int | None = None
    unresolved: bool = False
    """A revisit whose original is not in this file: counted, never read."""
    damage: str | None = None
    """Why the record at ``offset`` cannot be read (the rest of the file still is)."""
    nothing: bool = False
    """The one place of a WARC holding no record threadkeep reads: counted, never read."""


def is_page_type(content_type: str | None) -> bool:
    """True for a payload threadkeep may read: HTML, JSON, text (not CSS or JavaScript), or
    no type said."""
    if not content_type:
        return True
    media = content_type.split(";", 1)[0].strip().lower()
    return media not in _NOT_PAGES and any(part in media for part in _PAGE_TYPES)


def per_record_gzip(stream: IO[bytes], members: int = 3) -> bool:
    """True when ``stream`` (at its start, left there) is not gzipped, or its first
    ``members`` gzip members each hold exactly one WARC record (a well-made ``.warc.gz``).
    False for a WARC gzipped whole, which is read through :mod:`gzip` instead."""
    start = stream.tell()
    try:
        if stream.read(2) != GZIP_MAGIC:
            return True
        stream.seek(start)
        for _ in range(members):
            inflate, out = zlib.decompressobj(31), bytearray()
            while not inflate.eof:
                data = stream.read(1 << 16)
                if not data:
                    break  # the file ends inside this member: judged by what it holds
                out += inflate.decompress(data, _MEMBER_CAP)
                if len(out) >= _MEMBER_CAP and not inflate.eof:
                    return False
            if not out:
                return True  # the file ended at a member's end: every member was one record
            head, sep, _ = bytes(out[:65536]).partition(b"\r\n\r\n")
            length = _CONTENT_LENGTH.search(head)
            if not (head.startswith(b"WARC/") and sep and length):
                return False
            end = len(head) + 4 + int(length.group(1))
            if out[end:].strip(b"\r\n"):
                return False  # a second record in the member: a WARC gzipped whole
            if not inflate.eof:
                return True  # one record, cut short: the record pass names it
            if len(out) < end:
                return False
            stream.seek(-len(inflate.unused_data), 1)
        return True
    except (zlib.error, OSError, EOFError):
        return True  # a damaged first record: the record pass says where
    finally:
        stream.seek(start)


def _resync(stream: IO[bytes], after: int, gzipped: bool) -> int | None:
    """The position of the next record's start past ``after``, or None at the end."""
    magic = b"\x1f\x8b\x08" if gzipped else b"\nWARC/1."
    skip = 0 if gzipped else 1
    position = after + 1
    stream.seek(position)
    tail = b""
    while chunk := stream.read(1 << 20):
        window = tail + chunk
        found = window.find(magic)
        if found >= 0:
            return position - len(tail) + found + skip
        tail = window[-(len(magic) - 1) :]
        position += len(chunk)
    return None


def _cut_at(stream: IO[bytes], end: int, *, seekable: bool) -> int | None:
    """Where a record the file was cut inside starts, past ``end`` (the last whole record's
    end), or None when nothing but blank lines follows it."""
    if not seekable and stream.tell() - end <= 16:  # read to its end: a whole one's blank lines
        return None
    stream.seek(end)  # (a WARC gzipped whole is read again from its start: only when cut)
    head = stream.read(64)
    rest = head.lstrip(b"\r\n")
    return end + len(head) - len(rest) if rest else None


def index(stream: IO[bytes], *, seekable: bool = True) -> Iterator[Ref]:
    """Each record of the WARC in ``stream`` that threadkeep reads, in file order.

    ``seekable`` False (a WARC gzipped whole, a deflated WACZ member) stops at the first
    damaged record instead of looking for the next one.
    """
    from warcio.archiveiterator import ArchiveIterator

    start = stream.tell()
    gzipped = stream.read(2) == GZIP_MAGIC
    stream.seek(start)
    originals = _Originals()  # payload digest → offset of the page that has it
    base: int | None = start
    while base is not None:
        stream.seek(base)
        records = ArchiveIterator(stream)
        at = base
        try:
            for record in records:
                ref = _ref(record, originals)
                at = records.get_record_offset()  # after the headers: reads to the end
                if ref is not None:
                    url, original, unresolved = ref
                    digest = record.rec_headers.get_header("WARC-Payload-Digest")
                    if digest and original is None and not unresolved:
                        originals.setdefault(digest, at)
                    yield Ref(at, url, original, unresolved)
                at = records.get_record_offset() + records.get_record_length()
            cut = _cut_at(stream, at, seekable=seekable)
            if cut is not None:  # warcio ends quietly inside a record's headers
                yield Ref(cut, damage="record cut short (the file ends inside its headers)")
            return
        except Exception as exc:  # warcio's and zlib's errors: this record is damaged
            said = (str(exc).splitlines() or [""])[0][:120]
            detail = "".join(c if c.isascii() and c.isprintable() else "?" for c in said)
            if not gzipped:  # a plain record's length leaves out the blank lines after it
                stream.seek(at)
                head = stream.read(64)
                at += len(head) - len(head.lstrip(b"\r\n"))
            yield Ref(at, damage=f"damaged WARC record ({type(exc).__name__}: {detail})")
            base = _resync(stream, at, gzipped) if seekable else None


class _Originals:
    """Payload digest → offset of the first page with that payload, in 32 bytes a page.

    A dict of digest strings would take ~170 bytes a page, more than the record list itself
    (issue 20: memory flat in a crawl's size). Kept instead: a 64-bit fingerprint of each
    digest and its offset, in an open-addressed table of two arrays at most half full. Two
    digests share a fingerprint once in ~10^7 crawls of a million pages.
    """

    def __init__(self) -> None:
        self._keys, self._offsets = array("q", bytes(8 * 1024)), array("q", bytes(8 * 1024))
        self._count = 0

    @staticmethod
    def _key(digest: str) -> int:
        key = int.from_bytes(blake2b(digest.encode(), digest_size=8).digest(), signed=True)
        return key or 1  # 0 marks an empty slot

    def _slot(self, key: int) -> int:
        mask = len(self._keys) - 1
        slot = key & mask
        while self._keys[slot] not in (0, key):
            slot = (slot + 1) & mask
        return slot

    def get(self, digest: str) -> int | None:
        """The offset of the page with payload ``digest``, or None."""
        slot = self._slot(self._key(digest))
        return self._offsets[slot] if self._keys[slot] else None

    def setdefault(self, digest: str, offset: int) -> None:
        """Keep ``offset`` for ``digest`` unless an earlier page had that payload."""
        key = self._key(digest)
        slot = self._slot(key)
        if self._keys[slot]:
            return
        self._keys[slot], self._offsets[slot] = key, offset
        self._count += 1
        if 2 * self._count > len(self._keys):
            self._grow()

    def _grow(self) -> None:
        keys, offsets = self._keys, self._offsets
        self._keys = array("q", bytes(16 * len(keys)))
        self._offsets = array("q", bytes(16 * len(keys)))
        for key, offset in zip(keys, offsets, strict=True):
            if key:
                slot = self._slot(key)
                self._keys[slot], self._offsets[slot] = key, offset


def _ref(record: object, originals: _Originals) -> tuple[str | None, int | None, bool] | None:
    """(url, original, unresolved) for a record read, None for one skipped."""
    headers = record.rec_headers  # type: ignore[attr-defined]
    kind = record.rec_type  # type: ignore[attr-defined]
    url = headers.get_header("WARC-Target-URI")
    digest = headers.get_header("WARC-Payload-Digest")
    if kind == "revisit":
        original = originals.get(digest) if digest else None
        return url, original, original is None
    if kind not in ("response", "resource"):
        return None
    http = record.http_headers  # type: ignore[attr-defined]
    if kind == "response" and http is not None:
        status = http.get_statuscode()
        if not status or not status.startswith("2"):
            return None  # a redirect's or an error's body is not the page
        content_type = http.get_header("Content-Type")
    else:
        content_type = headers.get_header("Content-Type")
    length = headers.get_header("Content-Length")
    too_big = length is not None and length.isdigit() and int(length) > MAX_INPUT_BYTES
    if too_big or not is_page_type(content_type):
        return None
    return url, None, False
