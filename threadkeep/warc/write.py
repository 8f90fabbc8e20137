"""Writing WARC files (WARC/1.1, ISO 28500) that pywb and other replay tools open.

:class:`WarcWriter` writes a leading ``warcinfo`` record, then one record a call:

* :meth:`~WarcWriter.response`: a body with the HTTP head it came with (a fetch's), or one
  synthesised for a stored capture: the status line (``None`` is ``200``, the reason from
  :class:`http.HTTPStatus`), ``Content-Type`` told from the bytes (:func:`content_type`)
  and ``Content-Length``. The body is always the decoded one, so a head never says
  ``Content-Encoding`` nor ``Transfer-Encoding``;
* :meth:`~WarcWriter.revisit`: the same bytes captured again (profile
  *identical-payload-digest*): no body, pointing at the first record of those bytes;
* :meth:`~WarcWriter.resource`: bytes with no url (a file archived from disk);
* :meth:`~WarcWriter.request`: the request a fetch sent, concurrent to its response.

Every record has ``WARC-Payload-Digest`` (base32 SHA-1 of the body, as web-archive indexes
list it) and a ``WARC-Record-ID`` made from what the record holds (:func:`record_id`), never
at random; with fixed dates the same records make the same bytes, so an export is
reproducible. Each record is gzipped on its own (a ``.warc.gz`` a reader can seek in).

warcio is imported when a writer is made, never with threadkeep.
"""

from __future__ import annotations

import base64
import hashlib
import io
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import IO, Any, Protocol

from threadkeep._version import __version__
from threadkeep.errors import ThreadkeepError

__all__ = [
    "DROPPED_HEADERS",
    "ExchangeLike",
    "FetchRecorder",
    "Response",
    "WarcWriter",
    "content_type",
    "payload_digest",
    "reason",
    "record_id",
    "warc_date",
]

_NAMESPACE = uuid.UUID("6f1d3c52-1b7e-5d0a-9f4e-7468726b6565")
"""threadkeep's namespace for record ids (uuid5): fixed, so the same record, the same id."""

DROPPED_HEADERS = frozenset({"content-encoding", "transfer-encoding", "content-length"})
"""Response headers not copied into a record's HTTP head: the body written is the decoded
one, of a length the writer states itself."""


def payload_digest(body: bytes) -> str:
    """``sha1:<base32>`` of ``body``, as ``WARC-Payload-Digest`` and CDX indexes give it.

    >>> payload_digest(b"hello")
    'sha1:VL2MMHO4YXUKFWV63YHTWSBM3GXKSQ2N'
    """
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


def warc_date(time: datetime) -> str:
    """``WARC-Date`` of an aware time, in UTC: seconds, and microseconds when it has them.

    >>> warc_date(datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC))
    '2024-05-01T12:00:00Z'
    >>> warc_date(datetime(2024, 5, 1, 12, 0, 0, 250000, tzinfo=UTC))
    '2024-05-01T12:00:00.250000Z'
    """
    if time.tzinfo is None:
        raise ValueError(f"a WARC date needs a time zone: {time.isoformat()} has none")
    utc = time.astimezone(UTC)
    if utc.microsecond:
        return utc.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return utc.strftime("%Y-%m-%dT%H:%M:%SZ")


def record_id(*parts: str) -> str:
    """A ``WARC-Record-ID`` made from ``parts`` (uuid5): the same parts, the same id.

    >>> first = record_id("response", "https://example.org/", "2024-05-01T12:00:00Z")
    >>> first == record_id("response", "https://example.org/", "2024-05-01T12:00:00Z")
    True
    >>> first.startswith("<urn:uuid:"), first == record_id("response", "https://example.org/")
    (True, False)
    """
    return f"<urn:uuid:{uuid.uuid5(_NAMESPACE, chr(10).join(parts))}>"


def content_type(body: bytes) -> str:
    """A body's media type told from its first bytes: an HTML page, JSON, a zip (an account
    export's bundle), else plain text; never a charset, which a reader sniffs as
    threadkeep does.

    >>> content_type(b"  <!DOCTYPE html><html>"), content_type(b'{"a": 1}')
    ('text/html', 'application/json')
    >>> content_type(b"PK\\x03\\x04..."), content_type(b"a tweet, copied")
    ('application/zip', 'text/plain')
    """
    if body.startswith(b"PK\x03\x04"):
        return "application/zip"
    head = body[:512].lstrip(b"\xef\xbb\xbf \t\r\n\f").lower()
    if head.startswith((b"{", b"[")):
        return "application/json"
    if head.startswith(b"<"):
        return "text/html"
    return "text/plain"


def reason(status: int) -> str:
    """The reason phrase of an HTTP status (``OK``), or ``Unknown`` for one Python does not
    name.

    >>> reason(200), reason(404), reason(599)
    ('OK', 'Not Found', 'Unknown')
    """
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


