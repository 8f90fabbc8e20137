"""WARC files for the tests, written with warcio, byte for byte the same every time.

Every record has a fixed ``WARC-Record-ID`` and ``WARC-Date``, so that a file made twice is
the same file. ``python -m tests.warcs fixtures/warc`` remakes the checked-in edge files
(fixtures/warc/README.md says what each one holds).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import sys
import uuid
import zipfile
import zlib
from base64 import b32encode
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import brotli
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"

TWEET_PAGE = (
    b"<div id='tweet_1' class='content-tweet' data-tweet='20'>just setting up my twttr</div>"
)
"""The smallest Thread Reader page threadkeep reads: one tweet, id 20."""
TWEET_URL = "https://threadreaderapp.com/thread/20.html"
NO_TWEETS = b"<html><head><title>Weather</title></head><body><p>Sunny.</p></body></html>"


def sha1_digest(body: bytes) -> str:
    """``sha1:BASE32``, as ``WARC-Payload-Digest`` says it."""
    return "sha1:" + b32encode(hashlib.sha1(body).digest()).decode("ascii")


@dataclass
class Rec:
    """One record to write: a ``response`` (HTTP head + payload), ``resource`` or ``revisit``."""

    url: str
    body: bytes = b""
    kind: str = "response"
    date: str = "2024-05-01T10:00:00Z"
    content_type: str = "text/html; charset=utf-8"
    status: str = "200 OK"
    headers: list[tuple[str, str]] = field(default_factory=list)
    """More HTTP headers (Content-Encoding, Transfer-Encoding)."""
    wire: bytes | None = None
    """The payload as sent (encoded), when it differs from ``body``."""
    refers_to: Rec | None = None
    """A revisit's original (its digest and url); None with ``digest`` for an unknown one."""
    digest: str | None = None
    warc_headers: list[tuple[str, str]] = field(default_factory=list)
    """More WARC headers (``WARC-Truncated``)."""


def write(records: Iterable[Rec], stream: io.BufferedIOBase | io.BytesIO, *, gz: bool = True,
          version: str = "WARC/1.1", name: str = "test.warc.gz") -> None:  # fmt: skip
    """Write a warcinfo record, then ``records``, to ``stream``."""
    writer = WARCWriter(stream, gzip=gz, warc_version=version)
    info = writer.create_warcinfo_record(name, {"software": "tests/warcs.py"})
    _fix(info, 0, "2024-05-01T09:00:00Z")
    writer.write_record(info)
    for number, rec in enumerate(records, start=1):
        writer.write_record(_record(writer, rec, number))


def _fix(record: object, number: int, date: str) -> None:
    headers = record.rec_headers  # type: ignore[attr-defined]
    headers.replace_header("WARC-Record-ID", f"<urn:uuid:{uuid.UUID(int=number)}>")
    headers.replace_header("WARC-Date", date)


def _record(writer: WARCWriter, rec: Rec, number: int) -> object:
    if rec.kind == "revisit":
        original = rec.refers_to
        digest = rec.digest or sha1_digest(original.body if original else b"")
        http = StatusAndHeaders(rec.status, [("Content-Type", rec.content_type)],
                                protocol="HTTP/1.1")  # fmt: skip
        record = writer.create_revisit_record(
            rec.url, digest, original.url if original else rec.url,
            original.date if original else rec.date, http_headers=http,
        )  # fmt: skip
    elif rec.kind == "resource":
        record = writer.create_warc_record(rec.url, "resource", payload=io.BytesIO(rec.body),
                                           warc_content_type=rec.content_type)  # fmt: skip
    else:
        wire = rec.body if rec.wire is None else rec.wire
        heads = [("Content-Type", rec.content_type), *rec.headers]
        if not any(name.lower() == "transfer-encoding" for name, _ in rec.headers):
            heads.append(("Content-Length", str(len(wire))))
        http = StatusAndHeaders(rec.status, heads, protocol="HTTP/1.1")
        record = writer.create_warc_record(rec.url, "response", payload=io.BytesIO(wire),
                                           http_headers=http, length=len(wire))  # fmt: skip
    _fix(record, number, rec.date)
    for name, value in rec.warc_headers:
        record.rec_headers.add_header(name, value)  # type: ignore[attr-defined]
    return record


def warc_bytes(records: Iterable[Rec], **options: object) -> bytes:
    buffer = io.BytesIO()
    write(records, buffer, **options)  # type: ignore[arg-type]
    return buffer.getvalue()


