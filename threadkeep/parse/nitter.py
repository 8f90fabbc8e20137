"""Nitter pages: the status page of a tweet (its conversation), profiles, searches, embeds.

Nitter, the open-source Twitter front end, served copies of tweets from hundreds of instances
(nitter.net, nitter.snopyta.org, …) from 2019 on, and many of its pages survive in web
archives after the tweets they show were deleted. Every tweet on any of its pages is a
``div.timeline-item`` rendered by one template (``renderTweet``), whose markup changed little
over the years:

* ``.tweet-header``: ``a.fullname`` (the name), ``a.username`` (``@handle``), the avatar, and
  ``span.tweet-date > a[href="/<handle>/status/<id>#m"][title]`` (the time: "8/5/2020,
  07:17:31" until 2021, "May 8, 2020 · 7:17 AM UTC" later);
* ``.retweet-header`` ("X retweeted") and ``.pinned`` above it; ``.replying-to``;
* ``.tweet-content``: the text, with links shown as their expanded url, hashtags linking to
  ``/search?q=%23tag`` and mentions to ``/<handle>``;
* ``.attachments``: photos (``a.still-image`` to ``/pic/orig/<encoded url>``), videos and gifs
  (``video`` with ``poster``, ``src`` or ``data-url``); ``.card`` link previews; ``.quote``
  (``a.quote-link``, ``.quote-text``), or ``.quote.unavailable``;
* ``.timeline-item.unavailable``: a tweet Nitter could not show ("This tweet is unavailable").

A status page holds the conversation in page order (``.before-tweet``, ``.main-tweet``,
``.after-tweet``, then ``.replies``); timelines hold one item per tweet. Either way the
result is an :class:`Article`: every tweet in page order, runs of one author as threads. A
Nitter page never claims to show a whole thread ("more replies" are behind links), so, like
an article, it never marks a tweet removed in the archive.

Media urls are proxied by the instance (``/pic/…``, ``/video/…``): they are given back as the
Twitter urls they encode (``https://pbs.twimg.com/media/….jpg``) when they encode one; links
to other tweets on the instance become twitter.com links.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator
from urllib.parse import unquote, urlsplit

from lxml import etree
from lxml.etree import _Element as Element

from threadkeep.limits import MAX_QUOTE_DEPTH, check_tweets
from threadkeep.models import Article, Author, Link, Media, Thread, Tweet, snowflake_time
from threadkeep.parse.article import group_threads
from threadkeep.parse.dates import parse_date
from threadkeep.parse.html import Ancestors, clean_text, has_class, node_text
from threadkeep.parse.trapage import meta, page_title
from threadkeep.urls import absolute_url, status_url, tweet_id, unarchive

__all__ = ["is_nitter", "parse_nitter"]

# Tweets are items with a body; "more replies" and "show more" items have none.
_ITEMS = etree.XPath(
    "/descendant::div[contains(concat(' ', normalize-space(@class), ' '), ' timeline-item ')]"
)
_MARKERS = etree.XPath(
    "(/descendant::div[@class = 'tweet-body' or starts-with(@class, 'tweet-content')]"
    " | /descendant::a[@class = 'site-name'][normalize-space() = 'nitter'])[1]"
)
_STATUS_PATH_RE = re.compile(
    r"^/(?:(?P<handle>\w{1,50})|i(?:/web)?)/status(?:es)?/(?P<id>\d{1,20})"
)
_HANDLE_PATH_RE = re.compile(r"^/@?(?P<handle>\w{1,50})/?$")
_HASHTAG_QUERY_RE = re.compile(r"^/search\?(?:.*&)?q=(?:%23|#)(?P<tag>[^&]+)", re.IGNORECASE)
_DEFAULT_BASE = "https://nitter.net/"


def is_nitter(root: Element) -> bool:
    """True when the page is a Nitter page with at least one tweet item."""
    if not _MARKERS(root):
        return False
    return any(_body(item) is not None or has_class(item, "unavailable") for item in _ITEMS(root))


def parse_nitter(root: Element, *, url: str | None = None) -> Article:
    """Every tweet of a Nitter page, in page order, as an :class:`Article`.

    On a status page, each tweet of the conversation carries the tweet it answers as
    ``in_reply_to`` (its id, url and author): the tweets above the main one answer each other
    in turn, the main one answers the last of them, and each reply block answers the main
    tweet, then the tweet before it in the block.
    """
    declared = meta(root, "og:url")
    page_url = url or (absolute_url(declared, None) if declared else None)
    base = page_url or _DEFAULT_BASE
    tweets: list[Tweet] = []
    blocks: list[Element | None] = []  # the thread block each tweet sits in
    seen: set[str] = set()
    main: Tweet | None = None
    previous: Tweet | None = None  # the tweet above in the same chain
    chain: Element | None = None
    # Ancestor lookups remembered across the tree: a page nested 250 deep with a hundred
    # thousand items costs a step per element, not 250 per item.
    enclosing = Ancestors(_holds_items)
    places = Ancestors(_is_place)
    mains = Ancestors(lambda node: has_class(node, "main-thread"))
    lines = Ancestors(lambda node: has_class(node, "thread-line"))
    for item in _ITEMS(root):
        # Items inside a quote or inside another item are not Nitter's (it nests neither);
        # the outer item's reading leaves them out too.
        if enclosing.nearest(item) is not None:
            continue
        tweet = _read_item(item, base)
        if tweet is None:
            continue
        block = places.nearest(item)
        place = _place_of(block)
        if place == "reply" and block is not chain:
            previous = main  # a reply block starts under the main tweet
        parent = previous if place is not None else None
        chain = block
        if parent is not None and parent.id is not None and tweet.in_reply_to is None:
            tweet = tweet.model_copy(update={"in_reply_to": _stub(parent)})
        if place is not None:
            previous = tweet
        if place == "main":
            main = tweet
        if tweet.id is not None:
            if tweet.id in seen:
                continue
            seen.add(tweet.id)
        tweets.append(tweet)
        block = mains.nearest(item)
        blocks.append(block if block is not None else lines.nearest(item))
        check_tweets(len(tweets))
    title = meta(root, "og:title") or page_title(root)
    return Article(
        url=page_url, title=title, tweets=tuple(tweets), threads=_threads(tweets, blocks)
    )


def _holds_items(node: Element) -> bool:
    return has_class(node, "quote") or has_class(node, "timeline-item")


def _threads(tweets: list[Tweet], blocks: list[Element | None]) -> tuple[Thread, ...]:
    """Runs of one author's tweets within each thread block (a profile's timeline is all one
    author's, but its tweets are not one thread)."""
    threads: list[Thread] = []
    start = 0
    for index in range(1, len(tweets) + 1):
        if index == len(tweets) or blocks[index] is not blocks[start]:
            if blocks[start] is not None:
                threads.extend(group_threads(tweets[start:index]))
            start = index
    return tuple(threads)