class ExchangeLike(Protocol):
    """A fetch's request and answer (:class:`threadkeep.fetch.capture.Exchange`)."""

    @property
    def method(self) -> str: ...
    @property
    def url(self) -> str: ...
    @property
    def target(self) -> str: ...
    @property
    def http_version(self) -> str: ...
    @property
    def request_headers(self) -> tuple[tuple[str, str], ...]: ...
    @property
    def status(self) -> int: ...
    @property
    def reason(self) -> str: ...
    @property
    def response_headers(self) -> tuple[tuple[str, str], ...]: ...
    @property
    def body(self) -> bytes: ...
    @property
    def fetched_at(self) -> datetime: ...


@dataclass(frozen=True)
class Response:
    """A ``response`` record written: what a ``revisit`` of its bytes points at."""

    record_id: str
    url: str
    time: datetime
    digest: str
    content_type: str | None
    length: int


class WarcWriter:
    """Writes WARC records to ``stream`` (left open), starting with a ``warcinfo`` record
    dated ``date`` and naming ``filename``, holding ``info`` (``software`` and ``format``
    are added).

    Example::

        with open("captures.warc.gz", "wb") as out:
            writer = WarcWriter(out, filename="captures.warc.gz", date=when)
            writer.response("https://example.org/", when, b"<html>...</html>")
    """

    def __init__(
        self,
        stream: IO[bytes],
        *,
        filename: str,
        date: datetime,
        info: Mapping[str, str] | None = None,
        gzip: bool = True,
    ) -> None:
        try:
            from warcio.warcwriter import WARCWriter
        except ImportError:
            raise ThreadkeepError(
                "writing web-archive (WARC) files needs warcio: pip install 'threadkeep[warc]'"
            ) from None
        self._stream = stream
        self._writer: Any = WARCWriter(stream, gzip=gzip, warc_version="WARC/1.1")
        fields = {
            "software": f"threadkeep {__version__}",
            "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/"
            "warc-format/warc-1.1/",
        } | dict(info or {})
        block = "".join(f"{name}: {value}\r\n" for name, value in fields.items()).encode()
        stamp = warc_date(date)
        headers = {
            "WARC-Record-ID": record_id("warcinfo", filename, stamp, block.decode()),
            "WARC-Date": stamp,
            "WARC-Filename": filename,
        }
        self._write(
            self._writer.create_warc_record(
                "",
                "warcinfo",
                payload=io.BytesIO(block),
                length=len(block),
                warc_headers_dict=headers,
            )
        )

    def response(
        self,
        url: str,
        time: datetime,
        body: bytes,
        *,
        status: int | None = None,
        headers: Iterable[tuple[str, str]] | None = None,
        protocol: str = "HTTP/1.1",
        status_reason: str | None = None,
    ) -> Response:
        """Write a ``response`` record of ``body`` fetched from ``url`` at ``time``.

        ``headers`` are the response's own (those in :data:`DROPPED_HEADERS` left out), or
        None for a head synthesised from the bytes: ``Content-Type`` (:func:`content_type`).
        ``Content-Length`` is always the body's length.
        """
        code = status or 200
        head = self._http_head(code, status_reason, body, headers, protocol)
        stamp = warc_date(time)
        digest = payload_digest(body)
        warc_headers = {
            "WARC-Record-ID": record_id("response", url, stamp, digest),
            "WARC-Date": stamp,
            "WARC-Payload-Digest": digest,
        }
        self._write(
            self._writer.create_warc_record(
                url,
                "response",
                payload=io.BytesIO(body),
                length=len(body),
                http_headers=head,
                warc_headers_dict=warc_headers,
            )
        )
        said = head.get_header("Content-Type")
        return Response(warc_headers["WARC-Record-ID"], url, time, digest, said, len(body))

    def revisit(
        self, url: str, time: datetime, original: Response, *, status: int | None = None
    ) -> str:
        """Write a ``revisit`` record: the bytes of the response ``original`` seen again at
        ``url`` at ``time`` (no body: the original's digest, url and date); its id."""
        code = status or 200
        kept = [("Content-Type", original.content_type)] if original.content_type else []
        kept.append(("Content-Length", str(original.length)))
        head = _status_and_headers(f"{code} {reason(code)}", kept, "HTTP/1.1")
        stamp = warc_date(time)
        warc_headers = {
            "WARC-Record-ID": record_id("revisit", url, stamp, original.digest),
            "WARC-Date": stamp,
            "WARC-Refers-To": original.record_id,
        }
        record = self._writer.create_revisit_record(
            url,
            original.digest,
            original.url,
            warc_date(original.time),
            http_headers=head,
            warc_headers_dict=warc_headers,
        )
        self._write(record)
        return warc_headers["WARC-Record-ID"]

    def resource(self, uri: str, time: datetime, body: bytes) -> str:
        """Write a ``resource`` record: ``body`` with no HTTP exchange, named ``uri``
        (Content-Type told from the bytes); its id."""
        stamp = warc_date(time)
        digest = payload_digest(body)
        warc_headers = {
            "WARC-Record-ID": record_id("resource", uri, stamp, digest),
            "WARC-Date": stamp,
            "WARC-Payload-Digest": digest,
        }
        self._write(
            self._writer.create_warc_record(
                uri,
                "resource",
                payload=io.BytesIO(body),
                length=len(body),
                warc_content_type=content_type(body),
                warc_headers_dict=warc_headers,
            )
        )
        return warc_headers["WARC-Record-ID"]

    def request(
        self,
        url: str,
        time: datetime,
        *,
        method: str,
        target: str,
        headers: Iterable[tuple[str, str]],
        concurrent_to: str,
        protocol: str = "HTTP/1.1",
    ) -> str:
        """Write the ``request`` record of a fetch: its request line (``method target
        protocol``) and headers, with no body, concurrent to the response ``concurrent_to``
        (its id); its id."""
        from warcio.statusandheaders import StatusAndHeaders

        head = StatusAndHeaders(
            f"{method} {target} {protocol}", list(headers), is_http_request=True
        )
        stamp = warc_date(time)
        warc_headers = {
            "WARC-Record-ID": record_id("request", url, stamp, concurrent_to),
            "WARC-Date": stamp,
            "WARC-Concurrent-To": concurrent_to,
        }
        self._write(
            self._writer.create_warc_record(
                url,
                "request",
                payload=io.BytesIO(b""),
                length=0,
                http_headers=head,
                warc_headers_dict=warc_headers,
            )
        )
        return warc_headers["WARC-Record-ID"]

    def _http_head(
        self,
        code: int,
        said: str | None,
        body: bytes,
        headers: Iterable[tuple[str, str]] | None,
        protocol: str,
    ) -> Any:
        if headers is None:
            kept = [("Content-Type", content_type(body))]
        else:
            kept = [(k, v) for k, v in headers if k.lower() not in DROPPED_HEADERS]
        kept.append(("Content-Length", str(len(body))))
        return _status_and_headers(f"{code} {said or reason(code)}", kept, protocol)

    def exchange(self, fetched: ExchangeLike) -> tuple[str, str]:
        """Write a fetch as a ``request`` record and its ``response`` (the answer's own
        headers, but those of :data:`DROPPED_HEADERS`: the body is the decoded one); their
        ids."""
        response_id = record_id(
            "response", fetched.url, warc_date(fetched.fetched_at), payload_digest(fetched.body)
        )
        request = self.request(
            fetched.url,
            fetched.fetched_at,
            method=fetched.method,
            target=fetched.target,
            headers=fetched.request_headers,
            concurrent_to=response_id,
            protocol=fetched.http_version,
        )
        self.response(
            fetched.url,
            fetched.fetched_at,
            fetched.body,
            status=fetched.status,
            headers=fetched.response_headers,
            protocol=fetched.http_version,
            status_reason=fetched.reason or None,
        )
        return request, response_id

    def _write(self, record: Any) -> None:
        self._writer.write_record(record)
        flush = getattr(self._stream, "flush", None)
        if flush is not None:
            flush()  # each record whole on disk as it is written: a crash keeps those before


