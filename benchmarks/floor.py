"""The lean floor of ``benchmarks/parse.py``: the least a parse into these models can cost.

One hand-written parser per page family (a Thread Reader thread page, a Thread Reader
listing, an article of ``blockquote.twitter-tweet`` embeds), each only what its benchmark
pages need: an lxml tree, XPath, and the same validated pydantic models that
:func:`threadkeep.parse` returns. Nothing else: no sniffing of the input's form or encoding
(the pages are UTF-8), no input limits, no detection of the kind, no web-archive check, no
``http_only`` pass, no fallback for markup these pages do not hold. The benchmark asserts once
that each floor returns a result equal to ``threadkeep.parse``'s for its page, so the floor
does the same work for that page, not less.

Shared with threadkeep, because they are the rules of the result rather than overhead: the
whitespace folding (``clean_text``), the hashtag and mention patterns (``text_entities``),
the Snowflake time and, for listings only (whose cards number their tweets in many ways),
``number_thread``. A tweet's text is read in C: line breaks are marked in the floor's own
tree, the parts that are not text are cut out of it, and ``tostring(method="text")`` does the
rest.

Beside them, :func:`article_family`: the floor of an article whose embeds may be of any
family threadkeep reads, built on threadkeep's own reader of an article's tree.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Callable
from datetime import UTC, datetime

from lxml import etree
from lxml.etree import _Element as Element

from threadkeep.models import (
    Article,
    Author,
    Link,
    Listing,
    Media,
    Result,
    Sighting,
    Thread,
    ThreadPreview,
    Tweet,
    snowflake_time,
)
from threadkeep.parsing.article import parse_article
from threadkeep.parsing.embed_ids import page_hints
from threadkeep.parsing.html import clean_text
from threadkeep.parsing.numbering import number_thread
from threadkeep.parsing.shared import text_entities

__all__ = ["FAMILY_EXCLUDED", "FAMILY_FOLDERS", "FLOORS", "article_family", "embeds_only"]

_BREAK = "\ue000"  # a private-use character: marks a line break in the floor's own tree
_SPACES_RE = re.compile(r"[ \t\r\n\f\v\u00a0]{2,}|[\t\r\n\f\v\u00a0]")
_STATUS_RE = re.compile(r"^https?://(?:www\.|mobile\.)?twitter\.com/(\w+)/status/(\d+)")
_THREAD_ID_RE = re.compile(r"/thread/(\d+)")
_COUNT_RE = re.compile(r"(\d+)\s*tweets?\b.*?(\d+)\s*min(?:ute)?s?\s+read", re.I | re.S)
_READ_N_RE = re.compile(r"Read\s+(\d+)\s+tweets?", re.I)
_ATTRIBUTION_RE = re.compile(r"^[—-]\s*(.*?)\s*\(@(\w+)\)\s*$", re.S)

_META = etree.XPath("/html/head/meta[@content]")
_TEXT = etree.XPath("string()")


def _tree(data: bytes) -> Element:
    parser = etree.HTMLParser(encoding="utf-8", remove_comments=True, no_network=True)
    return etree.fromstring(data, parser=parser)


def _metas(root: Element) -> dict[str, str]:
    found: dict[str, str] = {}
    for element in _META(root):
        key = element.get("property") or element.get("name")
        if key:
            found.setdefault(key, element.get("content") or "")
    return found


def _sighting(kind: str, url: str | None, data: bytes) -> Sighting:
    return Sighting(kind=kind, url=url, sha256=hashlib.sha256(data).hexdigest())  # type: ignore[arg-type]


def _author(handle: str | None, name: str | None = None, avatar: str | None = None) -> Author:
    url = f"https://twitter.com/{handle}" if handle else None
    return Author(handle=handle, name=name, url=url, avatar=avatar)


def _cut(element: Element) -> None:
    """Take ``element`` out of its tree, keeping its tail text in place."""
    parent = element.getparent()
    tail = element.tail
    if tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)


def _text(element: Element, cut: list[Element]) -> str:
    """The readable text of ``element``: ``<br>`` a line break, ``cut`` left out."""
    for node in cut:
        _cut(node)
    for br in element.iter("br"):
        br.tail = _BREAK + (br.tail or "")
    text = etree.tostring(element, method="text", encoding="unicode", with_tail=False)
    text = _SPACES_RE.sub(" ", text)
    if _BREAK not in text:
        return text.strip()
    return "\n".join(line.strip() for line in text.split(_BREAK)).strip("\n")


def _tweet(
    element: Element,
    *,
    tweet_id: str | None,
    author: Author,
    place: tuple[int | None, str | None],
    text: str,
    parts: dict[str, list],
) -> Tweet:
    tags, mentions = text_entities(text)
    handle = author.handle
    return Tweet(
        id=tweet_id,
        url=f"https://twitter.com/{handle}/status/{tweet_id}" if handle and tweet_id else None,
        author=author,
        text=text,
        created_at=snowflake_time(tweet_id),
        links=tuple(parts["links"]),
        media=tuple(parts["media"]),
        hashtags=tuple(dict.fromkeys([*parts["hashtags"], *tags])),
        mentions=tuple(dict.fromkeys([*parts["mentions"], *mentions])),
        quoted=parts["quoted"][0] if parts["quoted"] else None,
        position=place[0],
        marker=place[1],
    )


# Thread Reader tweet markup: one XPath finds every entity of every tweet of the page.
_ENTITIES = etree.XPath(
    "descendant::*[starts-with(@class, 'entity-')]"
    "[not(ancestor::*[starts-with(@class, 'entity-')])]"
)
_NOT_TEXT = ("entity-embed", "entity-image", "entity-video", "entity-url-preview")


def _read_entities(element: Element) -> tuple[dict[str, list], list[Element]]:
    """A Thread Reader tweet's entities, and the elements that are not text."""
    parts: dict[str, list] = {
        "links": [],
        "media": [],
        "hashtags": [],
        "mentions": [],
        "quoted": [],
    }
    cut: list[Element] = list(element.iterchildren("sup"))
    for node in _ENTITIES(element):
        kind = node.get("class", "").split()[0]
        if kind == "entity-mention":
            parts["mentions"].append(clean_text(_TEXT(node)).lstrip("@"))
        elif kind == "entity-hashtag":
            parts["hashtags"].append(clean_text(_TEXT(node)).lstrip("#"))
        elif kind == "entity-url":
            parts["links"].append(Link(url=node.get("href"), display=clean_text(_TEXT(node))))
        elif kind == "entity-image":
            cut.append(node)
            img = next(node.iter("img"))
            src = img.get("data-src") or img.get("src")
            parts["media"].append(Media(kind="photo", url=src))
        elif kind == "entity-video-gif":
            cut.append(node)
            video = next(node.iter("video"))
            source = [s.get("src") for s in node.iter("source")][-1]
            parts["media"].append(Media(kind="gif", url=source, preview=video.get("poster")))
        elif kind == "entity-embed":
            cut.append(node)
            frame = next(node.iter("iframe"), None)
            if frame is not None:
                src = frame.get("src")
                parts["links"].append(Link(url="https:" + src if src.startswith("//") else src))
                continue
            match = _STATUS_RE.match(next(node.iter("a")).get("href"))
            handle, quoted_id = match.groups()  # type: ignore[union-attr]
            quoted = Tweet(
                id=quoted_id,
                url=f"https://twitter.com/{handle}/status/{quoted_id}",
                author=_author(handle),
                created_at=snowflake_time(quoted_id),
            )
            if parts["quoted"]:
                parts["links"].append(Link(url=quoted.url))
            else:
                parts["quoted"].append(quoted)
    return parts, cut


