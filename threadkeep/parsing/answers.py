"""JSON answers about single tweets: oEmbed (publish.twitter.com) and syndication (tweet-result).

* oEmbed: ``{"url", "author_name", "author_url", "html", …}``; ``html`` is the embed
  blockquote, read by :func:`threadkeep.parsing.embed_blockquote.tweet_from_blockquote`.
* Syndication ``tweet-result`` (cdn.syndication.twimg.com, the react-tweet data): ``__typename``
  "Tweet" with ``id_str``, ``text``, ``user``, ``entities``, ``mediaDetails``, ``photos``,
  ``video``, ``quoted_tweet``, ``parent``, ``edit_control``, ``isEdited``, optionally wrapped
  in ``{"data": …}``. "TweetTombstone" answers give a tweet marked ``unavailable`` with the
  reason the service gave, not an error.

Ids are read as strings (``id_str``); a numeric ``id`` is only used when it is already a
string, because JSON numbers past 2**53 have lost digits by the time anyone reads them. A
field of the wrong type (``"id_str": 5``, ``"user": []``) is read as absent, and an id that is
not 1 to 20 ASCII digits is no id.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from typing import Any

from threadkeep.errors import MalformedPage, UnsupportedPage
from threadkeep.limits import MAX_QUOTE_DEPTH
from threadkeep.models import Author, Link, Media, Tweet, snowflake_time
from threadkeep.parsing.embed_blockquote import tweet_from_blockquote
from threadkeep.parsing.html import load
from threadkeep.parsing.shared import make_author
from threadkeep.urls import checked_id, profile_url, query_id, status_parts, status_url

__all__ = ["is_oembed", "is_syndication", "parse_oembed", "parse_syndication", "requested_id"]

_MEDIA_KINDS = {"photo": "photo", "video": "video", "animated_gif": "gif"}


def is_oembed(document: object) -> bool:
    """True for a publish.twitter.com oEmbed answer."""
    return (
        isinstance(document, dict)
        and isinstance(document.get("html"), str)
        and (
            "author_name" in document or "twitter" in str(document.get("provider_name", "")).lower()
        )
    )


def _unwrap(document: object) -> dict[str, Any] | None:
    if isinstance(document, dict) and isinstance(document.get("data"), dict):
        document = document["data"]
    return document if isinstance(document, dict) else None


def is_syndication(document: object) -> bool:
    """True for a syndication ``tweet-result`` answer (a tweet or a tombstone)."""
    inner = _unwrap(document)
    return inner is not None and (
        inner.get("__typename") in ("Tweet", "TweetTombstone", "TweetWithVisibilityResults")
        or ("id_str" in inner and "text" in inner)
    )


def parse_oembed(document: dict[str, Any]) -> Tweet:
    """A :class:`Tweet` from an oEmbed answer."""
    markup = document["html"]
    if "<blockquote" not in markup:
        raise UnsupportedPage("oEmbed answer whose html holds no tweet blockquote")
    url = document.get("url") if isinstance(document.get("url"), str) else None
    root = load(markup.encode("utf-8")).root
    blockquotes = root.findall(".//blockquote")
    tweet = tweet_from_blockquote(blockquotes[0], base=url) if blockquotes else None
    parts = status_parts(url)
    if tweet is None:
        tweet = Tweet()
    handle = (tweet.author.handle if tweet.author else None) or (parts[0] if parts else None)
    tweet_id = tweet.id or (parts[1] if parts else None)
    name = document.get("author_name") if isinstance(document.get("author_name"), str) else None
    author_url = document.get("author_url") if isinstance(document.get("author_url"), str) else None
    author = Author(
        handle=handle,
        name=name or (tweet.author.name if tweet.author else None),
        url=author_url or profile_url(handle),
    )
    return tweet.model_copy(
        update={
            "id": tweet_id,
            "url": status_url(handle, tweet_id),
            "author": author,
            "created_at": tweet.created_at or snowflake_time(tweet_id),
        }
    )


def _string(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _bitrate(variant: dict[str, Any]) -> int:
    value = variant.get("bitrate")
    return value if isinstance(value, int) else 0


def _list(value: object) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _time(value: object) -> datetime | None:
    """An ISO 8601 or v1.1 API time, in UTC; None when it is not one or has no zone."""
    text = _string(value)
    if text is None or len(text) > 64:
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:  # the v1.1 API's "Wed Oct 10 20:19:24 +0000 2018"
            parsed = datetime.strptime(text, "%a %b %d %H:%M:%S %z %Y")
        except ValueError:
            return None
    if parsed.tzinfo is None:
        return None  # a time with no zone is no instant
    try:  # in UTC: an offset with seconds ("+05:00:30") would not survive JSON
        return parsed.astimezone(UTC)
    except OverflowError:  # "0001-01-01T00:00:00+05:00" is before year 1 in UTC
        return None


def _media(tweet: dict[str, Any]) -> list[Media]:
    found: list[Media] = []
    for item in _list(tweet.get("mediaDetails")):
        kind = _MEDIA_KINDS.get(str(item.get("type")), "photo")
        url = _string(item.get("media_url_https"))
        preview = None
        variants = _list(_dict(item.get("video_info")).get("variants"))
        mp4 = [
            v for v in variants if v.get("content_type") == "video/mp4" and _string(v.get("url"))
        ]
        if kind != "photo" and mp4:
            best = max(mp4, key=_bitrate)
            url, preview = _string(best.get("url")), url
        alt = _string(item.get("ext_alt_text"))
        found.append(Media(kind=kind, url=url, alt=alt, preview=preview))  # type: ignore[arg-type]
    if not found:
        for photo in _list(tweet.get("photos")):
            found.append(Media(kind="photo", url=_string(photo.get("url"))))
        video = tweet.get("video")
        if isinstance(video, dict):
            listed = [_string(v.get("src")) for v in _list(video.get("variants"))]
            sources = [s for s in listed if s and ".mp4" in s] or [s for s in listed if s]
            found.append(
                Media(kind="video", url=_largest(sources), preview=_string(video.get("poster")))
            )
    return found


_SIZE_IN_URL_RE = re.compile(r"/(\d{1,5})x(\d{1,5})/")


def _largest(sources: list[str]) -> str | None:
    """The variant of an older answer's ``video`` (no bitrates) with the most pixels its url
    names (``…/vid/1280x720/….mp4``); the last listed where none names a size (the order
    these answers list them in, smallest first)."""
    if not sources:
        return None

    def pixels(place: int) -> tuple[int, int]:
        size = _SIZE_IN_URL_RE.search(sources[place])
        return (int(size[1]) * int(size[2]) if size else 0, place)

    return sources[max(range(len(sources)), key=pixels)]


def _card(tweet: dict[str, Any]) -> Media | None:
    card = tweet.get("card")
    if not isinstance(card, dict):
        return None
    values = _dict(card.get("binding_values"))

    def value(key: str) -> str | None:
        entry = values.get(key)
        return _string(entry.get("string_value")) if isinstance(entry, dict) else None

    url = value("card_url") or _string(card.get("url"))
    if url is None:
        return None
    return Media(kind="card", url=url, alt=value("title"), preview=None)


def _edit_ids(tweet: dict[str, Any]) -> tuple[str, ...]:
    control = tweet.get("edit_control")
    if not isinstance(control, dict):
        return ()
    initial = control.get("edit_control_initial")
    ids = control.get("edit_tweet_ids")
    if ids is None and isinstance(initial, dict):
        ids = initial.get("edit_tweet_ids")
    return (
        tuple(i for i in ids if isinstance(i, str) and checked_id(i))
        if isinstance(ids, list)
        else ()
    )


def _syndicated(tweet: dict[str, Any], depth: int = 0) -> Tweet:
    if tweet.get("__typename") == "TweetTombstone":
        text = _dict(tweet.get("tombstone")).get("text")
        reason = _dict(text).get("text") if isinstance(text, dict) else text
        return Tweet(unavailable=_string(reason) or "unavailable (tombstone)")
    if tweet.get("__typename") == "TweetWithVisibilityResults" and isinstance(
        tweet.get("tweet"), dict
    ):
        tweet = tweet["tweet"]
    tweet_id = checked_id(_string(tweet.get("id_str")) or _string(tweet.get("id")))
    user = _dict(tweet.get("user"))
    handle = _string(user.get("screen_name"))
    entities = _dict(tweet.get("entities"))
    text = _string(tweet.get("full_text")) or _string(tweet.get("text"))
    links = [
        Link(
            url=_string(u.get("expanded_url")) or str(u.get("url")),
            display=_string(u.get("display_url")),
            short_url=_string(u.get("url")),
        )
        for u in _list(entities.get("urls"))
        if _string(u.get("url")) or _string(u.get("expanded_url"))
    ]
    media = _media(tweet)
    if card := _card(tweet):
        media.append(card)
    quoted = in_reply_to = None
    if depth < MAX_QUOTE_DEPTH:
        if isinstance(tweet.get("quoted_tweet"), dict):
            quoted = _syndicated(tweet["quoted_tweet"], depth + 1)
        if isinstance(tweet.get("parent"), dict):
            in_reply_to = _syndicated(tweet["parent"], depth + 1)
    edited = tweet.get("isEdited")
    return Tweet(
        id=tweet_id,
        url=status_url(handle, tweet_id),
        author=make_author(
            handle, _string(user.get("name")), _string(user.get("profile_image_url_https"))
        )
        if user
        else None,
        text=html.unescape(text) if text else None,
        created_at=_time(tweet.get("created_at")) or snowflake_time(tweet_id),
        date_text=_string(tweet.get("created_at")),
        lang=_string(tweet.get("lang")),
        links=tuple(links),
        media=tuple(media),
        hashtags=tuple(t for h in _list(entities.get("hashtags")) if (t := _string(h.get("text")))),
        mentions=tuple(
            m for u in _list(entities.get("user_mentions")) if (m := _string(u.get("screen_name")))
        ),
        edited=edited if isinstance(edited, bool) else None,
        edit_ids=_edit_ids(tweet),
        quoted=quoted,
        in_reply_to=in_reply_to,
    )


def parse_syndication(document: object, *, url: str | None = None) -> Tweet:
    """A :class:`Tweet` from a syndication ``tweet-result`` answer (tombstones included).

    A tombstone does not repeat the id it answers for; the request ``url``
    (``…/tweet-result?id=<id>``, or the tweet's own url) supplies it.
    """
    inner = _unwrap(document)
    if inner is None:
        raise MalformedPage("syndication answer is not a JSON object")
    tweet = _syndicated(inner)
    if tweet.id is None and (asked := requested_id(url)):
        update = {"id": asked, "url": status_url(None, asked), "created_at": snowflake_time(asked)}
        tweet = tweet.model_copy(update=update)
    return tweet


def requested_id(url: str | None) -> str | None:
    """The tweet id a request url asks about: ``?id=<id>`` or a status url."""
    if not url:
        return None
    if asked := query_id(url):
        return asked
    parts = status_parts(url)
    return parts[1] if parts else None
