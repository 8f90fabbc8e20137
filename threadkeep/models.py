"""Typed models of tweet copies: what every parser returns and every JSON output carries.

All models are frozen pydantic v2 models with ``extra="forbid"``; collections are tuples.
Tweet ids are strings: they exceed 2**53, and a float round-trip would corrupt them.

The top-level results (:class:`Thread`, :class:`Listing`, :class:`Article`, :class:`Export`
and a standalone :class:`Tweet`) carry a ``kind`` literal that discriminates the :data:`Result`
union. :data:`SCHEMA_VERSION` numbers the shape of their JSON; ``threadkeep schema`` prints it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    TypeAdapter,
    model_serializer,
)

__all__ = [
    "SCHEMA_VERSION",
    "Article",
    "Author",
    "Export",
    "Link",
    "Listing",
    "Media",
    "Origin",
    "Result",
    "Sighting",
    "Thread",
    "ThreadPreview",
    "Tweet",
    "fill_missing",
    "result_adapter",
    "snowflake_time",
]

SCHEMA_VERSION = 4
"""The version of the results' JSON shape: raised when a field is added, renamed or removed.

4 (issue 20): ``Sighting.origin`` (the web-archive file and record a copy was read from;
written only when known).
3 (issue 17): the ``status`` sighting kind (a twitter.com status page).
2 (issue 16): ``Author.id``; ``Tweet.retweet_of``, ``deleted``, ``deleted_at``; ``Media.file``;
the ``export`` result and sighting kind. 1: everything before.
"""

# Twitter's Snowflake epoch (2010-11-04T01:42:54.657Z) in milliseconds.
_SNOWFLAKE_EPOCH_MS = 1288834974657
# Ids below this were issued sequentially before Snowflake (late 2010) and carry no time.
_FIRST_SNOWFLAKE_ID = 30_000_000_000


def snowflake_time(tweet_id: str | None) -> datetime | None:
    """Return the creation time encoded in a Snowflake tweet id, or None.

    None for a missing or non-numeric id, for ids issued before Snowflake (late 2010) and for
    ids of 2**63 or more.

    Examples:
        >>> import threadkeep
        >>> threadkeep.snowflake_time("1215710451343904768").isoformat()
        '2020-01-10T19:02:13.065000+00:00'
        >>> threadkeep.snowflake_time("20") is None  # a 2006 id: no time in it
        True
    """
    # ASCII digits only: str.isdigit accepts "²", which int() then refuses.
    if not tweet_id or len(tweet_id) > 20 or not tweet_id.isascii() or not tweet_id.isdigit():
        return None
    value = int(tweet_id)
    if value < _FIRST_SNOWFLAKE_ID or value >= 1 << 63:
        return None
    millis = (value >> 22) + _SNOWFLAKE_EPOCH_MS
    return datetime.fromtimestamp(millis / 1000, tz=UTC)


def _in_utc(value: datetime) -> datetime:
    try:
        return value.astimezone(UTC)
    except OverflowError as exc:  # year 1 at +05:00 is before year 1 in UTC
        raise ValueError("time out of range once converted to UTC") from exc


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_in_utc)]
"""A time with a zone, kept in UTC: JSON keeps offsets to the minute only (a "+05:00:30" time
would change in a round trip), and one zone keeps times comparable."""


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Author(_Model):
    """Who wrote a tweet or thread. ``handle`` has no leading "@".

    ``id`` is the account's numeric id (a string), known from an account export.

    Examples:
        >>> import threadkeep
        >>> thread = threadkeep.parse("Thread by @example_user\\n1/2 One.\\n2/2 Two.\\n• • •\\n")
        >>> thread.author.handle, thread.author.url
        ('example_user', 'https://twitter.com/example_user')
    """

    handle: str | None = None
    name: str | None = None
    url: str | None = None
    avatar: str | None = None
    id: str | None = None


class Link(_Model):
    """A link in a tweet: ``url`` expanded when known, ``display`` as shown, ``short_url`` t.co.

    Examples:
        >>> import threadkeep
        >>> link = threadkeep.Link(url="https://example.org/a/long/path", display="example.org/a/…")
        >>> link.model_dump_json(exclude_none=True)
        '{"url":"https://example.org/a/long/path","display":"example.org/a/…"}'
    """

    url: str
    display: str | None = None
    short_url: str | None = None


class Media(_Model):
    """A photo, video, gif or link-preview card attached to a tweet.

    ``url`` is the media file (the target page for a card); ``preview`` a poster frame or the
    card's image; ``alt`` the alt text (a card's title). ``url`` is None for a placeholder that
    only says a picture was there (text copies write "Image"). ``file`` is the file holding it
    inside an account export (``data/tweets_media/<tweet id>-<name>``), when the export has one.

    Examples:
        >>> import threadkeep
        >>> photo = threadkeep.Media(kind="photo", url="https://pbs.twimg.com/A.jpg", alt="a cat")
        >>> photo.kind, photo.alt, photo.preview
        ('photo', 'a cat', None)
    """

    kind: Literal["photo", "video", "gif", "card"]
    url: str | None = None
    alt: str | None = None
    preview: str | None = None
    file: str | None = None


SightingKind = Literal[
    "threadreader",
    "listing",
    "embed",
    "oembed",
    "syndication",
    "text",
    "nitter",
    "export",
    "status",
]
"""The kinds of copy a tweet can be seen in (``nitter``: a page of a Nitter instance;
``export``: the account's own archive downloaded from X/Twitter; ``status``: a twitter.com
status page, as the web archive kept it)."""


class Origin(_Model):
    """The web-archive (WARC) record a copy was read from: its ``file`` (a WACZ member as
    ``crawl.wacz#archive/data.warc.gz``), the record's byte ``offset`` in it and its
    ``WARC-Record-ID``.

    ``threadkeep convert crawl.warc.gz`` sets it on each record's result
    (``result.source.origin``); ``threadkeep archive`` keeps it on the capture's log line.

    Examples:
        >>> import threadkeep
        >>> page = b"<div id='tweet_1' class='content-tweet' data-tweet='20'>hi</div>"
        >>> origin = threadkeep.Origin(file="crawl.warc.gz", offset=4096)
        >>> result = threadkeep.parse(page, url="https://threadreaderapp.com/thread/20.html",
        ...                           origin=origin)
        >>> result.source.origin.file, result.source.origin.offset
        ('crawl.warc.gz', 4096)
    """

    file: str
    offset: int = Field(ge=0)
    record_id: str | None = None


class Sighting(_Model):
    """Where and when a copy was seen: the source kind, its url, capture time, sha256 of bytes.

    :func:`threadkeep.parse` sets it on every top-level result; a fetch or an archive capture
    adds the capture time.

    Examples:
        >>> import threadkeep
        >>> page = b"<div id='tweet_1' class='content-tweet' data-tweet='20'>hi</div>"
        >>> source = threadkeep.parse(page, url="https://threadreaderapp.com/thread/20.html").source
        >>> source.kind, source.url, source.captured_at
        ('threadreader', 'https://threadreaderapp.com/thread/20.html', None)
        >>> source.sha256[:16]
        '8bb5bb37b5c36dac'
    """

    kind: SightingKind
    url: str | None = None
    captured_at: UtcDatetime | None = None
    sha256: str | None = None
    origin: Origin | None = None
    """Where in a web-archive file the copy was read (absent from the JSON when unknown)."""

    @model_serializer(mode="wrap")
    def _without_unknown_origin(self, handler: SerializerFunctionWrapHandler) -> Any:
        data = handler(self)
        if isinstance(data, dict) and data.get("origin", 0) is None:
            del data["origin"]
        return data


class Tweet(_Model):
    """One tweet as a copy showed it.

    ``text`` is None when the copy carries no text (an embed reduced to its link, a quoted
    tweet known only by its url). ``position`` is the 1-based place in its thread; ``marker``
    the numbering the author wrote ("3/24", "(1 of 11)", "⬇️"). ``quoted`` and ``in_reply_to``
    are the tweets it quotes and answers, as far as the copy shows them. ``unavailable`` is
    the reason a source gave for not showing the tweet (a syndication "tombstone"), else None.
    ``edited`` and ``edit_ids`` (every version's id, oldest first) come from sources that know.
    ``retweet_of`` is the tweet a retweet repeats, as far as the copy shows it (an account
    export names only its author, from "RT @handle:"). ``deleted`` is True for a tweet the
    account deleted (an export keeps those), with ``deleted_at`` when known; None when the copy
    cannot say. ``source`` is set on a standalone tweet (an oEmbed or syndication answer).

    Examples:
        >>> import threadkeep
        >>> page = b"<div id='tweet_1' class='content-tweet' data-tweet='1215710451343904768'>"
        >>> tweet = threadkeep.parse(page + b"1/ Okay. #tips for @someone</div>").tweets[0]
        >>> tweet.id, tweet.text, tweet.marker, tweet.hashtags, tweet.mentions
        ('1215710451343904768', '1/ Okay. #tips for @someone', '1/', ('tips',), ('someone',))
        >>> tweet.created_at.isoformat()  # from the Snowflake id
        '2020-01-10T19:02:13.065000+00:00'
    """

    kind: Literal["tweet"] = "tweet"
    id: str | None = None
    url: str | None = None
    author: Author | None = None
    text: str | None = None
    created_at: UtcDatetime | None = None
    date_text: str | None = None
    lang: str | None = None
    links: tuple[Link, ...] = ()
    media: tuple[Media, ...] = ()
    hashtags: tuple[str, ...] = ()
    mentions: tuple[str, ...] = ()
    quoted: Tweet | None = None
    in_reply_to: Tweet | None = None
    retweet_of: Tweet | None = None
    position: int | None = None
    marker: str | None = None
    unavailable: str | None = None
    edited: bool | None = None
    edit_ids: tuple[str, ...] = ()
    deleted: bool | None = None
    deleted_at: UtcDatetime | None = None
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

    Examples:
        >>> import threadkeep
        >>> thread = threadkeep.parse("Thread by @a\\n1/4 One.\\n2/4 Two.\\n4/4 Four.\\n• • •\\n")
        >>> [tweet.marker for tweet in thread.tweets], [tweet.position for tweet in thread.tweets]
        (['1/4', '2/4', '4/4'], [1, 2, 4])
        >>> thread.complete, thread.gaps
        (False, (3,))
    """

    kind: Literal["thread"] = "thread"
    id: str | None = None
    url: str | None = None
    author: Author | None = None
    title: str | None = None
    created_at: UtcDatetime | None = None
    date_text: str | None = None
    tweets: tuple[Tweet, ...] = ()
    declared_count: int | None = None
    read_minutes: int | None = None
    complete: bool | None = None
    gaps: tuple[int, ...] = ()
    source: Sighting | None = None


class ThreadPreview(_Model):
    """A thread as a listing page shows it: its opening tweets and declared size.

    Examples:
        >>> import threadkeep
        >>> copy = "Keep every copy. 1/5\\nRead 5 tweets\\nWhy archive? 🧵\\nRead 12 tweets\\n"
        >>> card = threadkeep.parse(copy).threads[0]
        >>> card.declared_count, [tweet.text for tweet in card.tweets]
        (5, ['Keep every copy. 1/5'])
    """

    url: str | None = None
    thread_id: str | None = None
    author: Author | None = None
    tweets: tuple[Tweet, ...] = ()
    declared_count: int | None = None
    created_at: UtcDatetime | None = None
    section: str | None = None


class Listing(_Model):
    """A page listing threads (Thread Reader home, hashtag, topic or author pages).

    Examples:
        >>> import threadkeep
        >>> copy = "Keep every copy. 1/5\\nRead 5 tweets\\nWhy archive? 🧵\\nRead 12 tweets\\n"
        >>> listing = threadkeep.parse(copy)
        >>> listing.kind, [card.declared_count for card in listing.threads]
        ('listing', [5, 12])
    """

    kind: Literal["listing"] = "listing"
    title: str | None = None
    topic: str | None = None
    url: str | None = None
    threads: tuple[ThreadPreview, ...] = ()
    declared_total: int | None = None
    hashtags: tuple[str, ...] = ()
    source: Sighting | None = None


class Article(_Model):
    """A page embedding tweets: every tweet in page order, and runs by one author as threads.

    Examples:
        >>> import threadkeep
        >>> page = (
        ...     b'<blockquote class="twitter-tweet"><p>just setting up my twttr</p>&mdash; '
        ...     b'jack (@jack) <a href="https://twitter.com/jack/status/20">March 21, 2006</a>'
        ...     b"</blockquote>"
        ... )
        >>> tweet = threadkeep.parse(page).tweets[0]
        >>> tweet.id, tweet.author.handle, tweet.text, tweet.date_text
        ('20', 'jack', 'just setting up my twttr', 'March 21, 2006')
    """

    kind: Literal["article"] = "article"
    url: str | None = None
    title: str | None = None
    tweets: tuple[Tweet, ...] = ()
    threads: tuple[Thread, ...] = ()
    source: Sighting | None = None


class Export(_Model):
    """An account's own archive, as X/Twitter lets every account download it.

    ``account`` is the account (with its numeric ``id``); ``generated_at`` when the export was
    made; ``layout`` which of the three file layouts it has (``manifest``: 2022 on,
    ``data/tweets.js``; ``tweet-js``: 2019–2022, ``data/tweet.js``; ``grailbird``: before 2019).
    ``tweets`` is every tweet in it, newest first as the export lists them, deleted ones marked;
    ``threads`` every chain of two or more of the account's own tweets replying to each other,
    unrolled in order like a Thread Reader page (``complete``/``gaps`` where a link of the chain
    is not in the export).

    Examples:
        >>> import threadkeep
        >>> export = threadkeep.Export(account=threadkeep.Author(id="12", handle="jack"))
        >>> export.kind, export.account.id, export.tweets, export.threads
        ('export', '12', (), ())
    """

    kind: Literal["export"] = "export"
    url: str | None = None
    account: Author | None = None
    generated_at: UtcDatetime | None = None
    layout: Literal["manifest", "tweet-js", "grailbird"] | None = None
    tweets: tuple[Tweet, ...] = ()
    threads: tuple[Thread, ...] = ()
    source: Sighting | None = None


Result = Annotated[Thread | Listing | Article | Tweet | Export, Field(discriminator="kind")]
"""What :func:`threadkeep.parse` returns, discriminated by ``kind``.

``threadkeep.Result`` is for type hints (``def keep(result: threadkeep.Result) -> None``);
match on ``result.kind`` (or ``isinstance``) to tell the five apart, and read JSON back with
:data:`result_adapter`.
"""

result_adapter: TypeAdapter[Thread | Listing | Article | Tweet | Export] = TypeAdapter(Result)
"""Validates JSON of any result kind: ``result_adapter.validate_json(data)``.

``result_adapter.validate_json('{"kind": "listing"}')`` gives a :class:`Listing`; the
``kind`` field picks the class, and JSON that does not fit raises
``pydantic.ValidationError``.
"""
