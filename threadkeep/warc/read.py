"""Reading WARC records: one page record's payload, decoded, with where and when it was taken.

A :class:`Source` is one WARC: a ``.warc`` or ``.warc.gz`` file, or one ``archive/`` member
of a ``.wacz``. :func:`read_page` reads the record a :class:`~threadkeep.warc.index.Ref` names
and gives a :class:`WarcPage`: the ``WARC-Target-URI``, ``WARC-Date``, the HTTP status, the
payload with its transfer and content encodings undone (chunked, gzip, deflate, br) and the
record's place. :func:`pages` reads every page of a source in order (``threadkeep archive``).
A record that cannot be read raises :class:`MalformedRecord`, naming the file and offset.
"""

from __future__ import annotations

import contextlib
import gzip
import sys
import threading
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, cast

from threadkeep.encoding import declared_charset, declared_text
from threadkeep.errors import MalformedPage
from threadkeep.limits import MAX_INPUT_BYTES
from threadkeep.models import Origin
from threadkeep.warc.index import Ref, index, per_record_gzip

__all__ = [
    "NO_PAGE_RECORD",
    "MalformedRecord",
    "Source",
    "WarcPage",
    "bare_digest",
    "close_open",
    "pages",
    "read_page",
]


NO_PAGE_RECORD = "no record threadkeep reads (no page response or resource)"
"""Why a WARC holding none (a crawl of images only) is counted as holding no tweets."""


class MalformedRecord(MalformedPage):
    """A WARC record that cannot be read: damaged, or a payload that cannot be decoded.

    The message names the file and the record's offset (``crawl.warc.gz at 1234: …``).
    """


@dataclass(frozen=True)
class Source:
    """One WARC: a file, or the ``member`` (``archive/….warc.gz``) of a ``.wacz`` file."""

    path: Path
    member: str | None = None

    @property
    def label(self) -> str:
        """``crawl.warc.gz``, or ``crawl.wacz#archive/data.warc.gz``."""
        return f"{self.path}#{self.member}" if self.member else str(self.path)

    def at(self, offset: int) -> str:
        """How a record is named in messages: ``crawl.warc.gz at 1234``."""
        return f"{self.label} at {offset}"

    @contextlib.contextmanager
    def open(self) -> Iterator[tuple[IO[bytes], bool]]:
        """The WARC's bytes (a whole-gzipped one uncompressed), and whether seeking is cheap."""
        with contextlib.ExitStack() as stack:
            raw: IO[bytes] = stack.enter_context(self.path.open("rb"))
            cheap = True
            if self.member is not None:
                import zipfile

                archive = stack.enter_context(zipfile.ZipFile(raw))
                info = archive.getinfo(self.member)
                cheap = info.compress_type == zipfile.ZIP_STORED
                raw = stack.enter_context(archive.open(info))
            if not per_record_gzip(raw):
                whole = gzip.GzipFile(fileobj=raw, mode="rb")
                stack.callback(whole.close)
                raw = cast(IO[bytes], _UpToTheCut(whole))
                cheap = False
            yield raw, cheap


class _UpToTheCut:
    """A WARC gzipped whole, read uncompressed up to where its file was cut: GzipFile raises
    EOFError at a cut, dropping what it had read in the same call (every record before the
    cut with it); here the bytes end there, and the record pass names the record cut."""

    def __init__(self, whole: gzip.GzipFile) -> None:
        self.whole = whole

    def read(self, size: int = -1) -> bytes:
        out = bytearray()
        wanted = size if size >= 0 else sys.maxsize
        while len(out) < wanted:
            try:  # read1: one step at a time, so that a step's bytes are kept before a cut
                piece = self.whole.read1(min(wanted - len(out), 1 << 16))
            except EOFError:
                break
            if not piece:
                break
            out += piece
        return bytes(out)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.whole.seek(offset, whence)

    def tell(self) -> int:
        return self.whole.tell()


@dataclass(frozen=True)
class WarcPage:
    """One page record's payload and where it came from."""

    url: str | None
    date: datetime | None
    status: int | None
    content_type: str | None
    body: bytes
    file: str
    offset: int
    record_id: str | None
    digest: str | None
    """The bare base32 SHA-1 of the payload (``WARC-Payload-Digest`` without ``sha1:``)."""

    def text(self) -> str | None:
        """The payload decoded in the charset its HTTP head declares (which beats what the
        bytes look like, as for a fetch), or None when it declares none to honour."""
        return declared_text(self.body, declared_charset(self.content_type))

    @property
    def origin(self) -> Origin:
        """Where the page was read from: the file, the record's offset and its id."""
        return Origin(file=self.file, offset=self.offset, record_id=self.record_id)


