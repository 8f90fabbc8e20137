"""Substack's own tweet embeds (``data-component-name="Twitter2ToDOM"``).

Substack newsletters do not use Twitter's widget: the editor stores the tweet itself, and the
page shows it without any script from Twitter. Two forms are seen in saved posts:

* until about 2024, an empty ``div.twitter-embed`` whose ``data-attrs`` JSON holds the whole
  tweet: ``url``, ``full_text`` (HTML, links as ``a.tweet-url``), ``username``, ``name``,
  ``profile_image_url``, ``date`` (ISO 8601, or Twitter's "Thu Feb 08 12:00:45 +0000 2018"),
  ``photos`` (``img_url``, ``link_url``), ``video_url``, ``quoted_tweet``;
* later, an ``a[href=<status url>]`` with the component name around the rendered tweet: the
  name, the ``@handle``, the text in a ``div`` whose class starts with ``text-``, pictures,
  and the time ("3:17 PM · Sep 30, 2026"); some copies still carry a ``data-attrs`` inside.

Both give the same :class:`Tweet`; what ``data-attrs`` says wins over the rendered markup.

**Without the component name.** Posts from 2019–2022 (and feeds and exports whose sanitizer
kept ``class`` and ``data-attrs`` but dropped ``data-component-name``) mark the tweet only as a
``div`` of class ``tweet`` or ``twitter-embed`` carrying ``data-attrs``: that element is the
tweet too (:data:`SUBSTACK_PATHS` find both forms, for :mod:`threadkeep.parsing.embeds`). Such a
``div`` inside a component element is that element's own data, read once, with it.

**Static cards without ``data-attrs``.** The e-mail version of a post (and the 2021–2023 web
version, in copies that dropped the attribute) renders the card only: a ``div.tweet`` whose
``a.tweet-link-top`` holds ``tweet-header`` (name, ``@handle``), ``div.tweet-text``, and whose
``a.tweet-link-bottom`` holds the footer (``span.tweet-date`` "4:11 PM ∙ Mar 27, 2023", the
counts). That child link is the component's own mark (:data:`SUBSTACK_PATHS` accept such a
``div`` without ``data-attrs``). The e-mail's links go through ``substack.com/redirect``, so the
id is read from the first status url any element of the card names (the counts' ``href`` may
keep one); a card with none is a tweet with no id, its day the one the footer shows.

**Quoted tweets without an id.** ``quoted_tweet`` holds ``full_text``, ``username`` and
``name`` but no ``url``: the quote is kept as a :class:`Tweet` with no id (its author and
text), not dropped.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from lxml import etree
from lxml.etree import _Element as Element

from threadkeep.limits import MAX_QUOTE_DEPTH
from threadkeep.models import Link, Media, Tweet, snowflake_time
from threadkeep.parsing.dates import parse_date
from threadkeep.parsing.html import clean_text, element_text, node_text
from threadkeep.parsing.shared import make_author, text_entities
from threadkeep.urls import HANDLE, absolute_url, is_handle, status_parts, status_url

__all__ = [
    "COMPONENT",
    "SUBSTACK_PATHS",
    "attrs_tweet",
    "is_substack_tweet",
    "substack_tweet",
]

COMPONENT = "Twitter2ToDOM"
_TWEET_DIV = (
    "div[@data-attrs][contains(concat(' ', normalize-space(@class), ' '), ' tweet ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' twitter-embed ')]"
)
_STATIC_DIV = (
    "div[contains(concat(' ', normalize-space(@class), ' '), ' tweet ')]"
    "[a[contains(concat(' ', normalize-space(@class), ' '), ' tweet-link-top ')]]"
)
SUBSTACK_PATHS = (
    f"/descendant::*/@data-component-name[. = '{COMPONENT}']",
    f"/descendant::{_TWEET_DIV}",
    f"/descendant::{_STATIC_DIV}",
)
"""Every element :func:`is_substack_tweet` accepts: three XPaths, each in page order (not one
union: libxml2 merges a union's node-sets in time quadratic in their sizes). The first selects
the components' ``data-component-name`` attributes (a step on the attribute axis costs libxml2
a fraction of a predicate tested on every element): see
:func:`threadkeep.parsing.embed_ids.selected_elements`."""
_IS_TWEET_DIV = etree.XPath(f"self::{_TWEET_DIV} | self::{_STATIC_DIV}")
_IS_STATIC = etree.XPath(f"self::{_STATIC_DIV}")
_HREFS = etree.XPath(".//@href")
_ATTRS = etree.XPath(".//*[@data-attrs]")
_RENDERED_TEXT = etree.XPath(
    ".//div[starts-with(@class, 'text-') or contains(@class, ' text-')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' tweet-text ')]"
)
_HANDLE_RE = re.compile(rf"^@({HANDLE})$")
_RENDERED_TIME_RE = re.compile(
    r"^(\d{1,2}):(\d\d)\s*([AP])M\s*[·∙•]\s*(\w{3,9}\.? \d{1,2}, \d{4})$"
)
_FRAGMENT_PARSER = etree.HTMLParser(no_network=True, recover=True)


def is_substack_tweet(element: Element) -> bool:
    """True for the element Substack's tweet component renders (with or without its name)."""
    if element.get("data-component-name") == COMPONENT:
        return True
    return element.tag == "div" and bool(_IS_TWEET_DIV(element))  # both of its forms are divs


