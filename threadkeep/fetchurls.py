"""Tweet and thread ids from any url form (moving to :mod:`threadkeep.urls`).

Pure functions; nothing here touches the network. The fetcher's own url and header helpers
live in :mod:`threadkeep.fetch` (endpoint urls, the User-Agent, Retry-After, Content-Type).

* :func:`tweet_id` reads a status id from any tweet url (twitter.com, x.com, mobile and www
  hosts, ``/photo/1`` and ``?s=20`` tails, fxtwitter/vxtwitter/fixupx/fixvx mirrors, nitter
  instances, web-archive copies) or a bare id.
* :func:`thread_id` also reads Thread Reader urls (``/thread/<id>.html`` in any form).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from threadkeep.urls import unarchive

__all__ = ["thread_id", "tweet_id"]

_BARE_ID = re.compile(r"\d{1,20}")
# "/<user>/status/<id>" on any host: twitter.com and x.com, their fx/vx mirrors and every
# nitter instance share this path, so the host is not checked. "/i/web/status/<id>" is the
# form share sheets use; "/statuses/" is the pre-2015 spelling.
_STATUS_PATH = re.compile(r"/(?:@?\w{1,50}|i/web)/status(?:es)?/(?P<id>\d{1,20})(?:/|$)")
_THREAD_PATH = re.compile(r"/thread/(?P<id>\d{1,20})(?:\.html?)?/?$")


def _split(value: str) -> tuple[str, str, str]:
    """``(host, path, fragment)`` of a url, read leniently (no scheme, archive wrappers)."""
    text = unarchive(value.strip())
    if "://" not in text:
        text = "https://" + text.removeprefix("//")  # "twitter.com/a/status/1" as typed
    try:
        parts = urlsplit(text)
    except ValueError:
        return "", "", ""
    if parts.scheme.lower() not in ("http", "https"):
        return "", "", ""
    return (parts.hostname or "").lower(), parts.path, parts.fragment


def _status_id(value: str) -> str | None:
    host, path, fragment = _split(value)
    if not host:
        return None
    if fragment.startswith("!/"):  # the 2010-era "twitter.com/#!/user/status/1"
        path = fragment[1:]
    match = _STATUS_PATH.match(path)
    return match["id"] if match else None


def tweet_id(value: str | int) -> str:
    """The status id in a tweet url, or a bare id checked and returned as a string.

    Raises :class:`ValueError` naming ``value`` when it is neither.

    >>> tweet_id("https://x.com/QuinnyPig/status/1215710451343904768/photo/1?s=20")
    '1215710451343904768'
    >>> tweet_id("https://nitter.net/QuinnyPig/status/1215710451343904768#m")
    '1215710451343904768'
    """
    text = str(value).strip()
    if _BARE_ID.fullmatch(text):
        return text
    found = _status_id(text)
    if found is None:
        raise ValueError(f"not a tweet url or tweet id: {value!r}")
    return found


def thread_id(value: str | int) -> str:
    """The root tweet id of a thread: from a Thread Reader url, a tweet url or a bare id.

    Raises :class:`ValueError` naming ``value`` when it is none of these.

    >>> thread_id("http://threadreaderapp.com/thread/1215710451343904768.html?refreshed=yes")
    '1215710451343904768'
    """
    text = str(value).strip()
    host, path, _ = _split(text)
    on_threadreader = host == "threadreaderapp.com" or host.endswith(".threadreaderapp.com")
    if on_threadreader and (match := _THREAD_PATH.match(path)):
        return match["id"]
    try:
        return tweet_id(text)
    except ValueError:
        raise ValueError(f"not a Thread Reader url, tweet url or tweet id: {value!r}") from None
