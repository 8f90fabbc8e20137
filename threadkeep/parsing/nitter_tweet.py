"""One Nitter tweet (``div.timeline-item`` as ``renderTweet`` writes it) → a :class:`Tweet`.

The markup is described in :mod:`threadkeep.parsing.nitter`. Media urls are proxied by the
instance (``/pic/…``, ``/video/…``): they are given back as the Twitter urls they encode
(``https://pbs.twimg.com/media/….jpg``) when they encode one (:func:`proxied_media`); links to
other tweets on the instance become twitter.com links.
"""

from __future__ import annotations

import base64
import binascii
import re
from urllib.parse import unquote, urlsplit

from lxml.etree import _Element as Element

from threadkeep.limits import MAX_QUOTE_DEPTH
from threadkeep.models import Link, Media, Tweet, snowflake_time
from threadkeep.parsing.dates import parse_date
from threadkeep.parsing.html import classes, clean_text, elements_below, has_class, node_text
from threadkeep.parsing.shared import make_author
from threadkeep.urls import HANDLE, absolute_url, any_host_status_parts, host, is_handle, status_url

__all__ = ["item_body", "proxied_media", "read_item"]

_MENTION_RE = re.compile(rf"@{HANDLE}")
_HANDLE_PATH_RE = re.compile(rf"^/@?(?P<handle>{HANDLE})/?$")
_HASHTAG_QUERY_RE = re.compile(r"^/search\?(?:.*&)?q=(?:%23|#)(?P<tag>[^&]+)", re.IGNORECASE)


def item_body(item: Element) -> Element | None:
    """The ``.tweet-body`` of an item ("more replies" and "show more" items have none)."""
    for child in item:
        if has_class(child, "tweet-body"):
            return child
    return None


_NOT_OURS = frozenset({"quote", "timeline-item"})


def _child_classes(element: Element) -> dict[str, Element]:
    """The first element of each class below ``element`` (see :func:`_walk`).

    (Later Nitter versions put the date in a ``.tweet-footer`` after the quote: the quote's
    own date must not be taken for the tweet's.)
    """
    found: dict[str, Element] = {}
    for node in elements_below(element, _NOT_OURS):
        for name in classes(node):
            found.setdefault(name, node)
    return found


def read_item(item: Element, base: str) -> Tweet | None:
    body = item_body(item)
    if body is None:
        if has_class(item, "unavailable"):
            box = next((c for c in item if has_class(c, "unavailable-box")), item)
            reason = clean_text(node_text(box)) or "This tweet is unavailable"
            return Tweet(text=None, unavailable=reason)
        return None
    return _read_tweet(body, base, depth=0)


def _read_tweet(body: Element, base: str, *, depth: int) -> Tweet | None:
    parts = _child_classes(body)
    quote = parts.get("quote")
    header = _first_of(parts, "tweet-header", "tweet-name-row")
    if header is None:
        header = body
    handle, name, avatar = _author(header, base)
    tweet_url, date_text = _date(parts.get("tweet-date"), base)
    if tweet_url is None:
        link = _first_of(parts, "tweet-link", "quote-link")
        tweet_url = _tweet_url(link.get("href") if link is not None else None, base)
    status = _status(tweet_url)
    ident = status[1] if status else None
    handle = handle or (status[0] if status else None)
    content = _first_of(parts, "tweet-content", "quote-text")
    text = _content_text(content) if content is not None else None
    links, hashtags, mentions = _entities(content, base) if content is not None else ((), (), ())
    media = _media(body, parts, base)
    quoted = None
    if quote is not None and depth < MAX_QUOTE_DEPTH:
        quoted = _read_quote(quote, base, depth=depth + 1)
    published = parts.get("tweet-published")
    if published is not None and not date_text:
        date_text = clean_text(node_text(published)) or None
    created = snowflake_time(ident) if ident else None
    if created is None:
        created = parse_date(date_text)
    author = make_author(handle, name, avatar)
    return Tweet(
        id=ident,
        url=status_url(handle, ident) if ident else None,
        author=author if handle or name else None,
        text=text,
        created_at=created,
        date_text=date_text,
        lang=None,
        links=links,
        media=media,
        hashtags=hashtags,
        mentions=mentions,
        quoted=quoted,
    )


