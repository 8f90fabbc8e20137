"""One tweet of an account export → a :class:`~threadkeep.Tweet`.

The entries of ``tweets.js``, ``tweet.js``, ``deleted-tweets.js`` and Grailbird's monthly files
are v1.1 API objects (see fixtures/export/FORMAT.md for what real exports show):

* ``full_text`` (``text`` in Grailbird) is HTML-escaped; it is unescaped, its t.co links are
  replaced by their ``expanded_url`` (a link without one stays t.co) and the t.co link of its
  media is dropped (the media are in ``media``).
* media are in ``extended_entities`` (``entities.media`` holds only the first item and always
  says "photo"); a video or GIF's url is its best mp4 by bitrate, its poster the ``preview``;
  ``file`` is the export's copy, ``<media folder>/<tweet id>-<file name>``, when present.
* a retweet is told by its "RT @handle:" (``retweeted`` is always false in exports); a quote
  only by a link to a status.
* ids and counts are strings from 2020 on, numbers in Grailbird.

Every function here is pure: JSON values in, models out.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from threadkeep.limits import MAX_QUOTE_DEPTH
from threadkeep.models import Author, Link, Media, Tweet, snowflake_time
from threadkeep.parsing.shared import known_tweet, make_author
from threadkeep.urls import checked_id, status_parts, status_url

__all__ = [
    "CSV_COLUMNS",
    "BadEntry",
    "MediaFiles",
    "export_time",
    "tweet_from_csv_row",
    "tweet_from_entry",
    "unwrap",
]

_MEDIA_KINDS = {"photo": "photo", "video": "video", "animated_gif": "gif"}
_RETWEET_RE = re.compile(r"RT @([A-Za-z0-9_]{1,50}):")
_HTTP_RE = re.compile(r"https?://", re.IGNORECASE)


class BadEntry(ValueError):
    """An entry that is no tweet (the caller names the file and the entry)."""


class MediaFiles:
    """The media files of an export, found by ``<tweet id>-<file name>`` in their folders."""

    def __init__(self, names: list[str], folders: tuple[str, ...]) -> None:
        prefixes = tuple(folder.rstrip("/") + "/" for folder in folders)
        self._by_key: dict[str, str] = {}
        for name in names:
            if name.startswith(prefixes):
                self._by_key.setdefault(name.rsplit("/", 1)[-1], name)

    def find(self, tweet_id: str, urls: list[str]) -> str | None:
        """The export file of a media item of ``tweet_id``, tried by each url's file name."""
        for url in urls:
            base = url.split("?", 1)[0].rsplit("/", 1)[-1]
            if base and (found := self._by_key.get(f"{tweet_id}-{base}")):
                return found
        return None


def unwrap(entry: object) -> dict[str, Any]:
    """The tweet of an entry: ``{"tweet": {…}}`` since 2020, the bare object before."""
    if isinstance(entry, dict):
        inner = entry.get("tweet")
        if isinstance(inner, dict) and len(entry) == 1:
            return inner
        return entry
    raise BadEntry("not a JSON object")


def _string(value: object) -> str | None:
    if isinstance(value, str):
        return value or None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)  # Grailbird's numbers
    return None


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


_MONTHS = {
    m: i
    for i, m in enumerate(
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], 1
    )
}
_V1_TIME_RE = re.compile(
    r"[A-Z][a-z]{2} ([A-Z][a-z]{2}) ([0-9]{2}) ([0-9]{2}):([0-9]{2}):([0-9]{2}) \+0000 ([0-9]{4})"
)


def _v1_utc(text: str) -> datetime | None:
    """``Sat Nov 09 12:14:18 +0000 2024`` read directly: every export writes +0000, and
    strptime costs 20 times more (a second for 20,000 tweets)."""
    match = _V1_TIME_RE.fullmatch(text)
    if match is None or match[1] not in _MONTHS:
        return None
    try:
        return datetime(int(match[6]), _MONTHS[match[1]], int(match[2]), int(match[3]),
                        int(match[4]), int(match[5]), tzinfo=UTC)  # fmt: skip
    except ValueError:  # "Feb 31"
        return None


def export_time(value: object) -> datetime | None:
    """A time as exports write it: v1.1 ``Sat Nov 09 12:14:18 +0000 2024``, Grailbird's
    ``2009-02-27 00:00:00 +0000`` or ISO 8601 with ``Z``; None when it is none of those."""
    text = _string(value)
    if text is None or len(text) > 64:
        return None
    if (fast := _v1_utc(text)) is not None:
        return fast
    for form in ("%a %b %d %H:%M:%S %z %Y", "%Y-%m-%d %H:%M:%S %z"):
        try:
            return datetime.strptime(text, form).astimezone(UTC)
        except (ValueError, OverflowError):
            continue
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return parsed.astimezone(UTC) if parsed.tzinfo else None
    except (ValueError, OverflowError):
        return None