class FetchRecorder:
    """Appends every fetch it is handed (a client's ``on_exchange``) to the WARC file
    ``path`` as a request and a response record, as it happens: a file that exists is
    continued (each run starts with its own ``warcinfo`` record), gzipped record by record
    when its name ends in ``.gz``. Close it (or leave its ``with`` block) when done.

    Example::

        with FetchRecorder("fetches.warc.gz") as recorder:
            with threadkeep.Client(on_exchange=recorder) as client:
                client.fetch("https://example.org/")
    """

    def __init__(self, path: str | Path, *, date: datetime | None = None) -> None:
        self.path = Path(path)
        self.count = 0  # requests recorded (a redirect followed is one)
        self._file = self.path.open("ab")
        try:
            self._writer = WarcWriter(
                self._file,
                filename=self.path.name,
                date=date or datetime.now(UTC),
                info={"description": "fetches recorded by threadkeep archive --warc"},
                gzip=self.path.name.endswith(".gz"),
            )
        except BaseException:
            self._file.close()
            raise

    def __call__(self, fetched: ExchangeLike) -> None:
        self._writer.exchange(fetched)
        self.count += 1

    def close(self) -> None:
        """Close the file (every record is on disk already)."""
        self._file.close()

    def __enter__(self) -> FetchRecorder:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _status_and_headers(line: str, headers: list[tuple[str, str]], protocol: str) -> Any:
    from warcio.statusandheaders import StatusAndHeaders

    return StatusAndHeaders(line, headers, protocol=protocol)
