"""Typed models of tweet copies: what every parser returns and every JSON output carries.

All models are frozen pydantic v2 models with ``extra="forbid"``; collections are tuples.
Tweet ids are strings: they exceed 2**53, and a float round-trip would corrupt them.

The top-level results (:class:`Thread`, :class:`Listing`, :class:`Article`, and a standalone
:class:`Tweet`) carry a ``kind`` literal that discriminates the :data:`Result` union.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter

__all__ = [
    "Article",
    "Author",
    "Link",
    "Listing",
    "Media",
    "Result",
    "Sighting",
    "Thread",
    "ThreadPreview",
    "Tweet",
    "fill_missing",
    "result_adapter",
    "snowflake_time",
]

# Twitter's Snowflake epoch (2010-11-04T01:42:54.657Z) in milliseconds.
_SNOWFLAKE_EPOCH_MS = 1288834974657
# Ids below this were issued sequentially before Snowflake (late 2010) and carry no time.
_FIRST_SNOWFLAKE_ID = 30_000_000_000


def snowflake_time(tweet_id: str | None) -> datetime | None:
    """Return the creation time encoded in a Snowflake tweet id, or None.

    >>> snowflake_time("1215710451343904768").isoformat()
    '2020-01-10T19:02:13.065000+00:00'
    """
    # ASCII digits only: str.isdigit accepts "²", which int() then refuses.
    if not tweet_id or len(tweet_id) > 20 or not tweet_id.isascii() or not tweet_id.isdigit():
        return None
    value = int(tweet_id)
    if value < _FIRST_SNOWFLAKE_ID or value >= 1 << 63:
        return None
    millis = (value >> 22) + _SNOWFLAKE_EPOCH_MS
    return datetime.fromtimestamp(millis / 1000, tz=timezone.utc)


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Author(_Model):
    """Who wrote a tweet or thread. ``handle`` has no leading "@"."""

    handle: str | None = None
    name: str | None = None
    url: str | None = None
    avatar: str | None = None


class Link(_Model):
    """A link in a tweet: ``url`` expanded when known, ``display`` as shown, ``short_url`` t.co."""

    url: str
    display: str | None = None
    short_url: str | None = None


class Media(_Model):
    """A photo, video, gif or link-preview card attached to a tweet.

    ``url`` is the media file (the target page for a card); ``preview`` a poster frame or the
    card's image; ``alt`` the alt text (a card's title). ``url`` is None for a placeholder that
    only says a picture was there (text copies write "Image").
    """

    kind: Literal["photo", "video", "gif", "card"]
    url: str | None = None
    alt: str | None = None
    preview: str | None = None


class Sighting(_Model):
    """Where and when a copy was seen: the source kind, its url, capture time, sha256 of bytes."""

    kind: Literal["threadreader", "listing", "embed", "oembed", "syndication", "text"]
    url: str | None = None
    captured_at: AwareDatetime | None = None
    sha256: str | None = None


class Tweet(_Model):
    """One tweet as a copy showed it.

    ``text`` is None when the copy carries no text (an embed reduced to its link, a quoted
    tweet known only by its url). ``position`` is the 1-based place in its thread; ``marker``
    the numbering the author wrote ("3/24", "(1 of 11)", "⬇️"). ``quoted`` and ``in_reply_to``
    are the tweets it quotes and answers, as far as the copy shows them. ``unavailable`` is
    the reason a source gave for not showing the tweet (a syndication "tombstone"), else None.
    ``edited`` and ``edit_ids`` (every version's id, oldest first) come from sources that know.
    ``source`` is set on a standalone tweet (an oEmbed or syndication answer).
    """

    kind: Literal["tweet"] = "tweet"
    id: str | None = None
    url: str | None = None
    author: Author | None = None
    text: str | None = None
    created_at: AwareDatetime | None = None
    date_text: str | None = None
    lang: str | None = None
    links: tuple[Link, ...] = ()
    media: tuple[Media, ...] = ()
    hashtags: tuple[str, ...] = ()
    mentions: tuple[str, ...] = ()
    quoted: Tweet | None = None
    in_reply_to: Tweet | None = None
    position: int | None = None
    marker: str | None = None
    unavailable: str | None = None
    edited: bool | None = None
    edit_ids: tuple[str, ...] = ()
    source: Sighting | None = None


def fill_missing(primary: Tweet, fallback: Tweet) -> Tweet:
    """``primary`` with every field it lacks (None or empty) taken from ``fallback``.

    Two copies of one tweet rarely know the same things: an embed knows the date text, a
    Thread Reader page the media. Merging them keeps the first's values and loses nothing.
    """
    update = {
        name: getattr(fallback, name)
        for name in type(primary).model_fields
        if getattr(primary, name) in (None, (), "")
        and getattr(fallback, name) not in (None, (), "")
    }
    return primary.model_copy(update=update) if update else primary


class Thread(_Model):
    """An unrolled thread.

    ``declared_count`` is what the page says the thread has ("102 tweets"); ``complete`` is
    True when every declared or numbered tweet is present, False when some are known to be
    missing (their positions in ``gaps``), None when that cannot be known.
    """

    kind: Literal["thread"] = "thread"
    id: str | None = None
    url: str | None = None
    author: Author | None = None
    title: str | None = None
    created_at: AwareDatetime | None = None
    date_text: str | None = None
    tweets: tuple[Tweet, ...] = ()
    declared_count: int | None = None
    read_minutes: int | None = None
    complete: bool | None = None
    gaps: tuple[int, ...] = ()
    source: Sighting | None = None


class ThreadPreview(_Model):
    """A thread as a listing page shows it: its opening tweets and declared size."""

    url: str | None = None
    thread_id: str | None = None
    author: Author | None = None
    tweets: tuple[Tweet, ...] = ()
    declared_count: int | None = None
    created_at: AwareDatetime | None = None
    section: str | None = None


class Listing(_Model):
    """A page listing threads (Thread Reader home, hashtag, topic or author pages)."""

    kind: Literal["listing"] = "listing"
    title: str | None = None
    topic: str | None = None
    url: str | None = None
    threads: tuple[ThreadPreview, ...] = ()
    declared_total: int | None = None
    hashtags: tuple[str, ...] = ()
    source: Sighting | None = None


class Article(_Model):
    """A page embedding tweets: every tweet in page order, and runs by one author as threads."""

    kind: Literal["article"] = "article"
    url: str | None = None
    title: str | None = None
    tweets: tuple[Tweet, ...] = ()
    threads: tuple[Thread, ...] = ()
    source: Sighting | None = None


Result = Annotated[Thread | Listing | Article | Tweet, Field(discriminator="kind")]
"""What :func:`threadkeep.parse` returns, discriminated by ``kind``."""

result_adapter: TypeAdapter[Thread | Listing | Article | Tweet] = TypeAdapter(Result)
"""Validates JSON of any result kind: ``result_adapter.validate_json(data)``."""