def _in_component(element: Element) -> bool:
    return any(up.get("data-component-name") == COMPONENT for up in element.iterancestors())


def substack_tweet(element: Element, base: str | None) -> Tweet | None:
    """The tweet a Substack component holds, or None when it names no tweet (or is the data of
    a component element around it, which reads it)."""
    if element.get("data-component-name") != COMPONENT and _in_component(element):
        return None
    attrs = _attrs(element)
    return _tweet(attrs, element, base, depth=0)


def attrs_tweet(attrs: dict[str, Any]) -> Tweet | None:
    """The tweet a component's ``data-attrs`` JSON holds, read without its element (a copy
    that kept the JSON and lost the HTML, such as a Pandoc export), or None without a url."""
    return _tweet(attrs, None, None, depth=0)


def _attrs(element: Element) -> dict[str, Any]:
    holders = [element] if element.get("data-attrs") else _ATTRS(element)[:1]
    for holder in holders:
        try:
            value = json.loads(holder.get("data-attrs") or "")
        except (ValueError, RecursionError):
            continue
        if isinstance(value, dict):
            return value
    return {}


def _text_field(attrs: dict[str, Any], key: str) -> str | None:
    value = attrs.get(key)
    return value.strip() or None if isinstance(value, str) else None


def _tweet(
    attrs: dict[str, Any], element: Element | None, base: str | None, *, depth: int
) -> Tweet | None:
    url = _text_field(attrs, "url") or (element.get("href") if element is not None else None)
    parts = status_parts(absolute_url(url, base))
    static = element is not None and not attrs and bool(_IS_STATIC(element))
    if parts is None and static and element is not None:
        parts = _linked_status(element, base)  # the e-mail's links are redirects
    named = attrs.get("full_text") or attrs.get("username")
    if parts is None and not static and (depth == 0 or not named):
        return None  # a quoted tweet may have no url, but says who and what
    linked_handle, tweet_id = parts if parts is not None else (None, None)
    handle = _text_field(attrs, "username")
    if not is_handle(handle):
        handle = None
    name = _text_field(attrs, "name")
    rendered = _rendered(element) if element is not None else {}
    handle = handle or rendered.get("handle") or linked_handle
    name = name or rendered.get("name")
    text, links = _full_text(attrs.get("full_text"), base)
    if text is None:
        text = rendered.get("text")
    date_text = _text_field(attrs, "date") or rendered.get("date")
    if static and not handle:
        return None
    tags, mentions = text_entities(text)
    quoted = None
    quote = attrs.get("quoted_tweet")
    if isinstance(quote, dict) and quote and depth < MAX_QUOTE_DEPTH:
        quoted = _tweet(quote, None, base, depth=depth + 1)
    avatar = absolute_url(_text_field(attrs, "profile_image_url"), None)
    return Tweet(
        id=tweet_id,
        url=status_url(handle, tweet_id),
        author=make_author(handle, name, avatar) if handle or name else None,
        text=text,
        created_at=snowflake_time(tweet_id) or (_shown_time(date_text) if static else None),
        date_text=date_text,
        links=tuple(links),
        media=_media(attrs, element),
        hashtags=tuple(tags),
        mentions=tuple(mentions),
        quoted=quoted,
    )