def _created(tweet: dict[str, Any], tweet_id: str) -> datetime | None:
    written = export_time(tweet.get("created_at"))
    from_id = snowflake_time(tweet_id)
    # Grailbird zeroes the time of old tweets ("2009-02-27 00:00:00"): the id knows better.
    if from_id is not None and (written is None or written.time() == datetime.min.time()):
        return from_id
    return written


def _http(url: str | None) -> str | None:
    return url if url and _HTTP_RE.match(url) else None


def _best_mp4(item: dict[str, Any]) -> str | None:
    best: tuple[int, str] | None = None
    for variant in _list(_dict(item.get("video_info")).get("variants")):
        url = _http(_string(variant.get("url")))
        if url is None or variant.get("content_type") != "video/mp4":
            continue
        rate = _string(variant.get("bitrate")) or "0"
        score = int(rate) if rate.isascii() and rate.isdigit() and len(rate) < 12 else 0
        if best is None or score > best[0]:
            best = (score, url)
    return best[1] if best else None


def _media(tweet: dict[str, Any], tweet_id: str, files: MediaFiles | None) -> list[Media]:
    items = _list(_dict(tweet.get("extended_entities")).get("media"))
    items = items or _list(_dict(tweet.get("entities")).get("media"))
    found = []
    for item in items:
        kind = _MEDIA_KINDS.get(str(item.get("type")), "photo")
        picture = _http(_string(item.get("media_url_https")) or _string(item.get("media_url")))
        video = _best_mp4(item) if kind != "photo" else None
        url, preview = (video, picture) if video else (picture, None)
        names = [u for u in (video, picture) if u]
        file = files.find(tweet_id, names) if files is not None else None
        alt = _string(item.get("ext_alt_text"))
        found.append(Media(kind=kind, url=url, alt=alt, preview=preview, file=file))  # type: ignore[arg-type]
    return found


def _text(tweet: dict[str, Any], media: list[dict[str, Any]]) -> str | None:
    raw = _string(tweet.get("full_text")) or _string(tweet.get("text"))
    if raw is None:
        return None
    text = html.unescape(raw)
    for item in _list(_dict(tweet.get("entities")).get("urls")):
        short, long = _string(item.get("url")), _http(_string(item.get("expanded_url")))
        if short and long:
            text = text.replace(short, long)
    for item in media:
        if short := _string(item.get("url")):
            text = text.replace(short, "")
    return text.rstrip() if media else text


def _links(entities: dict[str, Any]) -> list[Link]:
    links = []
    for item in _list(entities.get("urls")):
        short = _http(_string(item.get("url")))
        url = _http(_string(item.get("expanded_url"))) or short
        if url:
            links.append(Link(url=url, display=_string(item.get("display_url")), short_url=short))
    return links


def _quoted(links: list[Link], own_id: str) -> Tweet | None:
    for link in links:
        parts = status_parts(link.url)
        if parts is not None and parts[1] != own_id and checked_id(parts[1]):
            handle, quoted_id = parts
            return known_tweet(quoted_id, make_author(handle) if handle else None)
    return None


def _in_reply_to(tweet: dict[str, Any]) -> Tweet | None:
    parent = checked_id(_string(tweet.get("in_reply_to_status_id_str")))
    parent = parent or checked_id(_string(tweet.get("in_reply_to_status_id")))
    if parent is None:
        return None
    handle = _string(tweet.get("in_reply_to_screen_name"))
    user_id = _string(tweet.get("in_reply_to_user_id_str")) or _string(
        tweet.get("in_reply_to_user_id")
    )
    return known_tweet(parent, make_author(handle, user_id=user_id) if handle or user_id else None)


def _retweet_of(
    tweet: dict[str, Any], text: str | None, media: list[dict[str, Any]], depth: int
) -> Tweet | None:
    original = tweet.get("retweeted_status")
    if isinstance(original, dict) and depth < MAX_QUOTE_DEPTH:  # Grailbird: the whole tweet
        user = _dict(original.get("user"))
        author = make_author(
            _string(user.get("screen_name")),
            name=_string(user.get("name")),
            user_id=_string(user.get("id_str")) or _string(user.get("id")),
        )
        try:
            return tweet_from_entry(original, account=author, depth=depth + 1)
        except BadEntry:  # the retweeted tweet without an id: the retweet is still read
            return None
    match = _RETWEET_RE.match(text or "")
    if match is None:
        return None
    handle = match[1]
    # Media of a retweet name the tweet they come from; the text names only its author.
    source = next(
        (i for m in media if (i := checked_id(_string(m.get("source_status_id_str"))))), None
    )
    return known_tweet(source, make_author(handle))


