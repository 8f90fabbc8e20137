"""Exceptions raised by threadkeep.

Every error threadkeep raises on purpose derives from :class:`ThreadkeepError`, so a caller can
catch one class. Third-party errors (lxml, pydantic, httpx) are re-raised as one of these with
``raise ... from exc``; their tracebacks never reach a command-line user.

The hierarchy::

    ThreadkeepError
    ├── ParseError                 input could not be turned into a model
    │   ├── UnsupportedPage        recognised nothing threadkeep can parse (or a page that says
    │   │                          the thread is gone / not ready)
    │   └── MalformedPage          looked like a supported kind but is broken
    │       └── MalformedExport    an account export (zip or folder) that is unsafe or broken
    ├── BadTarget                  a TARGET that names no tweet (``recover``)
    ├── FetchError                 a page could not be fetched
    │   ├── HTTPStatusError        the server answered with an error status
    │   ├── FetchTimeout           no answer in time
    │   ├── ResponseTooLarge       the body went past the size cap
    │   └── ForbiddenAddress       a hop led to an address the address policy refuses
    ├── SiteError                  the site export's id names no document, or its folder is not ours
    ├── ClusterError               the Dask cluster cannot be reached or started (``--engine dask``)
    └── ArchiveError               the archive store could not be read or written
        ├── CorruptStore           a stored file does not match its hash or format
        ├── LockTimeout            another process held the store lock too long
        └── LeaseLost              a bucket's write lease was lost while it was held
"""

from __future__ import annotations

import re

__all__ = [
    "ArchiveError",
    "BadTarget",
    "ClusterError",
    "CorruptStore",
    "FetchError",
    "FetchTimeout",
    "ForbiddenAddress",
    "HTTPStatusError",
    "LeaseLost",
    "LockTimeout",
    "MalformedExport",
    "MalformedPage",
    "ParseError",
    "ResponseTooLarge",
    "SiteError",
    "ThreadkeepError",
    "UnsupportedPage",
]


# C0 and C1 controls, line separators, and the bidirectional controls, which can make a
# terminal show a message's words in another order (U+202E turns "gpj.exe" around).
_UNPRINTABLE_RE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]+"
)


