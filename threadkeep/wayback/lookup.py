"""Where copies of a tweet live in the web archive: the urls to look up, and which rows
found under them are copies of that tweet.

A tweet's copies are kept under many urls: its Thread Reader unroll, its status page on
twitter.com, mobile.twitter.com and x.com (with the author's handle, and the handle-free
``i/web/status`` and ``i/status`` forms), the syndication answers embeds load
(``tweet-result?id=``, ``tweet?id=``) and the oEmbed answer. Each url is looked up as a
prefix (``matchType=prefix``): the query strings vary (``?s=20``, ``&token=…``, ``.html``),
and a prefix also matches longer ids, so every row is checked to name this tweet
(:func:`names_tweet`) before it counts.

With no handle known, the handle-free urls are looked up first; the handle read from the
first copy found (or from a url the index lists) then adds the handle's urls
(:func:`queries`).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from threadkeep.urls import query_id, status_parts, threadreader_id, unarchive
from threadkeep.wayback.targets import Target

__all__ = ["Query", "handle_in", "names_target", "names_tweet", "queries", "thread_query"]


@dataclass(frozen=True)
class Query:
    """One url looked up in the index, as a prefix."""

    url: str


def queries(target: Target) -> list[Query]:
    """The urls to look up for ``target``: the handle-free ones, then its handle's (if known).

    >>> [q.url for q in queries(Target("20", "jack"))][-2:]
    ['x.com/jack/status/20', 'publish.twitter.com/oembed?url=https://twitter.com/jack/status/20']
    """
    tweet = target.id
    found = [
        f"threadreaderapp.com/thread/{tweet}",
        f"twitter.com/i/web/status/{tweet}",
        f"twitter.com/i/status/{tweet}",
        f"x.com/i/status/{tweet}",
        f"cdn.syndication.twimg.com/tweet-result?id={tweet}",
        f"cdn.syndication.twimg.com/tweet?id={tweet}",
        f"publish.twitter.com/oembed?url=https://twitter.com/i/status/{tweet}",
    ]
    if target.handle is not None:
        found.extend(handle_queries(target.handle, tweet))
    return [Query(url) for url in found]


def handle_queries(handle: str, tweet: str) -> list[str]:
    """The urls under which copies carry the author's handle."""
    return [
        f"twitter.com/{handle}/status/{tweet}",
        f"mobile.twitter.com/{handle}/status/{tweet}",
        f"x.com/{handle}/status/{tweet}",
        f"publish.twitter.com/oembed?url=https://twitter.com/{handle}/status/{tweet}",
    ]


def thread_query(thread: str) -> Query:
    """The Thread Reader url of the thread a tweet belongs to (when it does not start it)."""
    return Query(f"threadreaderapp.com/thread/{thread}")


def names_target(original: str, target: Target) -> bool:
    """True when ``original`` is a copy of the target tweet, or of the thread it is in."""
    if names_tweet(original, target.id):
        return True
    return target.thread is not None and threadreader_id(unarchive(original)) == target.thread


def names_tweet(original: str, tweet: str) -> bool:
    """True when the archived url ``original`` is a copy of tweet ``tweet`` (or the thread
    it starts): its status path, Thread Reader path, ``?id=`` or oEmbed ``?url=`` says so.

    >>> names_tweet("https://twitter.com/jack/status/20?lang=en", "20")
    True
    >>> names_tweet("https://twitter.com/jack/status/2001", "20")
    False
    """
    url = unarchive(original)
    parts = status_parts(url) or status_parts(_oembed_target(url))
    if parts is not None:
        return parts[1] == tweet
    return threadreader_id(url) == tweet or query_id(url) == tweet


def handle_in(original: str, tweet: str) -> str | None:
    """The author's handle an archived url of tweet ``tweet`` carries, or None."""
    url = unarchive(original)
    parts = status_parts(url) or status_parts(_oembed_target(url))
    if parts is None or parts[1] != tweet:
        return None
    return parts[0]


def _oembed_target(url: str) -> str | None:
    """The status url in an oEmbed request's ``url=`` parameter (decoded), or None."""
    if "oembed" not in url:
        return None
    try:
        values = parse_qs(urlsplit(url).query).get("url", [])
    except ValueError:
        return None
    return values[0] if values else None
