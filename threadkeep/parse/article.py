"""Articles and blog posts: every embedded tweet in page order, and runs of one author's tweets.

An article with no embedded tweets is still an :class:`Article` (empty), as long as the page
says it is one (``og:type`` article, an ``<article>`` element, article metadata or JSON-LD);
other pages with no tweets are not something threadkeep can parse.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import timedelta

from lxml import etree
from lxml.etree import _Element as Element

from threadkeep.models import Article, Thread, Tweet
from threadkeep.parse.embeds import find_embeds
from threadkeep.parse.trapage import first_text, meta, page_title

__all__ = ["group_threads", "is_article", "parse_article"]

_ARTICLE_MARKERS = etree.XPath(
    "(/descendant::article | /descendant::meta[@property = 'article:published_time']"
    " | /descendant::meta[@property = 'og:type'][contains(@content, 'article')]"
    " | /descendant::script[@type = 'application/ld+json']"
    "[contains(., 'Article') or contains(., 'BlogPosting')])[1]"
)
_H1 = etree.XPath("/descendant::h1")
_CANONICAL = etree.XPath("/descendant::link[@rel = 'canonical']/@href")


def is_article(root: Element) -> bool:
    """True when the page declares itself an article or blog post."""
    return bool(_ARTICLE_MARKERS(root))


THREAD_GAP = timedelta(days=7)
"""The longest pause between two tweets of one thread found in an article."""


def _far_apart(first: Tweet, second: Tweet) -> bool:
    if first.created_at is None or second.created_at is None:
        return False
    return abs(second.created_at - first.created_at) > THREAD_GAP


def group_threads(tweets: Sequence[Tweet]) -> tuple[Thread, ...]:
    """Runs of two or more consecutive tweets by one author, each as a :class:`Thread`.

    Consecutive means nothing by another author between them: an article quoting eight tweets
    of one head of state, with prose between, shows one thread of eight. Two tweets whose
    times are known and more than :data:`THREAD_GAP` apart are not one thread (a post showing
    an author's tweets of August and of the next April).
    """
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
    threads = []
    for run in runs:
        if len(run) < 2:
            continue
        first = run[0]
        threads.append(
            Thread(
                id=first.id,
                url=first.url,
                author=first.author,
                created_at=first.created_at,
                date_text=first.date_text,
                tweets=tuple(
                    t.model_copy(update={"position": index}) for index, t in enumerate(run, start=1)
                ),
            )
        )
    return tuple(threads)


_FRONT_MATTER_RE = re.compile(r"\A\s*---\s*\n(?:.*\n)*?title:\s*(?P<title>.+?)\s*\n", re.M)


def _front_matter_title(root: Element) -> str | None:
    """The ``title:`` of a Markdown/Jekyll source's front matter (saved blog sources)."""
    body = root.find("body")
    start = "".join((body if body is not None else root).itertext())[:4000]
    match = _FRONT_MATTER_RE.match(start)
    return match["title"].strip("'\"") if match else None


def parse_article(root: Element, *, url: str | None = None) -> Article:
    """Parse a page that embeds tweets (or declares itself an article) into an :class:`Article`."""
    page_url = url or meta(root, "og:url")
    if page_url is None:
        canonical = _CANONICAL(root)
        page_url = str(canonical[0]) if canonical else None
    tweets = find_embeds(root, base=page_url)
    title = (
        meta(root, "og:title", "twitter:title")
        or page_title(root)
        or _front_matter_title(root)
        or first_text(_H1(root))
    )
    return Article(url=page_url, title=title, tweets=tuple(tweets), threads=group_threads(tweets))
