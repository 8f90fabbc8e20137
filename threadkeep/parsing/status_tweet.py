"""One tweet of a twitter.com status page → a :class:`Tweet`.

The markup is described in :mod:`threadkeep.parsing.status_page`. Two templates write tweets:

* the desktop site (2013-2020): ``div.tweet[data-tweet-id]`` with the author in its
  ``data-screen-name``, ``data-name`` and ``data-user-id``, the time in
  ``span._timestamp[data-time-ms]`` (or ``data-time``, in seconds), the text in
  ``p.tweet-text``, photos in ``.AdaptiveMedia-photoContainer[data-image-url]``, videos and
  gifs as ``.PlayableMedia-player`` with their poster in a ``background-image`` style, a quoted
  tweet in ``.QuoteTweet-innerContainer[data-item-id]``;
* the legacy mobile site (mobile.twitter.com): a ``table`` (``.main-tweet`` or ``.tweet``)
  holding ``div.tweet-text[data-id]``, the author in ``.fullname`` and ``.username``, the time
  shown without a time zone (``.metadata``, ``.timestamp``): the id's own time is used.

Links are given as the page's ``data-expanded-url`` (t.co is how Twitter wrapped them, not
what the author wrote); a link Twitter hid (``u-hidden``: a photo's pic.twitter.com link, a
quoted tweet's url) is not part of the text. Emoji drawn as images are their ``alt`` text.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from lxml.etree import _Element as Element

from threadkeep.limits import MAX_QUOTE_DEPTH
from threadkeep.models import Link, Media, Tweet, snowflake_time
from threadkeep.parsing.html import (
    INVISIBLE,
    classes,
    clean_text,
    elements_below,
    has_class,
    node_text,
)
from threadkeep.parsing.shared import make_author, text_entities
from threadkeep.urls import absolute_url, checked_id, is_handle, status_parts, status_url

__all__ = ["page_url_of", "read_desktop_tweet", "read_mobile_tweet"]


def page_url_of(href: str | None, base: str) -> str | None:
    """``href`` as an absolute original url: a web-archive copy's links are written
    ``/web/<stamp>/<original>``, relative to the archive, not to the page's own url."""
    if href and href.lstrip().startswith("/web/"):
        return absolute_url("https://web.archive.org" + href.strip(), None)
    return absolute_url(href, base)


_BACKGROUND_RE = re.compile(r"background-image:\s*url\(\s*['\"]?([^'\")]+)")


_QUOTE = frozenset({"QuoteTweet", "tweet"})  # a quote, or a tweet nested in this one


def read_desktop_tweet(element: Element, base: str, *, depth: int = 0) -> Tweet:
    """A desktop ``div.tweet[data-tweet-id]`` (or a quote's inner container) as a Tweet."""
    ident = checked_id(element.get("data-tweet-id") or element.get("data-item-id"))
    handle = element.get("data-screen-name")
    handle = handle if is_handle(handle) else None
    name = clean_text(element.get("data-name") or "") or None
    user_id = checked_id(element.get("data-user-id"))
    avatar = text_node = stamp = quote = None
    for node in elements_below(element, _QUOTE):
        names = classes(node)
        if avatar is None and node.tag == "img" and "avatar" in names:
            avatar = page_url_of(node.get("src"), base)
        elif text_node is None and ("tweet-text" in names or "QuoteTweet-text" in names):
            text_node = node
        elif stamp is None and "_timestamp" in names:
            stamp = node
        elif quote is None and "QuoteTweet" in names:
            quote = node
        elif name is None and ("fullname" in names or "QuoteTweet-fullname" in names):
            name = clean_text(node_text(node)) or None
    created, date_text = _desktop_time(stamp, ident)
    text, links = _text(text_node, base) if text_node is not None else (None, ())
    hashtags, mentions = text_entities(text)
    quoted = None
    if quote is not None and depth < MAX_QUOTE_DEPTH:
        inner = next(
            (n for n in quote.iter() if isinstance(n.tag, str) and n.get("data-item-id")), None
        )
        if inner is not None:
            quoted = read_desktop_tweet(inner, base, depth=depth + 1)
    author = make_author(handle, name, avatar, user_id=user_id)
    return Tweet(
        id=ident,
        url=status_url(handle, ident),
        author=author if handle or name else None,
        text=text,
        created_at=created,
        date_text=date_text,
        lang=text_node.get("lang") or None if text_node is not None else None,
        links=links,
        media=_desktop_media(element, base),
        hashtags=tuple(hashtags),
        mentions=tuple(mentions),
        quoted=quoted,
    )


def _desktop_time(stamp: Element | None, ident: str | None) -> tuple[datetime | None, str | None]:
    """The tweet's time from its ``_timestamp`` (milliseconds, else seconds), else its id's."""
    created = None
    date_text = None
    if stamp is not None:
        anchor = stamp.getparent()
        if anchor is not None:
            date_text = clean_text(anchor.get("title") or "") or None
        for attribute, scale in (("data-time-ms", 1000), ("data-time", 1)):
            value = stamp.get(attribute) or ""
            if value.isdigit() and len(value) <= 16:
                try:
                    created = datetime.fromtimestamp(int(value) / scale, tz=UTC)
                except (OverflowError, OSError, ValueError):
                    continue
                break
        date_text = date_text or clean_text(node_text(stamp)) or None
    return created or snowflake_time(ident), date_text


