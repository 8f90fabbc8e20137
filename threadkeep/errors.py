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
    ├── FetchError                 a page could not be fetched
    │   ├── HTTPStatusError        the server answered with an error status
    │   ├── FetchTimeout           no answer in time
    │   └── ResponseTooLarge       the body went past the size cap
    └── ArchiveError               the archive store could not be read or written
        ├── CorruptStore           a stored file does not match its hash or format
        └── LockTimeout            another process held the store lock too long
"""

from __future__ import annotations

__all__ = [
    "ArchiveError",
    "CorruptStore",
    "FetchError",
    "FetchTimeout",
    "HTTPStatusError",
    "LockTimeout",
    "MalformedPage",
    "ParseError",
    "ResponseTooLarge",
    "ThreadkeepError",
    "UnsupportedPage",
]


class ThreadkeepError(Exception):
    """Base class of every error threadkeep raises on purpose."""


class ParseError(ThreadkeepError):
    """Input could not be parsed into a model.

    ``source`` names the input (a url, a path or ``"<bytes>"``) so that the message a user
    sees says which of many inputs failed; ``reason`` is the one-line cause.
    """

    def __init__(self, reason: str, *, source: str | None = None) -> None:
        self.reason = reason
        self.source = source
        super().__init__(f"{source}: {reason}" if source else reason)

    def with_source(self, source: str) -> ParseError:
        """Return a copy of this error that names ``source`` (keeps the class)."""
        if self.source:
            return self
        clone = type(self)(self.reason, source=source)
        clone.__cause__ = self.__cause__
        return clone


class UnsupportedPage(ParseError):
    """Nothing threadkeep can parse was recognised, or the page says the thread is unavailable."""


class MalformedPage(ParseError):
    """The input looks like a supported kind but is broken (truncated, empty, undecodable)."""


class FetchError(ThreadkeepError):
    """A page could not be fetched."""

    def __init__(
        self, message: str, *, url: str | None = None, attempts: int | None = None
    ) -> None:
        self.url = url
        self.attempts = attempts
        super().__init__(message)


class HTTPStatusError(FetchError):
    """The server answered with an error status."""

    def __init__(
        self, message: str, *, url: str | None = None, status: int, attempts: int | None = None
    ) -> None:
        self.status = status
        super().__init__(message, url=url, attempts=attempts)


class FetchTimeout(FetchError):
    """The server did not answer in time."""


class ResponseTooLarge(FetchError):
    """The response body went past the configured size cap."""


class ArchiveError(ThreadkeepError):
    """The archive store could not be read or written."""

    def __init__(self, message: str, *, path: str | None = None) -> None:
        self.path = path
        super().__init__(message)


class CorruptStore(ArchiveError):
    """A stored file does not match its hash, or the store's format is not understood."""


class LockTimeout(ArchiveError):
    """Another process held the store lock for longer than the timeout."""