def bare_digest(value: str | None) -> str | None:
    """``sha1:ABC…`` → ``ABC…`` (how the store keeps a web archive's digest); None otherwise."""
    if not value or not value.lower().startswith("sha1:"):
        return None
    bare = value[5:].strip().upper()
    return bare if len(bare) == 32 and bare.isalnum() else None


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _dechunk(data: bytes, where: str) -> bytes:
    out, at = bytearray(), 0
    while True:
        end = data.find(b"\r\n", at)
        if end < 0:
            raise MalformedRecord("damaged chunked payload (no chunk size)", source=where)
        try:
            size = int(data[at:end].split(b";", 1)[0].strip() or b"x", 16)
        except ValueError:
            raise MalformedRecord(
                "damaged chunked payload (bad chunk size)", source=where
            ) from None
        if size == 0:
            return bytes(out)
        out += data[end + 2 : end + 2 + size]
        at = end + 2 + size + 2
        if len(out) > MAX_INPUT_BYTES:
            raise _too_large(where)


def _too_large(where: str) -> MalformedRecord:
    return MalformedRecord(
        f"payload over {MAX_INPUT_BYTES:,} bytes decoded (threadkeep.limits.MAX_INPUT_BYTES)",
        source=where,
    )


def _inflate(data: bytes, wbits: int, where: str) -> bytes:
    inflate = zlib.decompressobj(wbits)
    out = inflate.decompress(data, MAX_INPUT_BYTES + 1)
    if len(out) > MAX_INPUT_BYTES:
        raise _too_large(where)
    return out


def _unbrotli(data: bytes, where: str) -> bytes:
    try:
        import brotli  # type: ignore[import-untyped]
    except ImportError:
        raise MalformedRecord(
            "a br (brotli) payload: install threadkeep[warc] to read it", source=where
        ) from None
    decoder = brotli.Decompressor()
    out = bytearray()
    for at in range(0, len(data), 1 << 16):  # so that a brotli bomb stops at the limit
        out += decoder.process(data[at : at + (1 << 16)])
        if len(out) > MAX_INPUT_BYTES:
            raise _too_large(where)
    return bytes(out)


def decode(data: bytes, transfer: str | None, content: str | None, where: str) -> bytes:
    """``data`` with its transfer encoding (chunked) and content encoding undone."""
    try:
        if transfer and "chunked" in transfer.lower():
            data = _dechunk(data, where)
        coding = (content or "").strip().lower()
        if coding in ("", "identity"):
            return data
        if coding in ("gzip", "x-gzip"):
            return _inflate(data, 47, where)
        if coding == "deflate":
            try:
                return _inflate(data, 15, where)
            except zlib.error:
                return _inflate(data, -15, where)
        if coding == "br":
            return _unbrotli(data, where)
    except MalformedRecord:
        raise
    except Exception as exc:  # zlib.error, brotli.error: a damaged payload
        raise MalformedRecord(f"payload not {content or 'chunked'} as its headers say ({exc})",
                              source=where) from exc  # fmt: skip
    raise MalformedRecord(
        f"payload in an encoding threadkeep cannot undo ({content})", source=where
    )


def _record_at(stream: IO[bytes] | _Rewind, offset: int) -> Any:
    from warcio.archiveiterator import ArchiveIterator

    stream.seek(offset)
    return next(iter(ArchiveIterator(stream)))


def _page(record: Any, source: Source, ref: Ref, revisit: Any = None) -> WarcPage:
    """The page in ``record``; a revisit's own url, date and status when ``revisit`` is given."""
    where = source.at(ref.offset)
    own = revisit if revisit is not None else record
    headers = own.rec_headers
    http = record.http_headers
    status_line = (
        (own.http_headers or http).get_statuscode() if (own.http_headers or http) else None
    )
    raw = record.raw_stream.read(MAX_INPUT_BYTES + 1)
    if len(raw) > MAX_INPUT_BYTES:
        raise _too_large(where)
    missing = getattr(record.raw_stream, "limit", 0)  # warcio reads a cut record short, silently
    if isinstance(missing, int) and missing > 0:
        raise MalformedRecord(
            f"record cut short ({missing:,} bytes of its payload missing: the file ends inside it)",
            source=where,
        )
    truncated = record.rec_headers.get_header("WARC-Truncated")
    if truncated:  # the crawler kept part of the page: read, it would lose tweets silently
        raise MalformedRecord(
            f"record truncated by its crawler (WARC-Truncated: {truncated}): the page is "
            "incomplete and was not read",
            source=where,
        )
    if status_line == "206":
        raise MalformedRecord(
            "a partial answer (HTTP 206): the page is incomplete and was not read", source=where
        )
    if record.rec_type == "response" and http is not None:
        body = decode(raw, http.get_header("Transfer-Encoding"),
                      http.get_header("Content-Encoding"), where)  # fmt: skip
        content_type = http.get_header("Content-Type")
    else:
        body, content_type = raw, record.rec_headers.get_header("Content-Type")
    return WarcPage(
        url=headers.get_header("WARC-Target-URI"),
        date=_date(headers.get_header("WARC-Date")),
        status=int(status_line) if status_line and status_line.isdigit() else None,
        content_type=content_type,
        body=body,
        file=source.label,
        offset=ref.offset,
        record_id=headers.get_header("WARC-Record-ID"),
        digest=bare_digest(record.rec_headers.get_header("WARC-Payload-Digest")),
    )


class _TooFarBack(Exception):
    """A seek behind what :class:`_Rewind` still holds: the WARC is opened again."""