def _linked_status(element: Element, base: str | None) -> tuple[str | None, str] | None:
    """The first status url an element of a static card names (an ``href`` of any element)."""
    for href in _HREFS(element):
        parts = status_parts(absolute_url(str(href), base))
        if parts is not None and parts[1]:
            return parts
    return None


def _shown_time(date_text: str | None) -> datetime | None:
    """The time a rendered footer shows ("4:11 PM ∙ Mar 27, 2023"), taken as UTC."""
    match = _RENDERED_TIME_RE.match(date_text or "")
    day = parse_date(match[4]) if match else None
    if match is None or day is None:
        return None
    hour = int(match[1]) % 12 + (12 if match[3] == "P" else 0)
    return day.replace(hour=hour, minute=int(match[2]))


def _full_text(value: Any, base: str | None) -> tuple[str | None, list[Link]]:
    """``full_text`` is HTML whose newlines are line breaks: its text, and its links
    (``a.tweet-url``) as :class:`Link`."""
    if not isinstance(value, str) or not value.strip():
        return None, []
    # Its line breaks are plain newlines (Twitter's text), which HTML would fold into spaces.
    value = value.replace("\r\n", "\n").replace("\n", "<br>")
    try:
        root = etree.fromstring(f"<div>{value}</div>", _FRAGMENT_PARSER)
    except (etree.XMLSyntaxError, ValueError):
        return clean_text(value) or None, []
    if root is None:
        return None, []
    holder = root.find(".//div")
    if holder is None:
        return None, []
    links = []
    for anchor in holder.iter("a"):
        target = absolute_url(anchor.get("href"), base)
        shown = clean_text(node_text(anchor))
        if target and not shown.startswith(("#", "@")):
            links.append(Link(url=target, display=shown or None))
    return element_text(holder) or None, links


def _rendered(element: Element) -> dict[str, str]:
    """What the rendered form shows: name, handle, text and time."""
    found: dict[str, str] = {}
    for span in element.iter("span"):
        shown = clean_text(node_text(span))
        if not shown:
            continue
        if "handle" not in found and (match := _HANDLE_RE.match(shown)):
            found["handle"] = match.group(1)
        elif "date" not in found and _RENDERED_TIME_RE.match(shown):
            found["date"] = shown
        elif "name" not in found and "handle" not in found and not span.findall(".//span"):
            found["name"] = shown
    texts = _RENDERED_TEXT(element)
    if texts:
        text = element_text(texts[0])
        if text:
            found["text"] = text
    return found


def _media(attrs: dict[str, Any], element: Element | None) -> tuple[Media, ...]:
    media: list[Media] = []
    photos = attrs.get("photos")
    for photo in photos if isinstance(photos, list) else ():
        url = absolute_url(photo.get("img_url"), None) if isinstance(photo, dict) else None
        if url:
            media.append(Media(kind="photo", url=url))
    video = absolute_url(_text_field(attrs, "video_url"), None)
    if video:
        media.append(Media(kind="video", url=video))
    if not media and element is not None:
        for img in element.iter("img"):
            src = absolute_url(img.get("src"), None)
            photo = "tweet-photo" in (img.get("class") or "").split()  # the e-mail's grid
            if src and (photo or "/media/" in src) and "profile_images" not in src:
                media.append(Media(kind="photo", url=src, alt=img.get("alt") or None))
    return tuple(media)