def _edits(tweet: dict[str, Any]) -> tuple[bool | None, tuple[str, ...]]:
    info = tweet.get("edit_info")
    if not isinstance(info, dict):
        return None, ()
    initial = _dict(info.get("initial"))
    later = _dict(info.get("edit"))
    ids = initial.get("editTweetIds") or _dict(later.get("editControlInitial")).get("editTweetIds")
    found = (
        tuple(i for i in ids if isinstance(i, str) and checked_id(i))
        if isinstance(ids, list)
        else ()
    )
    return (len(found) > 1 or bool(later)), found


def tweet_from_entry(
    entry: object,
    *,
    account: Author | None,
    files: MediaFiles | None = None,
    full_text: Callable[[datetime | None, str], str | None] | None = None,
    deleted: bool | None = None,
    deleted_at: datetime | None = None,
    depth: int = 0,
) -> Tweet:
    """The :class:`Tweet` of one export entry (``{"tweet": {…}}`` or the bare object).

    ``account`` is the author of every tweet in the file; ``files`` finds media in the export;
    ``full_text`` gives a cut tweet's whole text (``Notes.join``: by its time and cut text);
    ``deleted`` and ``deleted_at`` mark a tweet of ``deleted-tweets.js`` (its own
    ``deleted_at`` wins). Raises :class:`BadEntry` for an entry with no tweet id.
    """
    tweet = unwrap(entry)
    tweet_id = checked_id(_string(tweet.get("id_str")) or _string(tweet.get("id")))
    if tweet_id is None:
        raise BadEntry("no tweet id (id_str)")
    entities = _dict(tweet.get("entities"))
    raw_media = _list(_dict(tweet.get("extended_entities")).get("media")) or _list(
        entities.get("media")
    )
    text = _text(tweet, raw_media)
    created = _created(tweet, tweet_id)
    if full_text is not None and text:
        text = full_text(created, text) or text
    links = _links(entities)
    edited, edit_ids = _edits(tweet)
    handle = account.handle if account else None
    return Tweet(
        id=tweet_id,
        url=status_url(handle, tweet_id),
        author=account,
        text=text,
        created_at=created,
        date_text=_string(tweet.get("created_at")),
        lang=_string(tweet.get("lang")),
        links=tuple(links),
        media=tuple(_media(tweet, tweet_id, files)),
        hashtags=tuple(t for h in _list(entities.get("hashtags")) if (t := _string(h.get("text")))),
        mentions=tuple(
            m for u in _list(entities.get("user_mentions")) if (m := _string(u.get("screen_name")))
        ),
        quoted=_quoted(links, tweet_id),
        in_reply_to=_in_reply_to(tweet),
        retweet_of=_retweet_of(tweet, text, raw_media, depth),
        edited=edited,
        edit_ids=edit_ids,
        deleted=deleted,
        deleted_at=export_time(tweet.get("deleted_at")) or deleted_at,
    )


CSV_COLUMNS = (
    "tweet_id", "in_reply_to_status_id", "in_reply_to_user_id", "timestamp", "source", "text",
    "retweeted_status_id", "retweeted_status_user_id", "retweeted_status_timestamp",
    "expanded_urls",
)  # fmt: skip
"""The header of a Grailbird export's ``tweets.csv``."""


def tweet_from_csv_row(row: dict[str, str], *, account: Author | None) -> Tweet:
    """The :class:`Tweet` of one row of a Grailbird ``tweets.csv`` (columns: :data:`CSV_COLUMNS`).

    The row knows less than the JSON: no entities (its ``expanded_urls`` become ``links`` but
    the text keeps its t.co links), no media, no handle of the tweet answered or retweeted.
    """
    tweet_id = checked_id(row.get("tweet_id") or None)
    if tweet_id is None:
        raise BadEntry("no tweet id (tweet_id)")
    parent = checked_id(row.get("in_reply_to_status_id") or None)
    parent_user = row.get("in_reply_to_user_id") or None
    original = checked_id(row.get("retweeted_status_id") or None)
    text = html.unescape(row.get("text") or "") or None
    retweet = _RETWEET_RE.match(text or "")
    handle = account.handle if account else None
    urls = [u for u in dict.fromkeys((row.get("expanded_urls") or "").split(",")) if _http(u)]
    return Tweet(
        id=tweet_id,
        url=status_url(handle, tweet_id),
        author=account,
        text=text,
        created_at=export_time(row.get("timestamp")) or snowflake_time(tweet_id),
        date_text=row.get("timestamp") or None,
        links=tuple(Link(url=url) for url in urls),
        in_reply_to=known_tweet(parent, Author(id=parent_user) if parent_user else None)
        if parent
        else None,
        retweet_of=Tweet(
            id=original,
            url=status_url(retweet[1] if retweet else None, original),
            author=make_author(
                retweet[1] if retweet else None, user_id=row.get("retweeted_status_user_id")
            ),
            created_at=export_time(row.get("retweeted_status_timestamp")),
        )
        if original
        else None,
        deleted=False,
    )