def chunked(data: bytes, size: int = 7) -> bytes:
    parts = [data[at : at + size] for at in range(0, len(data), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in parts) + b"0\r\n\r\n"


def gzipped(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def encoded_records() -> list[Rec]:
    """The same tweet page five times, sent five ways."""
    page = TWEET_PAGE
    return [
        Rec("https://example.org/plain", page),
        Rec("https://example.org/gzip", page, wire=gzipped(page),
            headers=[("Content-Encoding", "gzip")]),
        Rec("https://example.org/chunked", page, wire=chunked(page),
            headers=[("Transfer-Encoding", "chunked")]),
        Rec("https://example.org/chunked-gzip", page, wire=chunked(gzipped(page)),
            headers=[("Transfer-Encoding", "chunked"), ("Content-Encoding", "gzip")]),
        Rec("https://example.org/br", page, wire=brotli.compress(page),
            headers=[("Content-Encoding", "br")]),
        Rec("https://example.org/deflate", page, wire=zlib.compress(page),
            headers=[("Content-Encoding", "deflate")]),
    ]  # fmt: skip


def revisit_records() -> list[Rec]:
    original = Rec(TWEET_URL, TWEET_PAGE, date="2024-05-01T10:00:00Z")
    return [
        original,
        Rec(TWEET_URL + "?again", kind="revisit", refers_to=original, date="2024-06-01T10:00:00Z"),
        Rec("https://example.org/gone", kind="revisit", digest=sha1_digest(b"elsewhere"),
            date="2024-06-02T10:00:00Z"),
    ]  # fmt: skip


def plain_records() -> list[Rec]:
    return [
        Rec(TWEET_URL, TWEET_PAGE),
        Rec("https://example.org/weather", NO_TWEETS, date="2024-05-01T10:00:01Z"),
        Rec("https://example.org/logo.png", b"\x89PNG\r\n\x1a\n", content_type="image/png"),
        Rec("https://example.org/note.txt", b"nothing here", kind="resource",
            content_type="text/plain", date="2024-05-01T10:00:02Z"),
    ]  # fmt: skip


def make_fixtures(folder: Path) -> None:
    """The checked-in edge files (fixtures/warc/README.md)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "revisits.warc.gz").write_bytes(warc_bytes(revisit_records()))
    (folder / "encoded.warc.gz").write_bytes(warc_bytes(encoded_records()))
    (folder / "plain-1.0.warc").write_bytes(
        warc_bytes(plain_records(), gz=False, version="WARC/1.0")
    )
    whole = warc_bytes(plain_records(), gz=False)
    (folder / "whole-gzip.warc.gz").write_bytes(gzip.compress(whole, mtime=0))
    with zipfile.ZipFile(folder / "crawl.wacz", "w") as wacz:
        stored = zipfile.ZipInfo("archive/data.warc.gz", date_time=(2024, 5, 1, 10, 0, 0))
        wacz.writestr(stored, warc_bytes(revisit_records()), zipfile.ZIP_STORED)
        deflated = zipfile.ZipInfo("archive/more.warc", date_time=(2024, 5, 1, 10, 0, 0))
        wacz.writestr(deflated, warc_bytes(plain_records(), gz=False), zipfile.ZIP_DEFLATED)
        info = zipfile.ZipInfo("datapackage.json", date_time=(2024, 5, 1, 10, 0, 0))
        wacz.writestr(info, b'{"profile": "data-package", "resources": []}', zipfile.ZIP_DEFLATED)


def tiny_warc(path: Path, count: int, *, kind: str = "response") -> None:
    """``count`` tiny records at ``path``, gzipped record by record, written by hand (warcio
    takes minutes for a million): HTML ``response`` records with no tweets, each its own
    payload digest, or ``revisit`` records of pages not in the file (counted, never read: a
    fast run). For the memory tests, where the number of records is what matters."""
    with path.open("wb") as stream:
        for n in range(count):
            body = b"<html><body><p>%d</p></body></html>" % n
            http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
            http += b"Content-Length: %d\r\n\r\n" % len(body)
            http += body if kind == "response" else b""
            head = (
                f"WARC/1.0\r\nWARC-Type: {kind}\r\n"
                f"WARC-Record-ID: <urn:uuid:{uuid.UUID(int=n)}>\r\n"
                "WARC-Date: 2024-05-01T10:00:00Z\r\n"
                f"WARC-Target-URI: https://example.org/{n}.html\r\n"
                f"WARC-Payload-Digest: {sha1_digest(body)}\r\n"
                "Content-Type: application/http; msgtype=response\r\n"
                f"Content-Length: {len(http)}\r\n\r\n"
            ).encode("ascii")
            stream.write(gzip.compress(head + http + b"\r\n\r\n", compresslevel=1, mtime=0))


if __name__ == "__main__":
    make_fixtures(Path(sys.argv[1]))


def big_warc(path: Path, megabytes: int) -> int:
    """A crawl of about ``megabytes`` of payload at ``path``: the fixtures' Thread Reader and
    article pages over and over, and a 20 MB video every ~100 MB. Returns the pages written."""
    pages = [p.read_bytes() for folder in ("threadreader", "embeds", "articles")
             for p in sorted((FIXTURES / folder).glob("*.html"))]  # fmt: skip
    video = bytes(range(256)) * (20 * 4096)
    target, written, count = megabytes << 20, 0, 0
    with path.open("wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        while written < target:
            for body in pages:
                rec = Rec(f"https://example.org/{count}.html", body)
                writer.write_record(_record(writer, rec, count + 1))
                written += len(body)
                count += 1
                if count % 3000 == 0:
                    clip = Rec(
                        f"https://video.example/{count}.mp4", video, content_type="video/mp4"
                    )
                    writer.write_record(_record(writer, clip, count))
                    written += len(video)
    return count
