"""What one fetch brings back (:class:`Capture`), and reading it as the model a method promises.

:class:`Capture` is a response's bytes with where they came from and what the server said;
:func:`read` hands a capture to :func:`threadkeep.parse` and checks it parsed as what the
caller asked for (Thread Reader's own pages, "not found" and the like, are recognised by the
parser, which raises :class:`~threadkeep.errors.UnsupportedPage` for them).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from threadkeep.encoding import declared_text, decode
from threadkeep.errors import UnsupportedPage
from threadkeep.fetch.endpoints import Ask, R
from threadkeep.models import Article, Sighting, SightingKind, Thread, Tweet
from threadkeep.parsing import parse

__all__ = ["Capture", "Exchange", "read"]


@dataclass(frozen=True)
class Capture:
    """One fetched response: the raw bytes, where they came from and what the server said.

    ``url`` is what was asked for, ``final_url`` where the body came from after redirects;
    ``headers`` has lower-case names; ``content_type`` is the media type without parameters,
    ``encoding`` the charset the server declared (None when it declared none); ``attempts``
    counts the tries it took; ``sha256`` is the hex digest of ``content``.

    :meth:`threadkeep.Client.fetch` returns one; archive it with
    ``archive.add_capture(capture)``.

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
        declared = declared_text(self.content, self.encoding)
        return decode(self.content) if declared is None else declared

    def sighting(self, kind: SightingKind) -> Sighting:
        """A :class:`Sighting` of this capture (final url, time, hash) as a ``kind`` source."""
        return Sighting(
            kind=kind, url=self.final_url, captured_at=self.fetched_at, sha256=self.sha256
        )


@dataclass(frozen=True)
class Exchange:
    """A fetch's final request and answer, as sent and received: what a client hands its
    ``on_exchange`` observer once the body is read (``archive --warc`` writes it as a
    ``request`` and a ``response`` record).

    ``request_headers`` and ``response_headers`` are ``(name, value)`` pairs in the order
    sent, repeated names kept; ``target`` is the request line's path and query; ``body`` is
    the decoded body (the capture's ``content``: a ``Content-Encoding`` in the headers no
    longer applies to it).
    """

    method: str
    url: str
    target: str
    http_version: str
    request_headers: tuple[tuple[str, str], ...]
    status: int
    reason: str
    response_headers: tuple[tuple[str, str], ...]
    body: bytes
    fetched_at: datetime


def read(capture: Capture, ask: Ask[R]) -> R:
    """Parse a capture into the model a fetch_* method promises, stamped with the capture."""
    expected = ask.model
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
    source = result.source or capture.sighting(ask.kind)
    # A web-archive copy keeps the archive's capture time: that is when the page was seen.
    update = {"captured_at": source.captured_at or capture.fetched_at, "sha256": capture.sha256}
    return result.model_copy(update={"source": source.model_copy(update=update)})