def _one_line(text: str, *, limit: int = 300) -> str:
    """``text`` on one line (controls, bidi controls and line breaks become a space), at most
    ``limit`` long."""
    text = _UNPRINTABLE_RE.sub(" ", text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class ThreadkeepError(Exception):
    """Base class of every error threadkeep raises on purpose.

    Examples:
        >>> import threadkeep
        >>> try:
        ...     threadkeep.parse(b"")
        ... except threadkeep.ThreadkeepError as exc:  # parse, fetch and archive errors alike
        ...     print(type(exc).__name__, exc)
        MalformedPage <input>: empty input: no bytes other than whitespace
    """


class ParseError(ThreadkeepError):
    """Input could not be parsed into a model.

    ``source`` names the input (a url, a path or ``"<bytes>"``) so that the message a user
    sees says which of many inputs failed; ``reason`` is the one-line cause.

    Examples:
        >>> import threadkeep
        >>> try:
        ...     threadkeep.parse(b"just some words", source="notes.txt")
        ... except threadkeep.ParseError as exc:
        ...     print(exc.source, "|", exc.reason)
        notes.txt | plain text with no tweets, no Thread Reader thread or listing in it
    """

    def __init__(self, reason: str, *, source: str | None = None) -> None:
        # One line, with nothing a terminal would obey: reasons may quote the input (a JSON
        # key in a schema error), and names may come from it.
        self.reason = _one_line(reason)
        self.source = source
        shown = _one_line(source, limit=200) if source else None
        super().__init__(f"{shown}: {self.reason}" if shown else self.reason)

    def with_source(self, source: str) -> ParseError:
        """Return a copy of this error that names ``source`` (keeps the class).

        Examples:
            >>> from threadkeep import UnsupportedPage
            >>> print(UnsupportedPage("no tweets").with_source("page.html"))
            page.html: no tweets
        """
        if self.source:
            return self
        clone = type(self)(self.reason, source=source)
        clone.__cause__ = self.__cause__
        return clone


class UnsupportedPage(ParseError):
    """Nothing threadkeep can parse was recognised, or the page says the thread is unavailable.

    Examples:
        >>> import threadkeep
        >>> page = open("fixtures/broken/tra_not_found.html", "rb").read()
        >>> try:
        ...     threadkeep.parse(page, source="tra_not_found.html")
        ... except threadkeep.UnsupportedPage as exc:
        ...     print(exc)
        tra_not_found.html: Thread Reader says the thread was not found
    """


class MalformedPage(ParseError):
    """The input looks like a supported kind but is broken (truncated, empty, undecodable).

    Examples:
        >>> import threadkeep
        >>> try:
        ...     threadkeep.parse(b'{"html": ')
        ... except threadkeep.MalformedPage as exc:
        ...     print(exc.reason[:12])
        invalid JSON
    """


class MalformedExport(MalformedPage):
    """An account export (a zip or its folder) that is unsafe to read or broken.

    ``member`` names the file inside the export (``data/tweets.js``) when the fault is in one;
    the message then starts with it, after the export's own name (``source``). Unsafe member
    names, zip bombs and files past the limits of :mod:`threadkeep.limits` are refused with
    this error before anything is read from them.

    Examples:
        >>> import threadkeep
        >>> exc = threadkeep.MalformedExport("not a window.YTD assignment",
        ...                                  source="twitter.zip", member="data/tweets.js")
        >>> print(exc)
        twitter.zip: data/tweets.js: not a window.YTD assignment
        >>> exc.member, isinstance(exc, threadkeep.MalformedPage)
        ('data/tweets.js', True)
    """

    def __init__(
        self, reason: str, *, source: str | None = None, member: str | None = None
    ) -> None:
        self.member = member
        shown = _one_line(member, limit=200) if member else None
        super().__init__(f"{shown}: {reason}" if shown else reason, source=source)

    def with_source(self, source: str) -> MalformedExport:
        """Return a copy of this error that names ``source`` (keeps the member)."""
        if self.source:
            return self
        clone = MalformedExport(self.reason, source=source)
        clone.member = self.member
        clone.__cause__ = self.__cause__
        return clone


class BadTarget(ThreadkeepError, ValueError):
    """A TARGET given to ``recover`` that names no tweet: not a tweet id, a status url or a
    Thread Reader url. ``target`` is what was given. (A :class:`ValueError` too, as
    :func:`threadkeep.tweet_id`'s refusals are.)

    Examples:
        >>> import threadkeep
        >>> try:
        ...     threadkeep.recover(["https://example.org/blog"], archive="unused")
        ... except threadkeep.BadTarget as exc:
        ...     print(exc)
        'https://example.org/blog' is not a tweet id, a status url or a Thread Reader url
    """

    def __init__(self, target: str) -> None:
        self.target = target
        shown = _one_line(repr(target), limit=200)
        super().__init__(f"{shown} is not a tweet id, a status url or a Thread Reader url")


_FETCH_MESSAGE_LIMIT = 1000  # a url, a quoted Location and a hint fit; a 60 KB header does not


class FetchError(ThreadkeepError):
    """A page could not be fetched.

    ``url`` is the url asked for and ``attempts`` the tries made (0 when nothing was sent).
    The message is one printable line: control characters and line breaks become spaces.

    Examples:
        >>> import threadkeep
        >>> with threadkeep.Client() as client:
        ...     try:
        ...         client.fetch("file:///etc/passwd")
        ...     except threadkeep.FetchError as exc:
        ...         print(exc.url, exc.attempts)
        file:///etc/passwd 0
    """

    def __init__(
        self, message: str, *, url: str | None = None, attempts: int | None = None
    ) -> None:
        self.url = url
        self.attempts = attempts
        # One line, with nothing a terminal would obey: messages quote what servers sent
        # (a Location header, a reason phrase), as parse errors quote their input.
        super().__init__(_one_line(message, limit=_FETCH_MESSAGE_LIMIT))


class HTTPStatusError(FetchError):
    """The server answered with an error status (``status``), after any retries.

    Examples:
        >>> import threadkeep
        >>> exc = threadkeep.HTTPStatusError("https://example.org/gone: HTTP 404 Not Found",
        ...                                  url="https://example.org/gone", status=404)
        >>> isinstance(exc, threadkeep.FetchError), exc.status
        (True, 404)
    """

    def __init__(
        self, message: str, *, url: str | None = None, status: int, attempts: int | None = None
    ) -> None:
        self.status = status
        super().__init__(message, url=url, attempts=attempts)


class FetchTimeout(FetchError):
    """The server did not answer in time (``timeout``), after every retry.

    Examples:
        >>> import threadkeep
        >>> issubclass(threadkeep.FetchTimeout, threadkeep.FetchError)
        True
    """


class ResponseTooLarge(FetchError):
    """The response body went past the configured size cap (``max_bytes``).

    Examples:
        >>> import threadkeep
        >>> issubclass(threadkeep.ResponseTooLarge, threadkeep.FetchError)
        True
    """


class ForbiddenAddress(FetchError):
    """A hop led to an address the client's address policy refuses; nothing was sent there.

    A link-local address (cloud metadata services) is always refused; a loopback or private
    one after a public address (a redirect, or a url from a page) unless ``allow_private``.
    Never retried. docs/security.md gives the rules.

    Examples:
        >>> import threadkeep
        >>> issubclass(threadkeep.ForbiddenAddress, threadkeep.FetchError)
        True
    """


class ArchiveError(ThreadkeepError):
    """The archive store could not be read or written; ``path`` names the file when known.

    Examples:
        >>> import tempfile
        >>> import threadkeep
        >>> try:
        ...     threadkeep.Archive(tempfile.mkdtemp(), create=False)
        ... except threadkeep.ArchiveError as exc:
        ...     print(str(exc)[:27])
        no threadkeep archive at /t
    """

    def __init__(self, message: str, *, path: str | None = None) -> None:
        self.path = path
        super().__init__(message)


class CorruptStore(ArchiveError):
    """A stored file does not match its hash, or the store's format is not understood.

    Examples:
        >>> import tempfile
        >>> from pathlib import Path
        >>> import threadkeep
        >>> store = Path(tempfile.mkdtemp())
        >>> _ = (store / "threadkeep-store.json").write_text('{"format": 99}')
        >>> try:
        ...     threadkeep.Archive(store)
        ... except threadkeep.CorruptStore as exc:
        ...     print(str(exc).split("; ")[1])
        this threadkeep (0.1.0) reads format 3 and older: upgrade threadkeep
    """


class ClusterError(ThreadkeepError):
    """The Dask cluster a conversion runs on cannot be used: no scheduler answers at
    ``address``, Dask is not installed, or a local cluster could not start.

    Examples:
        >>> import threadkeep
        >>> error = threadkeep.ClusterError("no Dask scheduler answers", address="tcp://h:8786")
        >>> error.address, str(error)
        ('tcp://h:8786', 'no Dask scheduler answers')
    """

    def __init__(self, message: str, *, address: str | None = None) -> None:
        self.address = address
        super().__init__(message)


class SiteError(ThreadkeepError):
    """An export could not be written where it was asked to go: an id names no document in
    the archive, or the output folder exists and is not a site threadkeep made. ``path``
    names the folder when known. Nothing is written then.

    Examples:
        >>> import threadkeep
        >>> issubclass(threadkeep.SiteError, threadkeep.ThreadkeepError)
        True
    """

    def __init__(self, message: str, *, path: str | None = None) -> None:
        self.path = path
        super().__init__(message)


class LockTimeout(ArchiveError):
    """Another process held the store lock for longer than the timeout (``lock_timeout``).

    Examples:
        >>> import threadkeep
        >>> issubclass(threadkeep.LockTimeout, threadkeep.ArchiveError)
        True
    """


class LeaseLost(ArchiveError):
    """The write lease on a store in a bucket was lost while this process held it: not renewed
    in time (the endpoint unreachable, the process paused), or taken over by another process.
    Raised before the next write, which is not made: run the command again.

    Examples:
        >>> import threadkeep
        >>> issubclass(threadkeep.LeaseLost, threadkeep.ArchiveError)
        True
    """