def _first_of(parts: dict[str, Element], *names: str) -> Element | None:
    for name in names:
        if (found := parts.get(name)) is not None:
            return found
    return None


def _content_text(content: Element) -> str | None:
    """A tweet's text as Nitter shows it: its line breaks are real (the page keeps them with
    ``white-space: pre-wrap``), and so are ``<br>`` in older versions."""
    parts: list[str] = []
    _gather(content, parts)
    lines = "".join(parts).replace("\r\n", "\n").split("\n")
    text = "\n".join(line.rstrip() for line in lines).strip()
    return text or None


def _gather(element: Element, parts: list[str]) -> None:
    if element.text:
        parts.append(element.text)
    for child in element:
        if child.tag == "br":
            parts.append("\n")
        elif isinstance(child.tag, str) and child.tag not in ("script", "style"):
            _gather(child, parts)
        if child.tail:
            parts.append(child.tail)


def _read_quote(quote: Element, base: str, *, depth: int) -> Tweet | None:
    if has_class(quote, "unavailable"):
        text = clean_text(node_text(quote)) or "This tweet is unavailable"
        return Tweet(text=None, unavailable=text)
    return _read_tweet(quote, base, depth=depth)


def _author(header: Element, base: str) -> tuple[str | None, str | None, str | None]:
    handle = name = avatar = None
    for node in elements_below(header, _NOT_OURS):
        if node.tag not in ("a", "img"):
            continue
        if node.tag == "img":
            if avatar is None and has_class(node, "avatar"):
                avatar = proxied_media(node.get("src"), base)
            continue
        if name is None and has_class(node, "fullname"):
            name = clean_text(node.get("title") or node_text(node)) or None
        elif handle is None and has_class(node, "username"):
            shown = clean_text(node.get("title") or node_text(node)).lstrip("@")
            handle = shown if is_handle(shown) else None
        if name is not None and handle is not None:
            break
    return handle, name, avatar


def _date(holder: Element | None, base: str) -> tuple[str | None, str | None]:
    if holder is None:
        return None, None
    anchor = holder if holder.tag == "a" else next(holder.iter("a"), None)
    if anchor is None:
        return None, clean_text(node_text(holder)) or None
    date_text = clean_text(anchor.get("title") or "") or clean_text(node_text(anchor)) or None
    return _tweet_url(anchor.get("href"), base), date_text


def _tweet_url(href: str | None, base: str) -> str | None:
    return absolute_url(href, base) if href else None


def _status(url: str | None) -> tuple[str | None, str] | None:
    """``(handle, id)`` of a status link on any host (a Nitter instance's, or Twitter's)."""
    return any_host_status_parts(url) if url else None


def _entities(
    content: Element, base: str
) -> tuple[tuple[Link, ...], tuple[str, ...], tuple[str, ...]]:
    links: list[Link] = []
    hashtags: dict[str, None] = {}
    mentions: dict[str, None] = {}
    for anchor in content.iter("a"):
        href = anchor.get("href") or ""
        shown = clean_text(node_text(anchor))
        if shown.startswith(("#", "$")):
            hashtags.setdefault(shown[1:])
            continue
        if shown.startswith("@") and _MENTION_RE.fullmatch(shown):
            mentions.setdefault(shown[1:])
            continue
        target = absolute_url(href, base)
        if target is None:
            continue
        path = urlsplit(target).path
        if tag := _HASHTAG_QUERY_RE.match(path + "?" + urlsplit(target).query):
            hashtags.setdefault(unquote(tag["tag"]))
            continue
        if (handle := _HANDLE_PATH_RE.match(path)) and _same_host(target, base):
            mentions.setdefault(handle["handle"])
            continue
        links.append(Link(url=_untwitter(target, base), display=shown or None))
    return tuple(links), tuple(hashtags), tuple(mentions)