class _Rewind:
    """A stream read forward only (a WARC gzipped whole, a deflated WACZ member) that can
    seek back over the last :attr:`KEEP` bytes read (what warcio read ahead of a record) and
    forward by reading; the records of such a file are then read in one pass, not each from
    the file's start."""

    KEEP = 1 << 20

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.position = 0
        self.kept = bytearray()
        self.kept_from = 0  # the position of kept[0]

    def tell(self) -> int:
        return self.position

    def _fill(self, size: int) -> bytes:
        data = self.raw.read(size)
        self.kept += data
        if len(self.kept) > 2 * self.KEEP:
            drop = len(self.kept) - self.KEEP
            del self.kept[:drop]
            self.kept_from += drop
        return data

    def read(self, size: int = -1) -> bytes:
        """``size`` bytes (fewer only at the end: warcio takes a short read at a record's
        start for the end of a gzip member)."""
        wanted = size if size >= 0 else 1 << 20
        start = self.position - self.kept_from
        data = bytes(self.kept[start : start + wanted])
        if len(data) < wanted:
            data += self._fill(wanted - len(data))
        self.position += len(data)
        return data

    def seek(self, offset: int, whence: int = 0) -> int:
        target = offset if whence == 0 else self.position + offset
        if target < self.kept_from:
            raise _TooFarBack
        self.position = min(target, self.kept_from + len(self.kept))
        while self.position < target and self.read(min(target - self.position, 1 << 20)):
            pass
        return self.position


_Kept = list[tuple[tuple[Source, int, int], contextlib.ExitStack, IO[bytes] | _Rewind]]


class _ThreadOpen(threading.local):
    """The WARC this thread last read (at most one), kept open for its next record. One a
    thread: a Dask worker runs a task a thread, each seeking in its own range of the file."""

    def __init__(self) -> None:
        self.kept: _Kept = []


_OPEN = _ThreadOpen()


def close_open() -> None:
    """Close the WARC kept open between records by this thread (reading another closes it)."""
    while _OPEN.kept:
        _OPEN.kept.pop()[1].close()


def _opened(source: Source, *, again: bool = False) -> IO[bytes] | _Rewind:
    stat = source.path.stat()
    key = (source, stat.st_mtime_ns, stat.st_size)
    kept = _OPEN.kept
    if kept and kept[0][0] == key and not again:
        return kept[0][2]
    close_open()
    stack = contextlib.ExitStack()
    stream, cheap = stack.enter_context(source.open())
    opened: IO[bytes] | _Rewind = stream if cheap else _Rewind(stream)
    kept.append((key, stack, opened))
    return opened


def _record_in(source: Source, offset: int) -> Any:
    try:
        return _record_at(_opened(source), offset)
    except _TooFarBack:
        return _record_at(_opened(source, again=True), offset)


def read_page(source: Source, ref: Ref) -> WarcPage:
    """The page of the record ``ref`` names (a revisit: its original's payload)."""
    where = source.at(ref.offset)
    if ref.damage:
        raise MalformedRecord(ref.damage, source=where)
    if ref.unresolved:
        raise MalformedRecord("a revisit whose original is not in this file", source=where)
    if ref.nothing:
        raise MalformedRecord(NO_PAGE_RECORD, source=source.label)
    try:
        if ref.original is None:
            return _page(_record_in(source, ref.offset), source, ref)
        revisit = _record_in(source, ref.offset)
        revisit_headers = _Headers(revisit)
        wanted = revisit.rec_headers.get_header("WARC-Payload-Digest")
        original = _record_in(source, ref.original)
        if original.rec_headers.get_header("WARC-Payload-Digest") != wanted:
            # the index keeps 64-bit fingerprints of digests: two that share one are told
            # apart here, never read as each other's page
            raise MalformedRecord(
                f"a revisit whose original (payload {wanted}) is not in this file", source=where
            )
        return _page(original, source, ref, revisit_headers)
    except MalformedRecord:
        raise
    except OSError:
        close_open()
        raise
    except Exception as exc:  # warcio's errors on a record the index pass read
        close_open()
        raise MalformedRecord(
            f"damaged WARC record ({type(exc).__name__}: {exc})", source=where
        ) from exc


@dataclass(frozen=True)
class _Headers:
    """A record's headers, kept when the stream moves on to another record."""

    rec_headers: Any
    http_headers: Any

    def __init__(self, record: Any) -> None:
        object.__setattr__(self, "rec_headers", record.rec_headers)
        object.__setattr__(self, "http_headers", record.http_headers)


def refs(source: Source) -> Iterator[Ref]:
    """Every record of ``source`` threadkeep reads (see :func:`~threadkeep.warc.index.index`)."""
    with source.open() as (stream, cheap):
        yield from index(stream, seekable=cheap)


def pages(source: Source) -> Iterator[tuple[Ref, WarcPage | MalformedRecord]]:
    """Each record read, with its page or the error it raised, in file order (one pass for a
    whole-gzipped WARC: each record is read when the index reaches it)."""
    for ref in refs(source):
        try:
            yield ref, read_page(source, ref)
        except MalformedRecord as exc:
            yield ref, exc
