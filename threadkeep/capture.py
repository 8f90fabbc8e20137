"""What one fetch brings back, and how a failed try becomes a :class:`FetchError`.

:class:`Capture` is a response's bytes with where they came from and what the server said;
the failure builders turn an HTTP status or a transport error into the public error, with a
hint a user can act on; :func:`read` hands a capture to :func:`threadkeep.parse` and checks it
parsed as what the caller asked for. The clients in :mod:`threadkeep.fetch` use these.
"""

from __future__ import annotations

import codecs
import contextlib
import hashlib
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TypeVar

import httpx

from threadkeep.encoding import decode
from threadkeep.errors import (
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    ResponseTooLarge,
    UnsupportedPage,
)
from threadkeep.fetchurls import is_http, media_type, retry_after
from threadkeep.models import Article, Sighting, SightingKind, Thread, Tweet
from threadkeep.parse import parse

__all__ = ["Body", "Capture", "Failure", "check_url", "read", "status_failure", "transport_failure"]

_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_STATUS_HINTS = {
    401: "the server wants a login; threadkeep does not log in",
    403: "the server refused access; threadkeep does not bypass access controls",
    404: "check the url: the page may have been deleted",
    410: "the page was deleted",
    429: "wait and try again later, or raise min_interval",
}


@dataclass(frozen=True)
class Capture:
    """One fetched response: the raw bytes, where they came from and what the server said.

    ``url`` is what was asked for, ``final_url`` where the body came from after redirects;
    ``headers`` has lower-case names; ``content_type`` is the media type without parameters,
    ``encoding`` the charset the server declared (None when it declared none); ``attempts``
    counts the tries it took; ``sha256`` is the hex digest of ``content``.

    :meth:`threadkeep.Client.fetch` returns one; archive it with
    ``archive.add(capture.content, url=capture.final_url, captured_at=capture.fetched_at)``.

    Examples:
        >>> from datetime import datetime, timezone
        >>> import threadkeep
        >>> capture = threadkeep.Capture(
        ...     url="http://example.org/a",
        ...     final_url="https://example.org/a",
        ...     status=200,
        ...     headers={"content-type": "text/html; charset=utf-8"},
        ...     content="<p>café</p>".encode(),
        ...     fetched_at=datetime(2026, 1, 1, tzinfo=timezone.utc),
        ...     content_type="text/html",
        ...     encoding="utf-8",
        ... )
        >>> capture.text(), capture.sha256[:12]
        ('<p>café</p>', '748ae391a170')
        >>> sighting = capture.sighting("embed")
        >>> sighting.url, sighting.captured_at.isoformat()
        ('https://example.org/a', '2026-01-01T00:00:00+00:00')
    """

    url: str
    final_url: str
    status: int
    headers: dict[str, str] = field(hash=False)
    content: bytes
    fetched_at: datetime
    content_type: str | None = None
    encoding: str | None = None
    attempts: int = 1
    sha256: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "sha256", hashlib.sha256(self.content).hexdigest())

    def text(self) -> str:
        """The body as text: a byte-order mark decides, then the declared charset, then the
        page's own declaration or sniffing (as :func:`threadkeep.parse` does)."""
        if self.encoding and not self.content.startswith(_BOMS):
            with contextlib.suppress(LookupError):  # a charset Python does not know: sniff
                return self.content.decode(self.encoding, errors="replace")
        return decode(self.content)

    def sighting(self, kind: SightingKind) -> Sighting:
        """A :class:`Sighting` of this capture (final url, time, hash) as a ``kind`` source."""
        return Sighting(
            kind=kind, url=self.final_url, captured_at=self.fetched_at, sha256=self.sha256
        )


class Failure(Exception):
    """One failed try, before the retry policy decides; :meth:`error` makes the public error."""

    def __init__(
        self,
        kind: type[FetchError],
        problem: str,
        hint: str = "",
        *,
        retryable: bool = False,
        status: int | None = None,
        wait: float | None = None,
    ) -> None:
        super().__init__(problem)
        self.kind, self.problem, self.hint, self.retryable = kind, problem, hint, retryable
        self.status, self.wait = status, wait

    def error(self, url: str, attempts: int) -> FetchError:
        tries = f"{attempts} attempt{'' if attempts == 1 else 's'}"
        message = f"{url}: {self.problem} ({tries})" + (f"; {self.hint}" if self.hint else "")
        if self.status is not None:
            return HTTPStatusError(message, url=url, status=self.status, attempts=attempts)
        return self.kind(message, url=url, attempts=attempts)