def _same_host(url: str, base: str) -> bool:
    return host(url) in (host(base), "")


def _untwitter(url: str, base: str) -> str:
    """A link to a tweet on the Nitter instance, as the twitter.com link it stands for."""
    if _same_host(url, base) and (status := _status(url)):
        return status_url(status[0], status[1]) or url
    return url


def proxied_media(src: str | None, base: str) -> str | None:
    """The Twitter url a Nitter media path encodes, or the path made absolute.

    >>> proxied_media("/pic/orig/media%2FEXAMPLE.jpg", "https://nitter.net/")
    'https://pbs.twimg.com/media/EXAMPLE.jpg'
    >>> proxied_media("/pic/https%3A%2F%2Fpbs.twimg.com%2Fprofile_images%2F1%2Fa.jpg", "https://n.x/")
    'https://pbs.twimg.com/profile_images/1/a.jpg'
    """
    url = absolute_url(src, base)
    if url is None:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    path = parts.path
    for prefix in ("/pic/orig/enc/", "/pic/enc/", "/video/enc/"):
        if path.startswith(prefix):
            try:
                encoded = path[len(prefix) :].split("/")[-1]
                decoded = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
                return _twimg(decoded.decode("utf-8"), "pbs") or url
            except (binascii.Error, UnicodeDecodeError, ValueError):
                return url
    for prefix, media_host in (("/pic/orig/", "pbs"), ("/pic/", "pbs"), ("/video/", "video")):
        if path.startswith(prefix):
            rest = unquote(path[len(prefix) :])
            if prefix == "/video/" and "/" in rest and not rest.startswith("http"):
                rest = unquote(rest.split("/", 1)[1])  # "/video/<signature>/<url>"
            return _twimg(rest + (f"?{parts.query}" if parts.query else ""), media_host) or url
    return url


_TWIMG_PATH_RE = re.compile(r"^\w[\w.-]*/")


def _twimg(rest: str, host: str) -> str | None:
    """``rest`` of a proxied path as a url: itself when it is one, else a path on Twitter's
    media host (``media/…``, ``card_img/…``, ``profile_images/…`` on pbs.twimg.com; videos
    on video.twimg.com)."""
    if rest.startswith(("http://", "https://")):
        return absolute_url(rest, None)
    if rest.startswith(("pbs.twimg.com/", "video.twimg.com/")):
        return absolute_url("https://" + rest, None)
    if not _TWIMG_PATH_RE.match(rest):
        return None
    if rest.startswith(("tweet_video/", "ext_tw_video/", "amplify_video/")):
        host = "video"
    return absolute_url(f"https://{host}.twimg.com/{rest}", None)


def _media(body: Element, parts: dict[str, Element], base: str) -> tuple[Media, ...]:
    found: list[Media] = []
    for node in elements_below(body, _NOT_OURS):
        if node.tag == "a" and has_class(node, "still-image"):
            image = node.find("img")
            url = proxied_media(node.get("href"), base) or (
                proxied_media(image.get("src"), base) if image is not None else None
            )
            alt = clean_text(image.get("alt") or "") if image is not None else ""
            found.append(Media(kind="photo", url=url, alt=alt or None))
        elif node.tag == "video":
            source = node.find("source")
            src = node.get("src") or node.get("data-url")
            if src is None and source is not None:
                src = source.get("src")
            found.append(
                Media(
                    kind="gif" if has_class(node, "gif") else "video",
                    url=proxied_media(src, base),
                    preview=proxied_media(node.get("poster"), base),
                )
            )
    card = parts.get("card")
    if card is not None:
        target = next(
            (a for a in card.iter("a") if has_class(a, "card-container") or a.get("href")), None
        )
        title = parts.get("card-title")
        image = next(card.iter("img"), None)
        url = absolute_url(target.get("href"), base) if target is not None else None
        if url is not None:
            found.append(
                Media(
                    kind="card",
                    url=url,
                    alt=clean_text(node_text(title)) or None if title is not None else None,
                    preview=proxied_media(image.get("src"), base) if image is not None else None,
                )
            )
    return tuple(found)
