"""Reading a response body: the streaming size cap, the deadline, and the Content-Type facts.

:class:`Body` is the one place a body's bytes are taken in: the clients hand it each chunk
as it streams, as the server sent it (``iter_raw``); it undoes the content codings a bounded
step at a time (:mod:`threadkeep.fetch.decoding`, so that the cap bounds the memory of
decoding too), counts the decoded bytes, and fails as soon as the body passes ``max_bytes``
or the fetch's deadline, checked at every step. :meth:`Body.capture`
makes the :class:`~threadkeep.fetch.capture.Capture`, with the media type and charset read by
:func:`media_type`.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from threadkeep.encoding import declared_charset
from threadkeep.errors import FetchTimeout, ResponseTooLarge
from threadkeep.fetch.capture import Capture, Exchange
from threadkeep.fetch.decoding import Decoder
from threadkeep.fetch.failures import Failure

__all__ = ["Body", "Head", "exchange_of", "media_type"]

_RAISE_CAP = "raise max_bytes to fetch it"


def media_type(header: str | None) -> tuple[str | None, str | None]:
    """``(media type, charset)`` of a Content-Type value, both lower-case or None.

    >>> media_type('text/html; charset="ISO-8859-1"')
    ('text/html', 'iso-8859-1')
    """
    if not header:
        return None, None
    return header.split(";", 1)[0].strip().lower() or None, declared_charset(header)


def exchange_of(response: httpx.Response, body: bytes, fetched_at: datetime) -> Exchange:
    """The :class:`Exchange` of ``response`` (and the request it answered), with ``body``
    (the decoded body; empty for a redirect, whose body is never read)."""
    request = response.request
    return Exchange(
        method=request.method,
        url=str(request.url),
        target=request.url.raw_path.decode("ascii", errors="replace"),
        http_version=response.http_version,
        request_headers=tuple(request.headers.multi_items()),
        status=response.status_code,
        reason=response.reason_phrase,
        response_headers=tuple(response.headers.multi_items()),
        body=body,
        fetched_at=fetched_at,
    )


@dataclass(frozen=True)
class Head:
    """What a streamed answer's body comes with (:meth:`threadkeep.Client.fetch_streamed`):
    the fields of a :class:`~threadkeep.fetch.capture.Capture` but its bytes."""

    url: str
    final_url: str
    status: int
    headers: dict[str, str]
    fetched_at: datetime
    content_type: str | None
    encoding: str | None
    attempts: int


class Body:
    """A streamed body, failing as soon as it passes the size cap or the deadline.

    Made for a final answer (after redirects); a Content-Length over the cap, or a content
    coding threadkeep does not decode, fails at once, before any of the body is read.
    ``redirects`` are the exchanges of the redirects that led to it, in order.
    """

    def __init__(
        self,
        response: httpx.Response,
        *,
        url: str,
        attempts: int,
        cap: int,
        deadline: float,
        redirects: tuple[Exchange, ...] = (),
    ) -> None:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            problem = f"Content-Length declares {declared} bytes, over the {cap}-byte cap"
            raise Failure(ResponseTooLarge, problem, _RAISE_CAP)
        self.response, self.url, self.attempts = response, url, attempts
        self.redirects = redirects
        self.cap, self.deadline = cap, deadline
        self.decoder = Decoder(response.headers.get("content-encoding"), cap=cap)
        self.fetched_at = datetime.now(UTC)
        self.chunks: list[bytes] = []
        self.size = 0

    def add(self, raw: bytes) -> None:
        """Take the next chunk as sent, decoded a step at a time; fail past the cap or deadline."""
        self._check_deadline()
        for chunk in self.decoder.feed(raw):
            self._take(chunk)

    def stream(self, raw: Iterable[bytes]) -> Iterator[bytes]:
        """The decoded body, a step at a time as ``raw`` (the chunks as sent) comes, none
        kept: it fails past the cap or the deadline, or at its end if a coding was cut short."""
        for data in raw:
            self._check_deadline()
            for chunk in self.decoder.feed(data):
                self._count(chunk)
                yield chunk
        self.decoder.finish()

    def _take(self, chunk: bytes) -> None:
        self._count(chunk)
        self.chunks.append(chunk)

    def _count(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.cap:
            problem = f"the body went past the {self.cap}-byte cap; the rest was not read"
            raise Failure(ResponseTooLarge, problem, _RAISE_CAP)
        self._check_deadline()

    def _check_deadline(self) -> None:
        if time.monotonic() > self.deadline:
            raise Failure(FetchTimeout, "the body was still arriving at the deadline")

    def head(self) -> Head:
        """The answer's :class:`Head`: what a streamed body comes with."""
        content_type, encoding = media_type(self.response.headers.get("content-type"))
        return Head(
            url=self.url,
            final_url=str(self.response.url),
            status=self.response.status_code,
            headers=dict(self.response.headers.items()),
            fetched_at=self.fetched_at,
            content_type=content_type,
            encoding=encoding,
            attempts=self.attempts,
        )

    def exchanges(self, capture: Capture) -> tuple[Exchange, ...]:
        """Each request of the fetch and its answer: the redirects, then this body's own
        (with ``capture``'s bytes)."""
        final = exchange_of(self.response, capture.content, capture.fetched_at)
        return (*self.redirects, final)

    def capture(self) -> Capture:
        """The :class:`Capture` of the whole body, decoded, with the headers as sent."""
        self.decoder.finish()
        content_type, encoding = media_type(self.response.headers.get("content-type"))
        return Capture(
            url=self.url,
            final_url=str(self.response.url),
            status=self.response.status_code,
            headers=dict(self.response.headers.items()),
            content=b"".join(self.chunks),
            fetched_at=self.fetched_at,
            content_type=content_type,
            encoding=encoding,
            attempts=self.attempts,
        )