_PLACES = {
    "before-tweet": "before",
    "main-tweet": "main",
    "after-tweet": "after",
    "reply": "reply",
}
# A timeline or a conversation ends the search for a place: an item in a timeline has none.
_PLACE_CLASSES = frozenset({*_PLACES, "timeline", "conversation"})


def _is_place(node: Element) -> bool:
    classes = node.get("class")
    return classes is not None and not _PLACE_CLASSES.isdisjoint(classes.split())


def _place_of(block: Element | None) -> str | None:
    """Where a block sits in a status page's conversation (None: in a timeline)."""
    if block is None:
        return None
    for name in (block.get("class") or "").split():
        if name in _PLACES:
            return _PLACES[name]
    return None


def _stub(tweet: Tweet) -> Tweet:
    return Tweet(id=tweet.id, url=tweet.url, author=tweet.author)


def _body(item: Element) -> Element | None:
    for child in item:
        if has_class(child, "tweet-body"):
            return child
    return None


_NOT_OURS = frozenset({"quote", "timeline-item"})


def _walk(element: Element) -> Iterator[Element]:
    """The elements below ``element`` in document order, not looking inside a quoted tweet
    or a nested item (each is read on its own): every element is visited once in all."""
    stack = list(reversed(element))
    while stack:
        node = stack.pop()
        if not isinstance(node.tag, str):
            continue
        yield node
        classes = node.get("class")
        if not classes or _NOT_OURS.isdisjoint(classes.split()):
            stack.extend(reversed(node))


def _child_classes(element: Element) -> dict[str, Element]:
    """The first element of each class below ``element`` (see :func:`_walk`).

    (Later Nitter versions put the date in a ``.tweet-footer`` after the quote: the quote's
    own date must not be taken for the tweet's.)
    """
    found: dict[str, Element] = {}
    for node in _walk(element):
        classes = node.get("class")
        if classes:
            for name in classes.split():
                found.setdefault(name, node)
    return found


def _read_item(item: Element, base: str) -> Tweet | None:
    body = _body(item)
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
    author = Author(handle=handle, name=name, url=_profile_url(handle), avatar=avatar)
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
    for node in _walk(header):
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
            handle = shown if re.fullmatch(r"\w{1,50}", shown) else None
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
    if not url:
        return None
    try:
        path = urlsplit(unarchive(url)).path
    except ValueError:
        return None
    match = _STATUS_PATH_RE.match(path)
    if not match or tweet_id(match["id"]) is None:
        return None
    return match["handle"], match["id"]


def _profile_url(handle: str | None) -> str | None:
    return f"https://twitter.com/{handle}" if handle else None


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
        if shown.startswith("@") and re.fullmatch(r"@\w{1,50}", shown):
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


def _host(url: str) -> str:
    try:
        return urlsplit(url).netloc.lower()
    except ValueError:
        return ""


def _same_host(url: str, base: str) -> bool:
    return _host(url) in (_host(base), "")


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
    for prefix, host in (("/pic/orig/", "pbs"), ("/pic/", "pbs"), ("/video/", "video")):
        if path.startswith(prefix):
            rest = unquote(path[len(prefix) :])
            if prefix == "/video/" and "/" in rest and not rest.startswith("http"):
                rest = unquote(rest.split("/", 1)[1])  # "/video/<signature>/<url>"
            return _twimg(rest + (f"?{parts.query}" if parts.query else ""), host) or url
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
    for node in _walk(body):
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
