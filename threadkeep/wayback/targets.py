"""What ``recover`` looks for: a TARGET (a tweet id, a status url, a Thread Reader url) read
as the tweet id and, when the url names one, the author's handle.

Pure functions over :mod:`threadkeep.urls`, the one place urls are understood.
"""

from __future__ import annotations

from dataclasses import dataclass

from threadkeep.errors import BadTarget
from threadkeep.urls import any_host_status_parts, thread_id

__all__ = ["Target", "target"]


@dataclass(frozen=True)
class Target:
    """A tweet (or the thread it starts) to look for: its ``id``, and ``handle`` when known.

    ``given`` is what the user wrote, for messages; ``thread`` the id of the thread the tweet
    belongs to, when a copy found showed it inside another tweet's thread.
    """

    id: str
    handle: str | None = None
    given: str = ""
    thread: str | None = None

    def with_handle(self, handle: str) -> Target:
        """The same target, its handle now known (learned from a copy found)."""
        return Target(self.id, handle, self.given, self.thread)

    def with_thread(self, thread: str) -> Target:
        """The same target, the thread it belongs to now known (from a copy found)."""
        return Target(self.id, self.handle, self.given, thread)


def target(value: str | int) -> Target:
    """The :class:`Target` a TARGET names, or :class:`~threadkeep.BadTarget`.

    >>> target("https://x.com/QuinnyPig/status/1215710451343904768?s=20")
    Target(id='1215710451343904768', handle='QuinnyPig', given='https://x.com/QuinnyPig/status/1215710451343904768?s=20')
    >>> target("https://threadreaderapp.com/thread/1215710451343904768.html").handle is None
    True
    """
    text = str(value).strip()
    try:
        found = thread_id(text)
    except ValueError:
        raise BadTarget(str(value)) from None
    parts = any_host_status_parts(text, whole=True)
    handle = parts[0] if parts is not None and parts[1] == found else None
    return Target(found, handle, str(value))