def _desktop_media(element: Element, base: str) -> tuple[Media, ...]:
    found: list[Media] = []
    for node in elements_below(element, _QUOTE):
        names = classes(node)
        if "AdaptiveMedia-photoContainer" in names:
            image = node.find(".//img")
            url = node.get("data-image-url") or (image.get("src") if image is not None else None)
            alt = clean_text(image.get("alt") or "") if image is not None else ""
            found.append(Media(kind="photo", url=page_url_of(url, base), alt=alt or None))
        elif "PlayableMedia-player" in names:
            poster = _BACKGROUND_RE.search(node.get("style") or "")
            gif = any("PlayableMedia--gif" in classes(a) for a in node.iterancestors())
            found.append(
                Media(
                    kind="gif" if gif else "video",
                    preview=page_url_of(poster.group(1), base) if poster else None,
                )
            )
    return tuple(found)


def read_mobile_tweet(text_node: Element, box: Element, base: str) -> Tweet:
    """A mobile site tweet: its ``div.tweet-text[data-id]`` and the table that holds it."""
    ident = checked_id(text_node.get("data-id"))
    name = handle = avatar = date_text = None
    for node in elements_below(box):
        names = classes(node)
        if node is text_node:
            continue
        if name is None and "fullname" in names:
            name = clean_text(node_text(node)) or None
        elif handle is None and "username" in names:
            shown = clean_text(node_text(node)).lstrip("@").strip()
            handle = shown if is_handle(shown) else None
        elif avatar is None and node.tag == "img" and _in_avatar(node):
            avatar = page_url_of(node.get("src"), base)
        elif date_text is None and ("metadata" in names or "timestamp" in names):
            date_text = clean_text(node_text(node)) or None
    text, links = _text(text_node, base)
    hashtags, mentions = text_entities(text)
    author = make_author(handle, name, avatar)
    return Tweet(
        id=ident,
        url=status_url(handle, ident),
        author=author if handle or name else None,
        text=text,
        created_at=snowflake_time(ident),  # the page shows the time in no stated zone
        date_text=date_text,
        links=links,
        hashtags=tuple(hashtags),
        mentions=tuple(mentions),
    )


def _in_avatar(image: Element) -> bool:
    return any(has_class(a, "avatar") for a in image.iterancestors("td", "a", "div"))


def _text(node: Element, base: str) -> tuple[str | None, tuple[Link, ...]]:
    """A tweet's text as the page shows it, its links expanded, and those links.

    The desktop page keeps the author's line breaks (``white-space: pre-wrap``); the mobile
    page's template indentation is whitespace around the text, stripped line by line.
    """
    parts: list[str] = []
    links: list[Link] = []
    _gather(node, parts, links, base)
    lines = "".join(parts).replace("\r\n", "\n").split("\n")
    text = "\n".join(re.sub(r"[ \t]+", " ", line).strip() for line in lines)
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    return text or None, tuple(links)


def _display(anchor: Element) -> str:
    """A link as the page shows it: the desktop page writes the whole url with its hidden
    parts (``span.invisible``) and shows ``span.js-display-url`` and an ellipsis."""
    shown = next((s for s in anchor.iter("span") if has_class(s, "js-display-url")), None)
    if shown is None:
        return clean_text(node_text(anchor))
    cut = any("…" in node_text(s) for s in anchor.iter("span") if has_class(s, "tco-ellipsis"))
    return clean_text(node_text(shown)) + ("…" if cut else "")


def _gather(element: Element, parts: list[str], links: list[Link], base: str) -> None:
    if element.text:
        parts.append(element.text)
    for child in element:
        tag = child.tag
        if tag == "br":
            parts.append("\n")
        elif tag == "img":
            parts.append(child.get("alt") or "")  # an emoji drawn as an image
        elif tag == "a" and child.get("data-expanded-url"):
            hidden = has_class(child, "u-hidden")
            target = page_url_of(child.get("data-expanded-url"), base)
            shown = _display(child)
            # A hidden link is not text: a card shows it (kept as a link), or it is a quoted
            # tweet's url (the quote is kept).
            if target is not None and not (hidden and status_parts(target)):
                short = page_url_of(child.get("href"), base)
                if short is not None and not short.startswith(("https://t.co/", "http://t.co/")):
                    short = None
                links.append(Link(url=target, display=shown or None, short_url=short))
            if not hidden:
                parts.append(target or shown)
        elif tag == "a" and has_class(child, "u-hidden"):
            pass  # not shown: a photo's pic.twitter.com link
        elif isinstance(tag, str) and tag not in INVISIBLE:
            _gather(child, parts, links, base)
        if child.tail:
            parts.append(child.tail)
