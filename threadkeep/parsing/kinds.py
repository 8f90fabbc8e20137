"""The table of source kinds: what each kind of copy is, how it is recognised, what it becomes.

:data:`KINDS` is walked in order by :func:`threadkeep.parsing.parse` and
:func:`threadkeep.parsing.detect`; the first row whose detector finds something wins. A row is:

* ``name``: what :func:`threadkeep.detect` says (one name may have several rows, each a
  different way of recognising it);
* ``form``: which inputs it applies to: ``html``, ``text``, ``json``, or ``markdown`` (text
  inputs, and HTML inputs that show signs of Markdown);
* ``detect``: reads the :class:`~threadkeep.parsing.inputs.Input` and returns a typed finding
  (what it found: the tweet elements, the embeds, the lines…) or None; it may raise a
  :class:`~threadkeep.ParseError` for a page it recognises and refuses;
* ``build``: turns that finding and the page url into the model, reusing what the detector
  found instead of finding it again;
* ``sighting``: the :class:`~threadkeep.Sighting` kind of the result (None: threadkeep's own
  JSON, which keeps the sighting it has);
* ``description``: what such an input is, in words, for errors.

Order matters, and encodes rules: a Thread Reader page is read before its embeds (unless a
page quoting its markup holds a real embed of its own), a Markdown clipping sniffed as HTML
is tried only after every HTML kind, and a Thread Reader page showing no thread is refused
with its reason before the article fallback (a page that declares itself an article or reads
as one: an empty Article when it embeds no tweet).

**Adding a source kind** takes one module (pure functions of the tree, text or document: a
detector and a builder) and one row here, placed where its rule belongs in the order. Inputs
that hold many results (a zip or folder account export, a WARC file) are not a row: the batch
layer opens the container and hands each member or record to :func:`threadkeep.parse`, which
stays one input → one result.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

from lxml.etree import _Element as Element

from threadkeep.errors import UnsupportedPage
from threadkeep.models import Article, Result, SightingKind, Thread, Tweet
from threadkeep.parsing import (
    answers,
    article,
    embed_ids,
    embeds,
    listing,
    markdown,
    nitter,
    status_page,
    substack_cards,
    text_article,
    text_threadreader,
    threadreader,
    threadreader_page,
)
from threadkeep.parsing.inputs import Form, Input
from threadkeep.parsing.json_input import is_own_json, read_own_json

__all__ = ["KINDS", "NOTHING_FOUND", "Detected", "SourceKind"]

Detected = Literal[
    "threadreader",
    "listing",
    "article",
    "oembed",
    "syndication",
    "threadkeep",
    "text-thread",
    "text-listing",
    "text-article",
    "markdown-thread",
    "nitter",
    "export",
    "status",
]
F = TypeVar("F")


@dataclass(frozen=True, slots=True)
class SourceKind(Generic[F]):
    """One row of the table (see the module docstring)."""

    name: Detected
    form: Form | Literal["markdown"]
    detect: Callable[[Input], F | None]
    build: Callable[[F, str | None], Result]
    sighting: SightingKind | None
    description: str

    def applies_to(self, form: Form) -> bool:
        """True when this row reads inputs of ``form``."""
        return self.form == form or (self.form == "markdown" and form != "json")

    def find(self, page: Input) -> Callable[[str | None], Result] | None:
        """The builder of this kind's model for ``page`` when the detector finds it, or None."""
        finding = self.detect(page)
        return None if finding is None else functools.partial(self.build, finding)


@dataclass(frozen=True, slots=True)
class ThreadMarkup:
    """A Thread Reader thread page's tweets, or the permalinks of a page derived from one."""

    root: Element
    elements: list[Element]
    marks: list[Element] | None


@dataclass(frozen=True, slots=True)
class Embeds:
    """A page (tree or text) and the tweets already read from it, if they were; ``hints``,
    the rarer embed families its bytes may hold."""

    page: Any
    tweets: list[Tweet] | None
    hints: frozenset[str] = embed_ids.ALL_HINTS


def _thread_markup(page: Input) -> ThreadMarkup | None:
    if not page.marked:
        return None
    root = page.root
    elements = threadreader.thread_tweet_elements(root)
    marks = None if elements else threadreader.permalinks(root)
    if not elements and not marks:
        return None
    # A blog post quoting Thread Reader's markup (say, in a code sample) beside a real embed is
    # an article; Thread Reader's own pages embed only inside their tweets.
    if threadreader_page.is_threadreader(root) or not embeds.has_standalone_embeds(root):
        return ThreadMarkup(root, elements, marks)
    return None


def _build_thread(found: ThreadMarkup, url: str | None) -> Thread:
    return threadreader.parse_thread(
        found.root, url=url, elements=found.elements, marks=found.marks
    )


def _listing(page: Input) -> Element | None:
    return page.root if page.marked and listing.is_listing(page.root) else None


def _nitter(page: Input) -> tuple[Element, list[Element]] | None:
    if not page.marked:
        return None
    items = nitter.nitter_items(page.root)
    return None if items is None else (page.root, items)


