"""The limits on what threadkeep reads, in one place (documented in ``docs/security.md``).

Each limit bounds the time and memory one input can cost. Real copies of tweets stay far below
every one of them (a full Thread Reader page is about 130 KB, 3 000 tags and depth 30); an
input past a limit is refused with a :class:`~threadkeep.MalformedPage` that names the limit,
never cut short in silence. With these limits, parsing any input takes time linear in its size
and well under 1 GB of memory.
"""

from __future__ import annotations

__all__ = [
    "MAX_DEPTH",
    "MAX_ID_DIGITS",
    "MAX_INPUT_BYTES",
    "MAX_JSON_DEPTH",
    "MAX_JSON_VALUES",
    "MAX_LINES",
    "MAX_QUOTE_DEPTH",
    "MAX_TAGS",
    "MAX_TWEETS",
]

MAX_INPUT_BYTES = 64 * 1024 * 1024
"""Largest input :func:`threadkeep.parse` accepts (64 MiB), after UTF-16/32 is re-encoded."""

MAX_TAGS = 1_000_000
"""Most start tags in one HTML input (a full Thread Reader page has about 3 000)."""

MAX_DEPTH = 256
"""Deepest element nesting in an HTML input: libxml2's own limit for HTML. libxml2 stops
reading at this depth, so a deeper page is refused rather than read in part."""

MAX_LINES = 1_000_000
"""Most lines in a plain-text copy."""

MAX_JSON_VALUES = 2_000_000
"""Most values (counted by their separating commas) in a JSON input."""

MAX_JSON_DEPTH = 64
"""Deepest nesting of objects and arrays in a JSON input (real answers nest about 8 deep)."""

MAX_TWEETS = 100_000
"""Most tweets (or listed threads) one input may yield."""

MAX_ID_DIGITS = 20
"""Longest tweet id: ids are unsigned 64-bit numbers, at most 20 decimal digits. Anything else
in an id attribute or field is not an id, and is read as no id."""

MAX_QUOTE_DEPTH = 3
"""How deep quoted tweets and replies are read inside one another (a quote of a quote of a
quote); deeper ones are left out. Tweets themselves show one level."""
