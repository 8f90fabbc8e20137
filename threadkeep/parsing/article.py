"""Articles and blog posts: every embedded tweet in page order, and runs of one author's tweets.

An article with no embedded tweets is still an :class:`Article` (empty), as long as the page
says it is one (``og:type`` article, an ``<article>`` element, ``article:published_time``,
schema.org Article/NewsArticle/BlogPosting JSON-LD) or reads as one: paragraphs of sentences
in its content (:mod:`threadkeep.parsing.prose`; ``<p>`` elements outside navigation, header,
footer, sidebars and forms, each ``<br>``-separated line a paragraph of its own, as 2000s blogs
wrote them). Saved blog sources and post bodies without a ``<head>`` declare nothing, so the
prose is what says they are articles; their paragraphs are often no ``<p>`` at all but text
between blank lines (a WordPress post's raw content, Markdown with inline HTML), so the page's
text outside ``<p>`` is read too, split at blank lines and at block elements. Other pages with
no tweets (a login form, a directory listing, a page of opening hours) are not something
threadkeep can parse.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

from lxml import etree
from lxml.etree import _Element as Element

from threadkeep.models import Article, Tweet
from threadkeep.parsing.embed_ids import ALL_HINTS
from threadkeep.parsing.embeds import find_embeds
from threadkeep.parsing.prose import reads_as_prose
from threadkeep.parsing.shared import (
    canonical_url,
    first_text,
    front_matter_title,
    group_threads,
    meta,
    page_title,
)

__all__ = ["article_url", "is_article", "parse_article", "reads_as_article"]

_ARTICLE_MARKERS = etree.XPath(
    "(/descendant::article | /descendant::meta[@property = 'article:published_time']"
    " | /descendant::meta[@property = 'og:type'][contains(@content, 'article')]"
    " | /descendant::script[@type = 'application/ld+json']"
    "[contains(., 'Article') or contains(., 'BlogPosting')])[1]"
)
_H1 = etree.XPath("/descendant::h1")
# Paragraphs of the content: not those of page chrome (menus, headers, footers, sidebars, forms).
_CHROME = ("nav", "header", "footer", "aside", "form", "menu")
_PARAGRAPHS = etree.XPath(
    "/descendant::p[not(ancestor::*[" + " or ".join(f"self::{tag}" for tag in _CHROME) + "])]"
)
_MAX_PARAGRAPHS = 2000  # enough to decide; a page is not read further for this
_NO_TEXT = ("script", "style", "template", "noscript")
_FRONT_MATTER_CHARS = 4000  # a saved blog source's front matter starts its text
_LOOSE_SKIP = (*_NO_TEXT, "pre", "code", *_CHROME)
_BLOCK_TAGS = frozenset(
    {"p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote"}
    | {"section", "article", "table", "tr", "hr", "figure"}
)
_MAX_PARTS = 20_000  # enough text to decide; a page is not read further for this
_BLANK_LINE_RE = re.compile(r"\n[ \t\r]*\n")


def is_article(root: Element) -> bool:
    """True when the page declares itself an article or blog post."""
    return bool(_ARTICLE_MARKERS(root))


def reads_as_article(root: Element) -> bool:
    """True when the page's content is prose: paragraphs of sentences (see the module docstring)."""
    return reads_as_prose(_blocks(root)) or reads_as_prose(_loose_blocks(root))


def _loose_blocks(root: Element) -> list[str]:
    """The page's text outside scripts, code and chrome, cut at blank lines and at block
    elements: the paragraphs of a source written without ``<p>``."""
    parts: list[str] = []
    skip = 0
    for event, element in etree.iterwalk(root, events=("start", "end")):
        tag = element.tag if isinstance(element.tag, str) else None  # None: a comment, a PI
        if event == "start":
            skip += tag in _LOOSE_SKIP
            if tag in _BLOCK_TAGS:
                parts.append("\n\n")
            if tag is not None and not skip:
                parts.append(element.text or "")
            continue
        skip -= tag in _LOOSE_SKIP
        if not skip and element is not root:
            parts.append(element.tail or "")
        if len(parts) > _MAX_PARTS:
            break
    return _BLANK_LINE_RE.split("".join(parts))


def _blocks(root: Element) -> Iterator[str]:
    """The text of each content paragraph, each ``<br>``-separated line of it on its own."""
    for paragraph in itertools.islice(_PARAGRAPHS(root), _MAX_PARAGRAPHS):
        yield from _lines(paragraph)


def _lines(paragraph: Element) -> list[str]:
    lines: list[list[str]] = [[]]
    skip = 0  # depth inside an element whose text is not read (a script, a style)
    for event, element in etree.iterwalk(paragraph, events=("start", "end")):
        tag = element.tag if isinstance(element.tag, str) else None  # None: a comment, a PI
        if event == "start":
            skip += tag in _NO_TEXT
            if tag == "br":
                lines.append([])
            elif tag is not None and not skip:
                lines[-1].append(element.text or "")
            continue
        skip -= tag in _NO_TEXT
        if element is not paragraph and not skip:
            lines[-1].append(element.tail or "")
    return ["".join(parts) for parts in lines]


def article_url(root: Element, url: str | None) -> str | None:
    """The page's url: ``url`` when known, else what the page says (``og:url``, canonical)."""
    return url or meta(root, "og:url") or canonical_url(root)


def _front_matter_title(root: Element) -> str | None:
    """The ``title:`` of a Markdown/Jekyll source's front matter (saved blog sources)."""
    body = root.find("body")
    texts = (body if body is not None else root).itertext()
    opening = ""
    for piece in texts:  # a front matter opens the text: most pages are told by a few words
        opening += piece
        if len(opening.lstrip()) >= len("---"):
            break
    if not opening.lstrip().startswith("---"):
        return None
    return front_matter_title(_text_up_to(opening, texts, _FRONT_MATTER_CHARS))


def _text_up_to(text: str, more: Iterator[str], limit: int) -> str:
    """``text`` and the pieces that follow it, joined, cut at ``limit`` characters: only the
    pieces within the limit are read (not the whole page's text)."""
    pieces = [text]
    size = len(text)
    for piece in more:
        if size >= limit:
            break
        pieces.append(piece)
        size += len(piece)
    return "".join(pieces)[:limit]


def parse_article(
    root: Element,
    *,
    url: str | None = None,
    tweets: list[Tweet] | None = None,
    hints: frozenset[str] = ALL_HINTS,
) -> Article:
    """Parse a page that embeds tweets (or declares itself an article) into an :class:`Article`.

    ``tweets`` are its embeds when the caller has read them already (with
    :func:`article_url` as their base); ``hints``, which rarer embed families to look for.
    """
    page_url = article_url(root, url)
    if tweets is None:
        tweets = find_embeds(root, base=page_url, hints=hints)
    title = (
        meta(root, "og:title", "twitter:title")
        or page_title(root)
        or _front_matter_title(root)
        or first_text(_H1(root))
    )
    return Article(url=page_url, title=title, tweets=tuple(tweets), threads=group_threads(tweets))
