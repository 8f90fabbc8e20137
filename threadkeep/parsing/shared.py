"""The pieces every source parser shares, each written once.

* page metadata: :func:`meta` (``<meta>`` tags), :func:`page_title`, :func:`canonical_url`,
  :func:`first_text`;
* :data:`THREAD_BY_RE`: the "Thread by @handle" of a Thread Reader title or header;
  :data:`READ_N` and :data:`MOST_RECENTS`: a listing's "Read 24 tweets" and "Most recents
  (24)", in pages and in their text copies;
* :func:`make_author`: an :class:`Author` whose profile url is :func:`threadkeep.urls.profile_url`;
* :func:`text_entities`: hashtags and mentions written in a text (one handle pattern,
  :data:`threadkeep.urls.HANDLE`);
* :func:`group_threads`: runs of one author's tweets, as threads (articles, Nitter, text);
* front matter (YAML between ``---`` lines): :func:`split_front_matter`,
  :func:`front_matter_title`.

Numbering (``1/24``) is read by :mod:`threadkeep.parsing.numbering`; a
:class:`~threadkeep.parsing.numbering.Numbering` places each tweet (``place(index)``).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from datetime import timedelta

from lxml import etree
from lxml.etree import _Element as Element

from threadkeep.limits import MAX_ENTITIES
from threadkeep.models import Author, Thread, Tweet, snowflake_time
from threadkeep.parsing.html import clean_text, node_text
from threadkeep.urls import HANDLE, profile_url, status_url

__all__ = [
    "BULLET_RE",
    "MOST_RECENTS",
    "READ_N",
    "THREAD_BY_RE",
    "THREAD_GAP",
    "canonical_url",
    "first_text",
    "front_matter_title",
    "group_threads",
    "known_tweet",
    "make_author",
    "meta",
    "page_title",
    "split_front_matter",
    "text_entities",
]

BULLET_RE = re.compile(r"^\s*[-•*–]\s")
"""A list item's bullet at a line's start ("- ", "• ", "* ", "– ")."""

_METAS = etree.XPath("/descendant::meta[@content]")
# The <meta> of a <head> that opens the page: nothing but it can come before them.
_HEAD_METAS = etree.XPath("/html/*[1][self::head]/descendant::meta[@content]")
_TITLE = etree.XPath("/html/head/title | /html/body/title")
_CANONICAL = etree.XPath("/descendant::link[@rel = 'canonical']/@href")


def meta(root: Element, *names: str) -> str | None:
    """The first non-empty ``<meta property|name=…>`` content among ``names``.

    The first ``<meta>`` of each name counts. Those of the ``<head>`` are read first (a few
    elements, not the whole page); the page is searched only for a name its head lacks.
    """
    found = _contents(_HEAD_METAS(root))
    if not found.keys() >= set(names):
        found = _contents(_METAS(root))
    for name in names:
        value = clean_text(found.get(name, ""))
        if value:
            return value
    return None


def _contents(elements: list[Element]) -> dict[str, str]:
    """The content of the first of ``elements`` of each name (``property`` or ``name``)."""
    found: dict[str, str] = {}
    for element in elements:
        key = element.get("property") or element.get("name")
        if key and key not in found:
            found[key] = element.get("content") or ""
    return found


def first_text(elements: list[Element]) -> str | None:
    """Text of the first element that has any."""
    for element in elements:
        text = clean_text(node_text(element))
        if text:
            return text
    return None


def page_title(root: Element) -> str | None:
    """The ``<title>`` text, whitespace-normalised."""
    return first_text(_TITLE(root))


def canonical_url(root: Element) -> str | None:
    """The ``<link rel="canonical">`` url, as written."""
    values = _CANONICAL(root)
    return str(values[0]) if values else None


def make_author(
    handle: str | None,
    name: str | None = None,
    avatar: str | None = None,
    *,
    user_id: str | None = None,
) -> Author:
    """An :class:`Author`, its profile url built from ``handle``."""
    return Author(handle=handle, name=name, url=profile_url(handle), avatar=avatar, id=user_id)


def known_tweet(tweet_id: str | None, author: Author | None = None) -> Tweet:
    """A tweet a copy knows by its id and author only (an id-only embed, a quoted tweet, a
    reply's parent): its status url, and the time its id gives."""
    handle = author.handle if author else None
    return Tweet(
        id=tweet_id,
        url=status_url(handle, tweet_id),
        author=author,
        created_at=snowflake_time(tweet_id),
    )


THREAD_BY_RE = re.compile(rf"^Thread by @(?P<handle>{HANDLE})\b")
"""The "Thread by @handle" that opens a Thread Reader page's title and its text and Markdown
copies' headers; the handle is the ``handle`` group."""

# Listings' wording, as pattern text: a page searches an element's text for it, a text copy
# matches whole lines (anchored, with what follows on the line), so each compiles its own.
READ_N = r"Read\s+(?P<count>\d[\d,]*)\s+tweets?"
"""A listing card's "Read 24 tweets" link; the thread's size is the ``count`` group."""
MOST_RECENTS = r"Most\s+recents?\s*\((?P<total>\d[\d,]*)\)"
"""A hashtag or topic listing's "Most recents (24)"; the number is the ``total`` group."""

# Twitter's own rules, simplified: a hashtag needs one non-digit; neither may follow a word
# character (so "a#b" and "me@example.com" are neither).
_HASHTAG_RE = re.compile(r"(?<![\w&#/])[#＃](\w*[^\W\d]\w*)")
_MENTION_RE = re.compile(rf"(?<![\w@/.])[@＠]({HANDLE})\b")


def text_entities(text: str | None) -> tuple[list[str], list[str]]:
    """Hashtags and mentions written in ``text`` (without "#"/"@"), first occurrence order."""
    if not text:
        return [], []
    tags = _first(_HASHTAG_RE, text) if "#" in text or "＃" in text else []
    mentions = _first(_MENTION_RE, text) if "@" in text or "＠" in text else []
    return tags, mentions


def _first(pattern: re.Pattern[str], text: str) -> list[str]:
    """The distinct first groups of the first MAX_ENTITIES matches of ``pattern`` in ``text``.

    A tweet holds a few; a hostile text of millions would cost millions of strings.
    """
    found: dict[str, None] = {}
    for match in itertools.islice(pattern.finditer(text), MAX_ENTITIES):
        found.setdefault(match.group(1))
    return list(found)


THREAD_GAP = timedelta(days=7)
"""The longest pause between two tweets of one thread found in an article."""


def _far_apart(first: Tweet, second: Tweet) -> bool:
    if first.created_at is None or second.created_at is None:
        return False
    return abs(second.created_at - first.created_at) > THREAD_GAP


def _runs(tweets: Sequence[Tweet]) -> list[list[Tweet]]:
    """Tweets cut where the author changes (or a pause longer than THREAD_GAP falls)."""
    runs: list[list[Tweet]] = []
    for tweet in tweets:
        handle = tweet.author.handle.lower() if tweet.author and tweet.author.handle else None
        previous = runs[-1][-1] if runs else None
        same = (
            previous is not None
            and handle is not None
            and previous.author is not None
            and (previous.author.handle or "").lower() == handle
            and not _far_apart(previous, tweet)
        )
        if same:
            runs[-1].append(tweet)
        else:
            runs.append([tweet])
    return runs


def group_threads(tweets: Sequence[Tweet]) -> tuple[Thread, ...]:
    """Runs of two or more consecutive tweets by one author, each as a :class:`Thread`.

    Consecutive means nothing by another author between them: an article quoting eight tweets
    of one head of state, with prose between, shows one thread of eight. Two tweets whose
    times are known and more than :data:`THREAD_GAP` apart are not one thread (a post showing
    an author's tweets of August and of the next April).
    """
    return tuple(
        Thread(
            id=run[0].id,
            url=run[0].url,
            author=run[0].author,
            created_at=run[0].created_at,
            date_text=run[0].date_text,
            tweets=tuple(
                t.model_copy(update={"position": index}) for index, t in enumerate(run, start=1)
            ),
        )
        for run in _runs(tweets)
        if len(run) >= 2
    )


_FRONT_MATTER_LINES = 200  # a front matter ends within this many lines, or there is none
_KEY_RE = re.compile(r"^(?P<key>[A-Za-z_][\w-]{0,40})\s*:\s?(?P<value>.*)$")
_ITEM_RE = re.compile(r"^\s+-\s+(?P<value>.*)$")
_FRONT_MATTER_TITLE_RE = re.compile(r"\A\s*---\s*\n(?:.*\n)*?title:\s*(?P<title>.+?)\s*\n")


def split_front_matter(text: str) -> tuple[dict[str, list[str]], str]:
    """The YAML front matter's keys (each with its value and list items, unquoted) and the
    text after it; ``({}, text)`` when the text has none.

    Only the flat ``key: value`` and ``key:`` + ``  - item`` forms that clippers and static
    site generators write are read; nothing is evaluated.

    >>> split_front_matter('---\\ntitle: "A"\\nauthor:\\n  - "[[@x]]"\\n---\\nbody')
    ({'title': ['A'], 'author': ['[[@x]]']}, 'body')
    """
    if not text.startswith("---"):
        return {}, text
    lines = text.split("\n", _FRONT_MATTER_LINES + 1)
    if lines[0].strip() != "---":
        return {}, text
    keys: dict[str, list[str]] = {}
    current: list[str] | None = None
    for index, line in enumerate(lines[1 : _FRONT_MATTER_LINES + 1], start=1):
        if line.strip() in ("---", "..."):
            rest = lines[index + 1 :]
            return keys, "\n".join(rest)
        if match := _KEY_RE.match(line):
            current = keys.setdefault(match["key"].lower(), [])
            if value := _unquote(match["value"]):
                current.append(value)
        elif (
            (match := _ITEM_RE.match(line))
            and current is not None
            and (value := _unquote(match["value"]))
        ):
            current.append(value)
    return {}, text


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1]
    return value.strip()


def front_matter_title(text: str) -> str | None:
    """The ``title:`` of a front matter that opens ``text`` (a saved blog source shown as a
    page), read from its opening only: the closing ``---`` may lie past what is looked at."""
    match = _FRONT_MATTER_TITLE_RE.match(text)
    return match["title"].strip("'\"") if match else None
