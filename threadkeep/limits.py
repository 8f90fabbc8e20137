"""The limits on what threadkeep reads, in one place (documented in ``docs/security.md``).

Each limit bounds the time and memory one input can cost. Real copies of tweets stay far below
every one of them (a full Thread Reader page is about 130 KB, 3 000 tags and depth 30); an
input past a limit is refused with a :class:`~threadkeep.MalformedPage` that names the limit,
never cut short in silence. With these limits, parsing any input takes time linear in its size
and well under 1 GB of memory.
"""

from __future__ import annotations

from typing import IO

from threadkeep.errors import MalformedExport, MalformedPage

__all__ = [
    "MAX_ATTRIBUTES",
    "MAX_DEPTH",
    "MAX_ENTITIES",
    "MAX_EXPORT_BYTES",
    "MAX_EXPORT_DIRECTORY_BYTES",
    "MAX_EXPORT_FILE_BYTES",
    "MAX_EXPORT_JSON_OBJECTS",
    "MAX_EXPORT_JSON_VALUES",
    "MAX_EXPORT_MEMBERS",
    "MAX_EXPORT_RATIO",
    "MAX_EXPORT_TWEETS",
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
    "check_export_tweets",
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


# An account export is a container read file by file, not one input: its limits are per data
# file and for the whole export. Real exports: tweets.js is split into parts of about 100 MiB
# (104 874 538 bytes seen), accounts hold hundreds of thousands of tweets, and the zip is up to
# about 11 GB with tens of thousands of media files. docs/security.md explains each value.

MAX_EXPORT_FILE_BYTES = 128 * 1024 * 1024
"""Largest data file (``.js``, ``.csv``) read from an export (128 MiB): X splits tweets.js into
parts of 100 MiB. A file at this size, read as JSON, peaks at about 1 GB. Media files are
streamed, not read whole, and bounded by :data:`MAX_EXPORT_BYTES` only."""

MAX_EXPORT_BYTES = 64 * 1024**3
"""Most bytes all the members of one export may hold uncompressed (64 GiB); the largest exports
reported are about 11 GB, nearly all of it media."""

MAX_EXPORT_MEMBERS = 500_000
"""Most files (and folders) in one export; real ones hold about 150 data files and up to tens
of thousands of media files."""

MAX_EXPORT_DIRECTORY_BYTES = 128 * 1024 * 1024
"""Largest zip central directory (128 MiB, about 256 bytes for each of
:data:`MAX_EXPORT_MEMBERS`), checked before it is read."""

MAX_EXPORT_RATIO = 100
"""Highest compression ratio of one zip member over 1 MiB (uncompressed size over compressed
size); pretty-printed tweets compress about 10 to 1, media hardly at all, while a zip bomb
reaches 1 000 to 1."""

MAX_EXPORT_JSON_OBJECTS = 2_000_000
"""Most objects (opening braces) in one export data file: real tweets.js files hold one per
160 to 300 bytes, so a 128 MiB file about 840 000 at most."""

MAX_EXPORT_JSON_VALUES = 10_000_000
"""Most values (separating commas) in one export data file: real files hold one per 50 to
75 bytes, so a 128 MiB file about 2.7 million."""

MAX_EXPORT_TWEETS = 1_000_000
"""Most tweets (with deleted ones) read from one export: the accounts exports are made for hold
hundreds of thousands; a million is 2 400 a day, X's daily limit, for over a year."""


def check_tweets(count: int) -> None:
    """Refuse an input that yields more than :data:`MAX_TWEETS` tweets (or listed threads)."""
    if count > MAX_TWEETS:
        raise MalformedPage(
            f"more than {MAX_TWEETS:,} tweets in one input (threadkeep.limits.MAX_TWEETS)"
        )


def check_export_tweets(count: int, *, source: str | None = None) -> None:
    """Refuse an export that yields more than :data:`MAX_EXPORT_TWEETS` tweets."""
    if count > MAX_EXPORT_TWEETS:
        raise MalformedExport(
            f"more than {MAX_EXPORT_TWEETS:,} tweets in one export"
            " (threadkeep.limits.MAX_EXPORT_TWEETS)",
            source=source,
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
