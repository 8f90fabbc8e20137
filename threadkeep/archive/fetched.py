"""The shape of a fetched page that the archive accepts, without importing the fetch code.

:meth:`Archive.add_capture <threadkeep.archive.Archive.add_capture>` takes any object with
these four attributes; :class:`threadkeep.Capture` has them. The archive depends on this
shape only, so that the fetch code and the archive never import each other.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

__all__ = ["CaptureLike"]


class CaptureLike(Protocol):
    """What :meth:`Archive.add_capture` reads of a fetched page.

    :class:`threadkeep.Capture` (what :meth:`threadkeep.Client.fetch` returns) has these
    attributes, and so may any object of yours: the archive never imports the fetch code.

    Examples:
        >>> from datetime import datetime, timezone
        >>> from threadkeep.archive import CaptureLike
        >>> class Saved:  # a page fetched by other means
        ...     content = b"<p>a saved page</p>"
        ...     final_url = "https://example.org/page"
        ...     fetched_at = datetime(2026, 1, 1, tzinfo=timezone.utc)
        ...     status = 200
        >>> page: CaptureLike = Saved()
        >>> page.final_url
        'https://example.org/page'
    """

    @property
    def content(self) -> bytes:
        """The body, as it came."""
        ...

    @property
    def final_url(self) -> str:
        """Where the body came from, after redirects."""
        ...

    @property
    def fetched_at(self) -> datetime:
        """When it was fetched (aware)."""
        ...

    @property
    def status(self) -> int | None:
        """The HTTP status."""
        ...