_THREAD_TWEETS = etree.XPath("/descendant::div[@data-tweet][starts-with(@id, 'tweet_')]")
_THREAD_TIME = etree.XPath("/descendant::a[@data-time][contains(@class, 'time')][1]")
_THREAD_NAME = etree.XPath("string(/descendant::span[contains(@class, 'username')][1])")
_THREAD_AVATAR = etree.XPath(
    "/descendant::*[contains(@class, 'avatar')][1]/descendant::img[1]/@src"
)
_THREAD_SIZE = etree.XPath("string(/descendant::span[contains(@class, 'count')][1])")


def thread(data: bytes) -> Thread:
    """A Thread Reader thread page whose tweets carry no numbering."""
    root = _tree(data)
    metas = _metas(root)
    elements = _THREAD_TWEETS(root)
    handle = elements[0].get("data-screenname")
    avatar = _THREAD_AVATAR(root)
    author = _author(handle, clean_text(_THREAD_NAME(root)), str(avatar[0]) if avatar else None)
    size = _COUNT_RE.search(_THREAD_SIZE(root))
    declared, minutes = (int(size[1]), int(size[2])) if size else (None, None)
    tweets = []
    for index, element in enumerate(elements):
        parts, cut = _read_entities(element)
        tweets.append(
            _tweet(
                element,
                tweet_id=element.get("data-tweet"),
                author=author,
                place=(index + 1, None),
                text=_text(element, cut),
                parts=parts,
            )
        )
    time = _THREAD_TIME(root)[0]
    url = metas.get("og:url")
    result = Thread(
        id=tweets[0].id,
        url=url,
        author=author,
        title=clean_text(metas["og:title"]),
        created_at=datetime.fromtimestamp(int(time.get("data-time")), tz=UTC),
        date_text=clean_text(_TEXT(time)) or None,
        tweets=tuple(tweets),
        declared_count=declared,
        read_minutes=minutes,
        complete=declared == len(tweets),
        source=_sighting("threadreader", url, data),
    )
    return result


