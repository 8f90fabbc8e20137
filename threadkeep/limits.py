"""The limits on what threadkeep reads, in one place (documented in ``docs/security.md``).

Each limit bounds the time and memory one input can cost. Real copies of tweets stay far below
every one of them (a full Thread Reader page is about 130 KB, 3 000 tags and depth 30); an
input past a limit is refused with a :class:`~threadkeep.MalformedPage` that names the limit,
never cut short in silence. With these limits, parsing any input takes time linear in its size
and well under 1 GB of memory.
"""

from __future__ import annotations

from typing import IO

from threadkeep.errors import MalformedPage

__all__ = [
    "MAX_ATTRIBUTES",
    "MAX_DEPTH",
    "MAX_ENTITIES",
    "MAX_ID_DIGITS",
    "MAX_INPUT_BYTES",
    "MAX_JSON_DEPTH",
    "MAX_JSON_OBJECTS",
    "MAX_JSON_VALUES",
    "MAX_LINES",
    "MAX_QUOTE_DEPTH",
    "MAX_TAGS",
    "MAX_TOTAL_ATTRIBUTES",
    "MAX_TWEETS",
    "check_tweets",
    "read_limited",
]

MAX_INPUT_BYTES = 64 * 1024 * 1024
"""Largest input :func:`threadkeep.parse` accepts (64 MiB), after UTF-16/32 is re-encoded."""

MAX_TAGS = 500_000
"""Most start tags in one HTML input (a full Thread Reader page has about 3 000, a long news
article 5 000 to 20 000)."""

MAX_DEPTH = 256
"""Deepest element nesting in an HTML input: libxml2's own limit for HTML. libxml2 stops
reading at this depth, so a deeper page is refused rather than read in part."""

MAX_ATTRIBUTES = 1_000
"""Most attributes on one HTML start tag (the most on any element of the bundled pages is 24).
libxml2 checks each attribute against every one before it, so an element with n attributes
costs n² steps: 160 000 of them took 42 s."""

MAX_TOTAL_ATTRIBUTES = 1_000_000
"""Most attributes on all the start tags of one HTML input (the most in a bundled page is
2 001, in a 130 KB Thread Reader page). With :data:`MAX_ATTRIBUTES`, it bounds that n² work
to about two seconds, and the tree's attributes to about 150 MB."""

MAX_LINES = 1_000_000
"""Most lines in a plain-text copy."""

MAX_JSON_VALUES = 2_000_000
"""Most values (counted by their separating commas) in a JSON input."""

MAX_JSON_OBJECTS = 500_000
"""Most objects (counted by their opening braces) in a JSON input: each may become a model."""

MAX_JSON_DEPTH = 64
"""Deepest nesting of objects and arrays in a JSON input (real answers nest about 8 deep)."""

MAX_TWEETS = 100_000
"""Most tweets (or listed threads) one input may yield."""

MAX_ENTITIES = 1_000
"""Most hashtags, and mentions, read from one tweet's text (a 280-character tweet holds at most
140); further ones stay in the text but are not listed."""

MAX_ID_DIGITS = 20
"""Longest tweet id: ids are unsigned 64-bit numbers, at most 20 decimal digits. Anything else
in an id attribute or field is not an id, and is read as no id."""

MAX_QUOTE_DEPTH = 3
"""How deep quoted tweets and replies are read inside one another (a quote of a quote of a
quote); deeper ones are left out. Tweets themselves show one level."""


def check_tweets(count: int) -> None:
    """Refuse an input that yields more than :data:`MAX_TWEETS` tweets (or listed threads)."""
    if count > MAX_TWEETS:
        raise MalformedPage(
            f"more than {MAX_TWEETS:,} tweets in one input (threadkeep.limits.MAX_TWEETS)"
        )


def too_large(size: int | None, *, source: str | None = None) -> MalformedPage:
    """The error for an input over :data:`MAX_INPUT_BYTES` (``size`` when it is known)."""
    what = f"input of {size:,} bytes" if size is not None else "input"
    return MalformedPage(
        f"{what} over the {MAX_INPUT_BYTES // 2**20} MiB limit (threadkeep.limits.MAX_INPUT_BYTES)",
        source=source,
    )


def read_limited(stream: IO[bytes], *, source: str) -> bytes:
    """Read a whole input from ``stream``, but never more than :data:`MAX_INPUT_BYTES`.

    A pipe or device with more to give (``/dev/zero``) is refused, not read until memory
    runs out.
    """
    data = stream.read(MAX_INPUT_BYTES + 1)
    if len(data) > MAX_INPUT_BYTES:
        raise too_large(None, source=source)
    return data
