"""Articles and blog posts: every embedded tweet in page order, and runs of one author's tweets.

An article with no embedded tweets is still an :class:`Article` (empty), as long as the page
says it is one (``og:type`` article, an ``<article>`` element, article metadata or JSON-LD);
other pages with no tweets are not something threadkeep can parse.
"""

from __future__ import annotations

from lxml import etree
from lxml.etree import _Element as Element

from threadkeep.models import Article, Tweet
from threadkeep.parsing.embeds import find_embeds
from threadkeep.parsing.shared import (
    canonical_url,
    first_text,
    front_matter_title,
    group_threads,
    meta,
    page_title,
)

__all__ = ["article_url", "is_article", "parse_article"]

_ARTICLE_MARKERS = etree.XPath(
    "(/descendant::article | /descendant::meta[@property = 'article:published_time']"
    " | /descendant::meta[@property = 'og:type'][contains(@content, 'article')]"
    " | /descendant::script[@type = 'application/ld+json']"
    "[contains(., 'Article') or contains(., 'BlogPosting')])[1]"
)
_H1 = etree.XPath("/descendant::h1")
_FRONT_MATTER_CHARS = 4000  # a saved blog source's front matter starts its text


def is_article(root: Element) -> bool:
    """True when the page declares itself an article or blog post."""
    return bool(_ARTICLE_MARKERS(root))


def article_url(root: Element, url: str | None) -> str | None:
    """The page's url: ``url`` when known, else what the page says (``og:url``, canonical)."""
    return url or meta(root, "og:url") or canonical_url(root)


def _front_matter_title(root: Element) -> str | None:
    """The ``title:`` of a Markdown/Jekyll source's front matter (saved blog sources)."""
    body = root.find("body")
    return front_matter_title(
        "".join((body if body is not None else root).itertext())[:_FRONT_MATTER_CHARS]
    )


def parse_article(
    root: Element, *, url: str | None = None, tweets: list[Tweet] | None = None
) -> Article:
    """Parse a page that embeds tweets (or declares itself an article) into an :class:`Article`.

    ``tweets`` are its embeds when the caller has read them already (with
    :func:`article_url` as their base).
    """
    page_url = article_url(root, url)
    if tweets is None:
        tweets = find_embeds(root, base=page_url)
    title = (
        meta(root, "og:title", "twitter:title")
        or page_title(root)
        or _front_matter_title(root)
        or first_text(_H1(root))
    )
    return Article(url=page_url, title=title, tweets=tuple(tweets), threads=group_threads(tweets))