_CARDS_AND_SECTIONS = etree.XPath(
    "/descendant::div[contains(@class, 'thread-card')] | /descendant::span[@class = 'subtitle']"
)
_CARD_TWEETS = etree.XPath("descendant::div[contains(@class, 'content-tweet')]")
_CARD_NAME = etree.XPath("string(descendant::*[contains(@class, 'username')][1])")
_CARD_HANDLE = etree.XPath("descendant::a[contains(@href, '/user/')][1]/@href")
_CARD_AVATAR = etree.XPath("descendant::img[1]/@src")
_CARD_TIME = etree.XPath("descendant::*[@data-time][1]/@data-time")
_CARD_LINK = etree.XPath("descendant::a[contains(@href, '/thread/')][last()]")
_TITLE = etree.XPath("string(/descendant::h1[1])")
_HASHTAG_BUTTONS = etree.XPath(
    "/descendant::a[contains(@class, 'button-tag')][contains(@href, '/hashtag/')]"
)


def _card(card: Element, section: str | None) -> ThreadPreview:
    handle = str(_CARD_HANDLE(card)[0]).rstrip("/").rsplit("/", 1)[-1]
    avatar = _CARD_AVATAR(card)
    author = _author(handle, clean_text(_CARD_NAME(card)), str(avatar[0]) if avatar else None)
    link = _CARD_LINK(card)[0]
    thread_url = link.get("href")
    thread_id = _THREAD_ID_RE.search(thread_url)[1]  # type: ignore[index]
    elements = _CARD_TWEETS(card)
    read = [_read_entities(element) for element in elements]
    texts = [_text(element, cut) for element, (_, cut) in zip(elements, read, strict=True)]
    numbering = number_thread(texts)
    tweets = []
    for index, ((parts, _), text) in enumerate(zip(read, texts, strict=True)):
        place = numbering.place(index)
        tweet_id = thread_id if place[0] == 1 else None
        tweets.append(
            _tweet(card, tweet_id=tweet_id, author=author, place=place, text=text, parts=parts)
        )
    time = _CARD_TIME(card)
    return ThreadPreview(
        url=thread_url,
        thread_id=thread_id,
        author=author,
        tweets=tuple(tweets),
        declared_count=int(_READ_N_RE.search(_TEXT(link))[1]),  # type: ignore[index]
        created_at=datetime.fromtimestamp(int(time[0]), tz=UTC) if time else None,
        section=section,
    )


def listing(data: bytes) -> Listing:
    """A Thread Reader listing page of thread cards under section titles."""
    root = _tree(data)
    metas = _metas(root)
    previews = []
    section = None
    for node in _CARDS_AND_SECTIONS(root):
        if node.tag == "span":
            section = clean_text(_TEXT(node)).rstrip(":") or None
        else:
            previews.append(_card(node, section))
    url = metas.get("og:url")
    return Listing(
        title=clean_text(_TITLE(root)),
        url=url,
        threads=tuple(previews),
        hashtags=tuple(clean_text(_TEXT(a)) for a in _HASHTAG_BUTTONS(root)),
        source=_sighting("listing", url, data),
    )


_EMBEDS = etree.XPath("/descendant::blockquote[@class = 'twitter-tweet']")
_STATUS_LINK = etree.XPath("descendant::a[contains(@href, '/status/')][last()]")


