"""Embeds that carry only a tweet's id: placeholders a script fills, and widget calls.

Many pages keep no blockquote at all, only the id of the tweet the widget will draw. Two
families of markup say so, and each is read as a tweet with its id, its url and the time its
id gives (no text, no author: the copy does not hold them):

* **Placeholders**: an element naming the tweet in a data attribute. ``data-tweet-id`` and
  ``data-tweetid`` name a tweet on any element (CMS placeholders ``div.tweet-embed``,
  ``span.tweet-placeholder``, a renderer's bare ``div``, AMP's attribute). The generic names
  ``data-embed-id`` and ``data-id`` name one only on an element marked as a Twitter embed (a
  class token holding "twitter" or "tweet", or ``data-embed-type``/``data-provider``/``data-type``
  naming Twitter), and only when the value has the size of a snowflake id (15 to 20 digits, as
  every tweet since late 2010 has): a CMS counter or another service's widget number there is
  not a tweet (SociableKIT's ``data-embed-id="25680745"``).
* **Components and frames naming the status url**: a site generator's tweet component
  (an element whose name holds "tweet": MDX's ``<Tweet id="…">``, ``<TwitterTweetEmbed
  tweetId="…">``; an ``<Oembed url="…/status/…">``) by its url or id attribute; an element
  marked as a Twitter embed, or a frame inside one, whose ``url``/``data-url``/``data-content``
  (percent-encoded or not) is a status url (Zenn's ``span.zenn-embedded-tweet > iframe``);
  SvelteKit's and MDX's ``<Tweet tweetLink="user/status/ID">``; an embed card linking the
  status (Embedly's ``a.embedly-card``). A status url gives the author too.
* **Widget calls**: an inline ``<script>`` calling ``twttr.widgets.createTweet('ID', …)`` with
  the id written out (Hatena Blog's ``[twitter:ID]`` notation, hand-made embeds). A call in a
  ``//`` comment is not one.

Not embeds, whatever id they carry: controls (``button``, ``input``, a link or element whose
classes say share, follow, retweet, like, reply, action, button), feeds and timelines (their
classes say so), an element inside another placeholder (the outer one's quoted tweet), and ids
anywhere else (a status link in prose, a site's front-matter field, a CSS rule).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

from lxml import etree
from lxml.etree import _Element as Element

from threadkeep.parsing.html import Ancestors, classes
from threadkeep.parsing.shortcodes import MARKERS
from threadkeep.urls import checked_id, status_parts

__all__ = [
    "ALL_HINTS",
    "holder_id",
    "holder_status",
    "id_holders",
    "in_page_order",
    "page_hints",
    "selected_elements",
    "widget_call_ids",
    "widget_scripts",
]

_NAMED = ("data-tweet-id", "data-tweetid")
_GENERIC = ("data-embed-id", "data-id")
_TYPE_ATTRIBUTES = ("data-embed-type", "data-provider", "data-type", "data-embed-provider")
_TWITTER_TYPES = frozenset({"twitter", "tweet", "x"})
# The attributes themselves, one XPath each (a union's merge is quadratic in libxml2): a step
# on the attribute axis costs a fraction of a predicate tested on every element.
_HOLDER_NAMES = (*_NAMED, *_GENERIC)
_HOLDERS = tuple((name, etree.XPath(f"/descendant::*/@{name}")) for name in _HOLDER_NAMES)
# The rarer families, each looked for only when the page's bytes hold its marker
# (page_hints): every predicate added to the walk above cost every page its time.
_URL_HOLDERS = etree.XPath(
    "/descendant::*[@data-content or @data-url or @url or @tweetlink][contains(@class, 'tweet')"
    " or contains(@class, 'twitter') or contains(../@class, 'tweet')"
    " or contains(../@class, 'twitter') or contains(local-name(), 'tweet')"
    " or self::oembed]"
)
_COMPONENTS = etree.XPath("/descendant::*[contains(local-name(), 'tweet') or self::oembed]")
_EMBED_CARDS = etree.XPath("/descendant::a[contains(@class, 'embed')][contains(@href, '/status')]")
_URL_MARKS = (b"data-content", b"data-url", b" url=", b"tweetlink")
# Components and notations are what a blog's source holds before its generator renders them:
# looked for only in a copy with no <html>, <head> or doctype (a source, not a rendered page).
_SOURCE_HINTS: dict[str, tuple[bytes, ...]] = {
    "components": (b"<tweet", b"<Tweet", b"<oembed", b"<Oembed", b"<TwitterTweetEmbed"),
    "notations": tuple(marker.encode() for marker in MARKERS),
}
# The source families' markers (the strings of ``_SOURCE_HINTS``; "{{%" holds "{%"), found
# with literal searches in C: a regular expression's scan tests every byte (the six that were
# here cost a 31 KB page 1.2 M instructions). Markers that open with a byte rare in pages
# ("{", "[") are tried where that byte is (:func:`_holds_around`); the others are looked for
# after a shorter string they all hold, which fails on most pages. The components' markers
# all open with "<", which every page is full of: they are tried where the string they hold
# after it ("weet", "embed") is, a few places on most pages (one search each instead of one
# for each marker).
_RARE_OPENERS = (
    (b"{", (b"{{<", b"{%")),
    (b"[", (b"[tweet", b"[twitter", b"[blackbirdpie", b"[embed]")),
)
_COMPONENT_CORES = (
    (b"weet", (b"<tweet", b"<Tweet", b"<TwitterTweetEmbed")),
    (b"embed", (b"<oembed", b"<Oembed")),
)
_GATED_NOTATIONS = (
    (b"%[http", (b"%[http",)),
    (b"::tw", (b"::tweet", b"::twitter")),
    (b"::: tw", (b"::: tweet", b"::: twitter")),
    (b"include_tweet(", (b"include_tweet(",)),
)
_URL_NAMED = tuple(
    (name, etree.XPath(f"boolean(/descendant::*/@{name})"))
    for name in ("data-content", "data-url", "url", "tweetlink")
)
# Past this size a walk of the tree for an attribute costs more per element (the tree
# outgrows the processor's caches: 1.2 µs per embed at 1,000 embeds, 13 at 20,000), and each
# walk is first gated on a search of the bytes, which stays linear; below, the eight
# searches and the lowered copy they need cost about what the walks do.
_GATE_BYTES = 256 * 1024
_TEXT = etree.XPath("string()")
_NOTATION_MARKERS = tuple(dict.fromkeys(MARKERS))
_NOTATION_GATES = ("{", "[", "::", "include_tweet(")  # each marker holds one of them
_OPENER_TRIES = 64  # where a rare byte is no longer rare, a search for each marker instead
_RENDERED = (b"<html", b"<head", b"<!doctype")
ALL_HINTS = frozenset({"urls", "cards", *_SOURCE_HINTS, *_HOLDER_NAMES})
"""Every family :func:`page_hints` can name, and every placeholder attribute
(``data-tweet-id``…): the hints of a page whose bytes are unknown."""


def page_hints(
    raw: bytes, root: Element | None = None, markup: bytes | None = None
) -> frozenset[str]:
    """The rarer embed families whose markers a page holds: a few looks, in C, instead of a
    walk of the tree for each family. Embed cards (a cheap walk) are always looked for.

    With the page's ``root``, two families are looked for where their walks would find them:
    the urls family's attributes on the tree's elements (one step on the attribute axis per
    name: a fraction of a search of the bytes), the notations in its text (a few KB where
    the bytes are tens: markup is most of a page). Either is hinted exactly when its walk
    can find something (a notation is read from text nodes only), and a notation written
    with character references ("&#91;tweet") is found too. Without it, in the bytes.

    The placeholders' attributes (``data-tweet-id``…) are named too, each unless ``markup``
    (the bytes libxml2 read into ``root``) is large and lacks it (:func:`_attributes_in`):
    :func:`id_holders` walks the tree for the named ones only."""
    present = _attributes_in(markup) if root is not None and markup is not None else None
    names = {"cards", *(n for n in _HOLDER_NAMES if present is None or n in present)}
    if root is not None:
        if any(path(root) for name, path in _URL_NAMED if present is None or name in present):
            names.add("urls")
    elif any(mark in raw for mark in _URL_MARKS):
        names.add("urls")
    start = raw[:4096].lower()
    if any(mark in start for mark in _RENDERED):
        return frozenset(names)
    if root is None:
        names.update(_in_bytes(raw, ("components", "notations")))
    else:
        names.update(_in_bytes(raw, ("components",)))
        if _holds_notation(str(_TEXT(root))):
            names.add("notations")
    return frozenset(names)


def _attributes_in(markup: bytes) -> frozenset[str] | None:
    """The attribute names of :data:`_HOLDER_NAMES` and :data:`_URL_NAMED` that ``markup``
    holds, lowered as libxml2 lowers a name (which no character reference can write), or
    None (any may be there) for markup under :data:`_GATE_BYTES`, whose walks cost less."""
    if len(markup) < _GATE_BYTES:
        return None
    lowered = markup.lower()
    names = (*_HOLDER_NAMES, *(name for name, _ in _URL_NAMED))
    return frozenset(name for name in names if name.encode() in lowered)


def _in_bytes(raw: bytes, families: tuple[str, ...]) -> set[str]:
    """The source families of ``families`` whose markers are in ``raw``."""
    found = set()
    if "components" in families and any(
        _holds_around(raw, core, markers) for core, markers in _COMPONENT_CORES
    ):
        found.add("components")
    if "notations" in families and (
        any(
            gate in raw and any(needle in raw for needle in needles)
            for gate, needles in _GATED_NOTATIONS
        )
        or any(_holds_around(raw, first, markers) for first, markers in _RARE_OPENERS)
    ):
        found.add("notations")
    return found


def _holds_notation(text: str) -> bool:
    """Whether a notation's marker (as the walk of :mod:`~threadkeep.parsing.embeds` looks
    for them, case and all) is in ``text``. Every marker holds one of
    :data:`_NOTATION_GATES`, which most pages' text lacks: a search for each of those (one
    character mostly) answers there, before the fourteen markers are looked for."""
    return any(gate in text for gate in _NOTATION_GATES) and any(
        marker in text for marker in _NOTATION_MARKERS
    )


def _holds_around(raw: bytes, core: bytes, markers: tuple[bytes, ...]) -> bool:
    """Whether one of ``markers`` (each holding ``core``) is in ``raw``: tried around each of
    the first :data:`_OPENER_TRIES` places of ``core`` (one search for a rare string, or a
    one-byte one, the cheapest there is), then by a search for each marker in the rest."""
    offsets = [(marker, marker.index(core)) for marker in markers]
    at = raw.find(core)
    for _ in range(_OPENER_TRIES):
        if at < 0:
            return False
        if any(at >= off and raw.startswith(marker, at - off) for marker, off in offsets):
            return True
        at = raw.find(core, at + 1)
    return at >= 0 and any(raw.find(marker, max(at - off, 0)) >= 0 for marker, off in offsets)


# Attributes that hold the embedded status's url, and a component's own id attributes.
_URL_ATTRIBUTES = (
    "url", "data-url", "data-content", "data-tweet-url", "data-tweeturl", "tweetlink", "src",
)  # fmt: skip
_RELATIVE_STATUS_RE = re.compile(r"[A-Za-z0-9_]{1,20}/status(?:es)?/\d{1,20}")
_COMPONENT_IDS = ("tweetid", "tweet-id", "tweet_id", "id")
_SCRIPTS = etree.XPath("/descendant::script[contains(., 'createTweet')]")
_NOT_HOLDER_TAGS = frozenset(
    {"button", "input", "select", "option", "textarea", "form", "label", "meta", "link",
     "script", "style", "template"}
)  # fmt: skip
# Class words of controls, feeds and timelines: an id there is not an embedded tweet.
_NOT_EMBED_WORDS = (
    "share", "follow", "retweet", "favorite", "like-", "-like", "reply", "action", "button",
    "btn", "timeline", "feed",
)  # fmt: skip
_SNOWFLAKE = re.compile(r"[0-9]{15,20}")
# `createTweet(` then the id as a quoted literal; bounded, so it cannot backtrack far.
_CALL = re.compile(r"""createTweet\(\s{0,20}['"]([0-9]{1,20})['"]""")
_LINE_COMMENT = re.compile(r"(?<![:/])//")
# Every attribute a rule of holder_id reads: an element with none of them names no tweet.
_ID_ATTRIBUTES = frozenset({*_NAMED, *_GENERIC, *_URL_ATTRIBUTES, *_COMPONENT_IDS, "href"})


def _class_words(element: Element) -> list[str]:
    return [name.lower() for name in classes(element)]


def _is_twitter_marked(element: Element) -> bool:
    if any("twitter" in word or "tweet" in word for word in _class_words(element)):
        return True
    return any(
        (element.get(name) or "").strip().lower() in _TWITTER_TYPES for name in _TYPE_ATTRIBUTES
    )


def _is_control(element: Element) -> bool:
    if element.tag in _NOT_HOLDER_TAGS:
        return True
    return any(part in word for word in _class_words(element) for part in _NOT_EMBED_WORDS)


def _is_component(element: Element) -> bool:
    tag = element.tag.lower() if isinstance(element.tag, str) else ""
    return "tweet" in tag or tag == "oembed"


def holder_status(element: Element) -> tuple[str | None, str] | None:
    """``(handle, id)`` of the status url a component or a Twitter-marked element (or a
    frame inside one) holds in its attributes, percent-encoded or not; else None."""
    if element.tag == "a" and any("embed" in word for word in _class_words(element)):
        return status_parts(element.get("href"))  # an embed card: Embedly's a.embedly-card
    values = [value for name in _URL_ATTRIBUTES if "status" in (value := element.get(name) or "")]
    if not values:  # most elements: checked before the classes, which cost more
        return None
    parent = element.getparent()
    marked = _is_component(element) or _is_twitter_marked(element)
    if not marked and not (parent is not None and _is_twitter_marked(parent)):
        return None
    for value in values:
        value = unquote(value[:2000])
        if _RELATIVE_STATUS_RE.fullmatch(value):  # a component's "user/status/ID"
            value = "https://twitter.com/" + value
        if parts := status_parts(value):
            return parts
    return None


def holder_id(element: Element) -> str | None:
    """The tweet id a placeholder names in its attributes (see the module docstring); None
    for a control, a feed or a timeline, whatever id it carries."""
    if _ID_ATTRIBUTES.isdisjoint(element.keys()):
        return None  # most elements: one look at the names, before the classes are read
    if _is_control(element):
        return None
    for name in _NAMED:
        if tweet_id := checked_id((element.get(name) or "").strip()):
            return tweet_id
    if (status := holder_status(element)) is not None:
        return status[1]
    if _is_component(element):
        for name in _COMPONENT_IDS:
            if _SNOWFLAKE.fullmatch(value := (element.get(name) or "").strip()):
                return value
    if not _is_twitter_marked(element):
        return None
    for name in _GENERIC:
        value = (element.get(name) or "").strip()
        if _SNOWFLAKE.fullmatch(value):
            return value
    return None


def id_holders(root: Element, hints: frozenset[str] = ALL_HINTS) -> list[Element]:
    """Placeholders naming a tweet, none inside another or inside a control; in page order
    within each family (the caller orders them with the rest of the page)."""
    families = [selected_elements(path, root) for name, path in _HOLDERS if name in hints]
    if "urls" in hints:
        families.append(_URL_HOLDERS(root))
    if "components" in hints:
        families.append(_COMPONENTS(root))
    if "cards" in hints:
        families.append(_EMBED_CARDS(root))
    elements = in_page_order(root, families)  # an embed card before a placeholder stays so
    unique = dict.fromkeys(e for e in elements if isinstance(e.tag, str))
    found = [element for element in unique if holder_id(element)]
    outer = Ancestors(set(found).__contains__)  # remembered: linear however deep the page
    return [element for element in found if outer.nearest(element) is None]


def selected_elements(path: etree.XPath, root: Element) -> list[Element]:
    """The elements ``path`` selects in ``root``'s page, in page order; an attribute it selects
    stands for the element holding it."""
    found: list[Any] = path(root)
    return [value if isinstance(value, etree._Element) else value.getparent() for value in found]


def in_page_order(root: Element, node_sets: list[list[Element]]) -> list[Element]:
    """The elements of ``node_sets`` (each in page order) in page order, each once: one walk
    over the page's elements of their tags, in C, instead of libxml2's quadratic union."""
    found = [nodes for nodes in node_sets if nodes]
    if len(found) < 2:
        return found[0] if found else []
    wanted = {element for nodes in found for element in nodes}
    page = root.getroottree().getroot()
    return [element for element in page.iter(*{str(e.tag) for e in wanted}) if element in wanted]


def widget_scripts(root: Element) -> list[Element]:
    """Inline scripts that call ``createTweet`` with an id written out, in page order."""
    return [script for script in _SCRIPTS(root) if widget_call_ids(script)]


def widget_call_ids(script: Element) -> list[str]:
    """The ids a script passes to ``twttr.widgets.createTweet``, in order, outside comments."""
    ids: list[str] = []
    for line in (script.text or "").splitlines():
        if "createTweet" not in line:
            continue
        comment = _LINE_COMMENT.search(line)
        end = comment.start() if comment else len(line)
        ids.extend(match.group(1) for match in _CALL.finditer(line, 0, end))
    return ids