def status_failure(response: httpx.Response, where: str, max_wait: float) -> Failure:
    status = response.status_code
    # The standard phrase, not the server's: some shout it ("NOT FOUND"), some leave it out.
    phrase = httpx.codes.get_reason_phrase(status) or response.reason_phrase
    problem = f"HTTP {status} {phrase}".rstrip() + where
    retryable = status in (408, 429) or status >= 500
    hint = _STATUS_HINTS.get(status, "the server may be down; try later" if retryable else "")
    wait = retry_after(response.headers.get("retry-after")) if retryable else None
    if wait is not None and wait > max_wait:
        # Retrying sooner than asked is impolite and usually futile: give up and say why.
        retryable = False
        hint = f"the server asked for a {wait:.0f} s wait, more than max_wait={max_wait:g} s"
    if status == 429:
        problem = f"rate limited, {problem}"
    return Failure(HTTPStatusError, problem, hint, retryable=retryable, status=status, wait=wait)


def transport_failure(exc: Exception, timeout: float) -> Failure:
    name = type(exc).__name__
    if isinstance(exc, httpx.TimeoutException):
        hint = "the server is slow or unreachable: try later, or raise timeout"
        problem = f"{name}, no answer within the {timeout:g} s timeout"
        return Failure(FetchTimeout, problem, hint, retryable=True)
    if isinstance(exc, httpx.TransportError) and not isinstance(exc, httpx.UnsupportedProtocol):
        problem = f"connection failed, {name}: {exc}"
        return Failure(FetchError, problem, "check the network and the host", retryable=True)
    return Failure(FetchError, f"request failed, {name}: {exc}")


class Body:
    """A streamed body, failing as soon as it passes the size cap or the deadline."""

    def __init__(self, response: httpx.Response, *, cap: int, deadline: float) -> None:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            problem = f"Content-Length declares {declared} bytes, over the {cap}-byte cap"
            raise Failure(ResponseTooLarge, problem, "raise max_bytes to fetch it")
        self.response, self.cap, self.deadline = response, cap, deadline
        self.fetched_at = datetime.now(timezone.utc)
        self.chunks: list[bytes] = []
        self.size = 0

    def add(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.cap:
            problem = f"the body went past the {self.cap}-byte cap; the rest was not read"
            raise Failure(ResponseTooLarge, problem, "raise max_bytes to fetch it")
        if time.monotonic() > self.deadline:
            raise Failure(FetchTimeout, "the body was still arriving at the deadline")
        self.chunks.append(chunk)

    def capture(self, url: str, attempts: int) -> Capture:
        content_type, encoding = media_type(self.response.headers.get("content-type"))
        return Capture(
            url=url,
            final_url=str(self.response.url),
            status=self.response.status_code,
            headers=dict(self.response.headers.items()),
            content=b"".join(self.chunks),
            fetched_at=self.fetched_at,
            content_type=content_type,
            encoding=encoding,
            attempts=attempts,
        )


def check_url(url: str) -> None:
    if not is_http(url):
        raise FetchError(f"{url}: only http and https urls are fetched", url=url, attempts=0)


R = TypeVar("R", Thread, Article, Tweet)


def read(capture: Capture, expected: type[R], kind: SightingKind) -> R:
    """Parse a capture into the model a fetch_* method promises, stamped with the capture."""
    sent = capture.content_type or "text/"  # no Content-Type: let parse() judge the bytes
    if expected is not Tweet and not (sent.startswith("text/") or "html" in sent):
        problem = f"expected an HTML page, the server sent {sent} ({len(capture.content)} bytes)"
        raise UnsupportedPage(problem, source=capture.final_url)
    # A charset the server declared beats what the bytes look like (HTTP's rule); parse()
    # sniffs bytes, so it is handed text when there is a declaration to honour.
    data = capture.text() if capture.encoding else capture.content
    result = parse(data, url=capture.final_url)
    if isinstance(result, Thread) and expected is Article:  # a page made from an unroll
        result = Article(
            url=result.url, title=result.title, tweets=result.tweets, threads=(result,)
        )
    if not isinstance(result, expected):
        problem = f"expected {expected.__name__}, the answer parsed as {result.kind}"
        raise UnsupportedPage(problem, source=capture.final_url)
    source = result.source or capture.sighting(kind)
    # A web-archive copy keeps the archive's capture time: that is when the page was seen.
    update = {"captured_at": source.captured_at or capture.fetched_at, "sha256": capture.sha256}
    return result.model_copy(update={"source": source.model_copy(update=update)})
