"""Prose: what tells an article that embeds no tweet from a stray fragment, in HTML and text.

A copy with no tweet is an :class:`~threadkeep.Article` (empty) when it reads as one, and an
error otherwise (issue 13, class 5). "Reads as one" is decided by the shape of the text, never
by the site: paragraphs of sentences. A **prose block** is a paragraph (an HTML ``<p>`` or each
``<br>``-separated line of one; a text paragraph or line) of at least :data:`BLOCK_WORDS` words
that ends a sentence somewhere (``.``, ``!``, ``?``, ``…`` before a space or the end; ``。``,
``！``, ``？`` anywhere). A copy reads as an article with :data:`MIN_BLOCKS` prose blocks holding
:data:`MIN_WORDS` words. A library's opening hours (two short lines), a login form, a directory
listing, a lone social-network reply of 87 words are not; a blog post, a news story or a
newsletter issue are, whatever their language.

Words are runs of non-space characters; in scripts written without spaces (Chinese, Japanese,
Thai) every :data:`CJK_CHARS_PER_WORD` characters count as one
word, so that a Japanese news story is as long as its English translation. Counting stops as
soon as the answer is known, and every pattern here is a single character class or a run of
one: linear on any input.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

__all__ = [
    "BLOCK_WORDS",
    "MIN_BLOCKS",
    "MIN_WORDS",
    "is_prose_block",
    "reads_as_prose",
    "sentences",
    "word_count",
]

BLOCK_WORDS = 8
"""A shorter paragraph is a caption, a label or a line of chrome, not prose."""
MIN_BLOCKS = 3
MIN_WORDS = 100
CJK_CHARS_PER_WORD = 2
_LONGEST_WORD = 4 * MIN_WORDS * CJK_CHARS_PER_WORD  # a longer run of characters is no prose

_WORD_RE = re.compile(r"\S+")
# Thai, kana and Han: scripts whose words are not separated by spaces (Korean has spaces).
_UNSPACED_RE = re.compile("[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")
_SENTENCE_END_RE = re.compile(
    "[.!?\u2026][\"'\u201d\u2019\u00bb)\\]]*(?:\\s|$)"  # ". " or '!" ' or "…" at the end
    "|[\u3002\uff01\uff1f]"  # 。！？ need no space after them
)


def word_count(text: str, limit: int) -> int:
    """The words of ``text`` (see the module docstring), counted up to ``limit``."""
    count = 0
    for match in _WORD_RE.finditer(text):
        word = match.group()[:_LONGEST_WORD]
        unspaced = 0 if word.isascii() else sum(1 for _ in _UNSPACED_RE.finditer(word))
        count += max(1, unspaced // CJK_CHARS_PER_WORD) if unspaced else 1
        if count >= limit:
            return count
    return count


def is_prose_block(text: str) -> bool:
    """True when ``text`` is a paragraph of prose: long enough, and a sentence ends in it."""
    return word_count(text, BLOCK_WORDS) >= BLOCK_WORDS and bool(_SENTENCE_END_RE.search(text))


def sentences(text: str) -> Iterator[str]:
    """The sentences of ``text``, across line breaks: each piece up to a sentence end (a
    hard-wrapped copy's prose blocks, whose lines end anywhere)."""
    start = 0
    for end in _SENTENCE_END_RE.finditer(text):
        yield text[start : end.end()]
        start = end.end()


def reads_as_prose(blocks: Iterable[str]) -> bool:
    """True when ``blocks`` (paragraphs, in order) hold enough prose to be an article.

    Reads only as many blocks as it needs.
    """
    found = words = 0
    for block in blocks:
        if not is_prose_block(block):
            continue
        found += 1
        words += word_count(block, MIN_WORDS)
        if found >= MIN_BLOCKS and words >= MIN_WORDS:
            return True
    return False