def _embedding(page: Input) -> Embeds | None:
    found = embeds.has_embeds(page.root)
    return Embeds(page.root, None, page.embed_hints) if found else None


def _markdown(page: Input) -> str | None:
    text = page.markdown
    return text if text is not None and markdown.is_markdown_unroll(text) else None


def _substack_cards(page: Input) -> Embeds | None:
    text = page.markdown
    if text is None and not page.raw.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        text = page.text  # a text copy a few leaked tags made "HTML": its text cards count
    tweets = substack_cards.find_cards(text) if text is not None else []
    return Embeds(text, tweets) if tweets else None


def _article(page: Input) -> Embeds | None:
    """The fallback for HTML: a page that says it is an article, holds embeds of a form the
    quick check does not look for (bare status links, CMS wrappers), or reads as an article
    (paragraphs of prose: an article with no tweets is an empty Article, not an error)."""
    root = page.root
    if threadreader_page.is_threadreader(root):
        reason = threadreader_page.unavailable_reason(root)
        raise UnsupportedPage(reason or "Thread Reader page with no thread and no thread cards")
    hints = page.embed_hints
    if article.is_article(root):
        return Embeds(root, None, hints)
    tweets = embeds.find_embeds(root, base=article.article_url(root, page.url), hints=hints)
    return Embeds(root, tweets, hints) if tweets or article.reads_as_article(root) else None


def _build_article(found: Embeds, url: str | None) -> Article:
    return article.parse_article(found.page, url=url, tweets=found.tweets, hints=found.hints)


def _text_listing(page: Input) -> list[str] | None:
    return page.lines if text_threadreader.is_text_listing(page.lines) else None


def _text_thread(page: Input) -> list[str] | None:
    return page.lines if text_threadreader.is_text_thread(page.lines) else None


def _text_article(page: Input) -> Embeds | None:
    tweets = text_article.find_text_embeds(page.text)
    if tweets or text_article.looks_like_article(page.text):
        return Embeds(page.text, tweets)
    return None


def _build_text_article(found: Embeds, url: str | None) -> Article:
    return text_article.parse_text_article(found.page, url=url, tweets=found.tweets)


def _json(test: Callable[[object], bool]) -> Callable[[Input], Any]:
    return lambda page: page.document if test(page.document) else None


KINDS: tuple[SourceKind[Any], ...] = (
    SourceKind(
        "threadreader", "html", _thread_markup, _build_thread, "threadreader",
        "a Thread Reader thread page",
    ),
    SourceKind(
        "listing", "html", _listing, lambda root, url: listing.parse_listing(root, url=url),
        "listing", "a Thread Reader listing page",
    ),
    SourceKind(
        "nitter", "html", _nitter,
        lambda found, url: nitter.parse_nitter(found[0], url=url, items=found[1]),
        "nitter", "a Nitter page",
    ),
    SourceKind(
        "status", "html", status_page.find_status_page,
        lambda found, url: status_page.parse_status_page(found, url=url),
        "status", "a twitter.com status page",
    ),
    SourceKind("article", "html", _embedding, _build_article, "embed", "an article"),
    SourceKind(
        "markdown-thread", "markdown", _markdown,
        lambda text, url: markdown.parse_markdown_unroll(text, url=url),
        "text", "a Markdown copy of a Thread Reader thread",
    ),
    SourceKind(
        "text-article", "markdown", _substack_cards, _build_text_article,
        "text", "a Markdown copy of a Substack post (its static tweet cards)",
    ),
    SourceKind("article", "html", _article, _build_article, "embed", "an article"),
    SourceKind(
        "text-listing", "text", _text_listing,
        lambda lines, url: text_threadreader.parse_text_listing(lines, url=url),
        "text", "a text copy of a Thread Reader listing",
    ),
    SourceKind(
        "text-thread", "text", _text_thread,
        lambda lines, url: text_threadreader.parse_text_thread(lines, url=url),
        "text", "a text copy of a Thread Reader thread",
    ),
    SourceKind(
        "text-article", "text", _text_article,
        _build_text_article,
        "text", "a text copy of an article",
    ),
    SourceKind(
        "oembed", "json", _json(answers.is_oembed),
        lambda document, url: answers.parse_oembed(document), "oembed",
        "an oEmbed answer about one tweet",
    ),
    SourceKind(
        "syndication", "json", _json(answers.is_syndication),
        lambda document, url: answers.parse_syndication(document, url=url), "syndication",
        "a syndication answer about one tweet",
    ),
    SourceKind(
        "threadkeep", "json", _json(is_own_json), lambda document, url: read_own_json(document),
        None, "threadkeep's own JSON",
    ),
)  # fmt: skip

NOTHING_FOUND: dict[Form, str] = {
    "html": "HTML page with no tweets and no Thread Reader markup",
    "text": "plain text with no tweets, no Thread Reader thread or listing in it",
    "json": "JSON that is neither an oEmbed nor a syndication tweet answer",
}
"""What :class:`UnsupportedPage` says when no row of an input's form finds anything."""