def _embed(blockquote: Element) -> Tweet:
    status = _STATUS_LINK(blockquote)[0]
    holder = status.getparent()
    paragraphs = blockquote.findall("p")
    if holder is blockquote:
        before = paragraphs[-1].tail or ""
    else:
        before = holder.text or ""
        paragraphs.remove(holder)
    body = paragraphs[0]
    for extra in paragraphs[1:]:  # a tweet of several paragraphs: one body, line breaks kept
        etree.SubElement(body, "br")
        etree.SubElement(body, "br").tail = extra.text
        body.extend(extra)
    name, handle = _ATTRIBUTION_RE.match(clean_text(before)).groups()  # type: ignore[union-attr]
    tweet_id = _STATUS_RE.match(status.get("href"))[2]  # type: ignore[index]
    links, media, hashtags = [], [], []
    for anchor in body.iter("a"):
        shown = clean_text(_TEXT(anchor))
        if shown.startswith("#"):
            hashtags.append(shown[1:])
        elif shown.startswith("pic.twitter.com/"):
            media.append(Media(kind="photo", url="https://" + shown))
        elif shown.startswith("https://t.co/"):
            links.append(Link(url=anchor.get("href"), display=shown, short_url=shown))
    text = _text(body, [])
    tags, mentions = text_entities(text)
    return Tweet(
        id=tweet_id,
        url=f"https://twitter.com/{handle}/status/{tweet_id}",
        author=_author(handle, name),
        text=text,
        created_at=snowflake_time(tweet_id),
        date_text=clean_text(_TEXT(status)),
        lang=body.get("lang"),
        links=tuple(links),
        media=tuple(media),
        hashtags=tuple(dict.fromkeys([*hashtags, *tags])),
        mentions=tuple(mentions),
    )


def article(data: bytes) -> Article:
    """An article embedding tweets as ``blockquote.twitter-tweet``, no two in a row by one
    author (those would make a thread, which this floor does not read)."""
    root = _tree(data)
    metas = _metas(root)
    tweets = [_embed(blockquote) for blockquote in _EMBEDS(root)]
    handles = [tweet.author.handle for tweet in tweets if tweet.author]
    if any(a == b for a, b in itertools.pairwise(handles)):
        raise NotImplementedError("the floor reads no threads of embeds")
    url = metas.get("og:url")
    title = metas.get("og:title")
    return Article(
        url=url,
        title=clean_text(title) if title else None,
        tweets=tuple(tweets),
        source=_sighting("embed", url, data),
    )


def embeds_only(data: bytes) -> Article:
    """The floor of ``benchmarks/embeds_scaling.py``: every ``blockquote.twitter-tweet`` read
    into a validated :class:`~threadkeep.models.Tweet`, in one :class:`Article`, and nothing
    else (no threads grouped from runs by one author, which threadkeep's parse also builds)."""
    root = _tree(data)
    return Article(tweets=tuple(_embed(blockquote) for blockquote in _EMBEDS(root)))


_FAMILY_PARSER = etree.HTMLParser(encoding="utf-8", remove_comments=True, no_network=True)


def article_family(data: bytes, url: str | None = None) -> Article:
    """An article embedding tweets of any family threadkeep reads (blockquotes of every class
    form, id and url placeholders, components, embed cards, iframes, notations): the lxml
    tree, the families the page may hold, then threadkeep's own reader of an article's tree
    (:func:`~threadkeep.parsing.article.parse_article`: its XPaths and element readers), and
    the sighting.

    The families are told by :func:`~threadkeep.parsing.embed_ids.page_hints` (searches of
    the bytes and of the tree's text, in C), as full does: the cheapest exact way to find
    them. Looking for every one by its walk instead costs more than the whole of full on the
    12-embed article (the notations' walk alone reads every text node of the page).

    Nothing else: no input limits, no attribute scan, no detection of the kind, no web-archive
    check, no ``http_only`` pass; the pages are UTF-8 (as :mod:`threadkeep.encoding` finds
    every article fixture to be), told to libxml2."""
    root = etree.fromstring(data, parser=_FAMILY_PARSER)
    found = parse_article(root, url=url, hints=page_hints(data, root, data))
    return found.model_copy(update={"source": _sighting("embed", url or found.url, data)})


FAMILY_FOLDERS = ("articles", "embeds", "id_embeds", "substack", "negatives")
"""The fixture folders whose HTML pages :func:`article_family` must read as threadkeep does:
each page there that ``threadkeep.parse`` reads as an article (an :class:`Article` sighted as
an ``embed``), except :data:`FAMILY_EXCLUDED`."""
FAMILY_EXCLUDED = {
    "articles/constructed_webarchive_verge_2019.html": "a web archive's copy: full reads its "
    "capture time and unarchives its url, the web-archive check the floor leaves out",
    "negatives/jamesg_en_2021_advent_of_bloggers_twitter_card_meta.html": "its og:url is a "
    "relative path, which full's http_only pass drops and the floor leaves in",
}
"""The article pages the family floor does not read as threadkeep does, and why."""

FLOORS: dict[str, Callable[[bytes], Result]] = {
    "threadreader/quinnypig_2020_full.html": thread,
    "embeds/basicthinking_de_2018_erfolgreiche-tweets.html": article,
    "articles/theverge_2019_facetime_slice.html": article,
    "listing/homepage_2018.html": listing,
}
"""The benchmark's target pages, each with the floor parser of its family."""
