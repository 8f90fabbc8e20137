"""HTML bytes to one lxml tree per page, and the element helpers parsers share (text, classes).

The encoding is decided by :mod:`threadkeep.encoding`; lxml then parses the bytes with that
encoding named explicitly, so its own guess (which trusts the ``<meta>``) never applies.
"""

from __future__ import annotations

import codecs
import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import NoReturn

from lxml import etree
from lxml.etree import _Element as Element

from threadkeep.encoding import detect, unwiden
from threadkeep.errors import MalformedPage
from threadkeep.limits import MAX_ATTRIBUTES, MAX_DEPTH, MAX_TAGS, MAX_TOTAL_ATTRIBUTES

__all__ = [
    "BLOCKS",
    "BREAK",
    "INVISIBLE",
    "Ancestors",
    "Page",
    "classes",
    "clean_text",
    "element_text",
    "fold_text",
    "has_class",
    "load",
    "node_text",
]


class Ancestors:
    """The nearest ancestor of an element that passes ``test``, remembered across a tree.

    Asking about many elements of one deep page visits each node once in all, instead of
    once per element asked about: for 100 000 elements 250 levels down, 100 000 steps rather
    than 25 million.
    """

    __slots__ = ("_known", "_test")

    def __init__(self, test: Callable[[Element], bool]) -> None:
        self._test = test
        self._known: dict[Element, Element | None] = {}

    def nearest(self, element: Element) -> Element | None:
        """The nearest proper ancestor of ``element`` that passes the test, or None."""
        known = self._known
        path: list[Element] = []
        found: Element | None = None
        node = element.getparent()
        while node is not None:
            if node in known:
                found = known[node]
                break
            if self._test(node):
                found = known[node] = node
                break
            path.append(node)
            node = node.getparent()
        for passed in path:
            known[passed] = found
        return found


@dataclass(frozen=True, slots=True)
class Page:
    """One parsed HTML input: its lxml tree and the encoding it was decoded with."""

    root: Element
    encoding: str


def load(data: bytes, *, source: str | None = None) -> Page:
    """Parse HTML bytes into one lxml tree, decoding them by :func:`threadkeep.encoding.detect`.

    Raises :class:`MalformedPage` when there is no document at all (empty or only NULs), and
    when the page is past a limit of :mod:`threadkeep.limits` (``MAX_TAGS``, ``MAX_DEPTH``,
    ``MAX_ATTRIBUTES``, ``MAX_TOTAL_ATTRIBUTES``): libxml2 stops reading at its depth limit,
    and a page read in part is refused, not returned short. No network, no DTD, no entity is
    ever loaded (libxml2's HTML parser expands none; ``no_network`` is explicit).
    """
    data = unwiden(data)
    _check_tags(data, source)
    encoding, clean = detect(data)
    if encoding == "utf-8-sig":
        data, encoding = data[len(codecs.BOM_UTF8) :], "utf-8"
    if not clean or not _libxml2_knows(encoding) or not _keeps_ascii(encoding):
        # Python decodes more encodings than libxml2 (say "hp_roman8", which charset
        # sniffing may name), and replaces bad bytes (damaged UTF-8, windows-1252's five
        # undefined ones) where libxml2's converter would stop: decode here, hand it UTF-8.
        # So too for an encoding whose "<", ">" or quotes are not those ASCII bytes (a
        # declared EBCDIC, UTF-7, ISO-2022): the attribute scan reads the bytes libxml2 reads.
        data, encoding = data.decode(encoding, errors="replace").encode("utf-8"), "utf-8"
    _check_attributes(data, source, encoding)
    root, limit = _parse(data, encoding, huge=False, source=source)
    if limit is not None and "depth" not in limit:
        # A text run or attribute value over libxml2's 10 MB default (an image inlined as a
        # data: url by a "save as one file" extension): read again without that cap. The
        # input is already bounded by MAX_INPUT_BYTES, and the depth is checked below.
        root, limit = _parse(data, encoding, huge=True, source=source)
        if limit is None and _TOO_DEEP(root):
            limit = "depth"
    if limit is not None and "depth" in limit:
        raise MalformedPage(
            f"HTML nested deeper than {MAX_DEPTH} elements (threadkeep.limits.MAX_DEPTH); "
            "the page cannot be read whole",
            source=source,
        )
    if limit is not None:
        raise MalformedPage(f"HTML past libxml2's limits ({limit})", source=source)
    return Page(root=root, encoding=encoding)


_TAG_RE = re.compile(rb"<[A-Za-z]")
# An element MAX_DEPTH + 1 levels down, if any: one XPath step per level, evaluated in C.
_TOO_DEEP = etree.XPath("/" + "/".join(["*"] * (MAX_DEPTH + 1)) + "[1]")


@functools.lru_cache(maxsize=64)
def _libxml2_knows(encoding: str) -> bool:
    try:
        etree.HTMLParser(encoding=encoding)
    except LookupError:
        return False
    return True


@functools.lru_cache(maxsize=64)
def _keeps_ascii(encoding: str) -> bool:
    """Whether markup's ASCII bytes mean the same in ``encoding`` and only they do: not so in
    EBCDIC, nor in the stateful encodings, where "+ADw-" (UTF-7) or a byte pair after an
    escape (ISO-2022, HZ) can be or hide a "<"."""
    name = codecs.lookup(encoding).name
    if name.startswith(("utf-7", "utf_7", "iso2022", "hz")):
        return False
    markup = "<>=\"'/ \t\n\f\rAZaz_:"
    return markup.encode(encoding, errors="replace") == markup.encode("ascii")


def _check_tags(data: bytes, source: str | None) -> None:
    # A tag takes two bytes at least: most pages are too short to hold MAX_TAGS + 1.
    if len(data) < 2 * (MAX_TAGS + 1) or data.count(b"<") <= MAX_TAGS:
        return
    for count, _ in enumerate(_TAG_RE.finditer(data), start=1):
        if count > MAX_TAGS:
            raise MalformedPage(
                f"HTML with more than {MAX_TAGS:,} tags (threadkeep.limits.MAX_TAGS)",
                source=source,
            )


# Attributes. libxml2 checks each attribute of a start tag against all the ones before it, so
# one tag of n attributes costs n² steps (160 000 took 42 s): they are counted first, reading
# start tags as libxml2 2.14's HTML5 tokenizer does. A tag starts with "<" and a letter
# ("_" and ":" too, as older libxml2 read them); a name runs to a space, "/", ">" or "=" (and
# may begin with "=" or hold quotes); a quote opens a value only right after "=". Every
# pattern is possessive: nothing is read twice, so the scan is linear whatever the bytes.
_WS = rb"\t\n\f\r "  # in a pattern
_SPACES = b"\t\n\f\r "  # the bytes themselves


def _other(excluded: bytes) -> bytes:
    """A class of every byte but ``excluded``, written as ranges of the bytes it holds: the
    regex engine tests it with one table lookup, where a negated class (``[^">]``) tests each
    excluded byte in turn, two to five times slower. It matches the same bytes."""
    ranges, start = [], 0
    for stop in [*sorted(set(excluded)), 256]:
        if start < stop:
            ranges.append(rb"\x%02x-\x%02x" % (start, stop - 1))
        start = stop + 1
    return b"[" + b"".join(ranges) + b"]"


_SEP = rb"[%s/]*+" % _WS
_NAME_START = _other(_SPACES + b"/>")
_ATTRIBUTE = rb"%s%s*+(?:[%s]*+=[%s]*+(?:\"[^\"]*+\"|'[^']*+'|%s*+))?+" % (
    _NAME_START,
    _other(_SPACES + b"/>="),
    _WS,
    _WS,
    _other(_SPACES + b">"),
)
_TEXT = rb"(?:[^<]++|<(?![A-Za-z_:]))*+"
_OPEN = rb"<[A-Za-z_:]%s*+" % _NAME_START
# Matches the whole input unless a start tag has over MAX_ATTRIBUTES: it stops before that one.
_BOUNDED = re.compile(
    _TEXT
    + rb"(?:%s(?:%s%s){0,%d}+%s(?:>|\Z)%s)*+"
    % (_OPEN, _SEP, _ATTRIBUTE, MAX_ATTRIBUTES, _SEP, _TEXT)
)
# One match per attribute (with the text and attribute-less tags before it), and two at the
# end of an input that ends with ">": the rest, then an empty match.
_EACH = re.compile(
    rb"(?:\A%s(?:%s%s)?+)?+%s(?:>%s(?:%s%s)?+)*+(?:%s|\Z)"
    % (_TEXT, _OPEN, _SEP, _SEP, _TEXT, _OPEN, _SEP, _ATTRIBUTE)
)
# Cheap proof that no start tag is long enough for MAX_ATTRIBUTES (each takes 2 bytes or more):
# no quoted value holds a ">", and no run of bytes without one holds a tag start with over
# 2 × MAX_ATTRIBUTES bytes after it. Both searches are loops in C: a regex for the first,
# ``bytes.rfind`` over one window of 2 × MAX_ATTRIBUTES bytes at a time for the second.
_QUOTED_GT = re.compile(rb"=[%s]*+(?:\"%s*+>|'%s*+>)" % (_WS, _other(b'">'), _other(b"'>")))
_TAG_START = re.compile(rb"<[A-Za-z_:]")


# How many long "tags" libxml2 is asked about before the page is refused anyway: each question
# is one parse of the page up to that tag, so the questions are few whatever the input.
_QUESTIONS = 3
_SENTINEL = b"<threadkeep-sentinel></threadkeep-sentinel>"


def _check_attributes(data: bytes, source: str | None, encoding: str) -> None:
    spans = _long_tag_spans(data)
    if spans:
        _check_long_tags(data, source, encoding, spans)
    if len(data) <= 2 * MAX_TOTAL_ATTRIBUTES:
        return  # each attribute takes two bytes at least
    # A ">" closes any tag left open (no name or value can take it). Counting stops as soon as
    # the limit is passed: at most two matches are not attributes.
    limit = MAX_TOTAL_ATTRIBUTES + 3
    found = _EACH.subn(b"", data + b">", count=limit)[1] - 2
    if found > MAX_TOTAL_ATTRIBUTES:
        raise MalformedPage(
            f"HTML with more than {MAX_TOTAL_ATTRIBUTES:,} attributes "
            "(threadkeep.limits.MAX_TOTAL_ATTRIBUTES)",
            source=source,
        )


def _check_long_tags(
    data: bytes, source: str | None, encoding: str, spans: list[tuple[int, int]]
) -> None:
    """Refuse a start tag of over MAX_ATTRIBUTES attributes, as libxml2 would read it.

    ``spans`` are where such a tag may be (see :func:`_long_tag_spans`), each read from its
    start in the text between tags. The scan reads markup, not context: "<n; i++) { …" in a
    script, a comment or a title reads as a start tag to it, and as text to libxml2, which
    checks no attribute there. So each long tag the scan finds is put to libxml2 itself: the
    page up to that tag, then a sentinel element. Where the sentinel is an element, the tag is
    one too, and the page is refused; where it is text, the scan goes on after that tag. Past
    ``_QUESTIONS`` lookalikes in one page, it is refused rather than parsed again and again.
    """
    asked = 0
    for start, stop in spans:
        while True:
            found = _BOUNDED.match(data, start, stop)
            end = found.end()  # type: ignore[union-attr]  # matches "" at least
            if end >= stop:
                break
            if asked == _QUESTIONS:
                problem = f"{_QUESTIONS + 1} runs of text that read as start tags of more than"
                _refuse(problem, end, source)
            asked += 1
            if _is_element_at(data, end, encoding, source):
                _refuse("HTML element with more than", end, source)
            after = data.find(b">", end)
            if after < 0:
                return  # libxml2 reads the rest as text (it was asked): no tag, no attribute
            start = after + 1


def _refuse(problem: str, end: int, source: str | None) -> NoReturn:
    raise MalformedPage(
        f"{problem} {MAX_ATTRIBUTES:,} attributes at byte {end:,} "
        "(threadkeep.limits.MAX_ATTRIBUTES)",
        source=source,
    )


def _is_element_at(data: bytes, where: int, encoding: str, source: str | None) -> bool:
    """Whether libxml2 reads a tag starting at byte ``where`` as an element (not as text)."""
    root, _ = _parse(data[:where] + _SENTINEL, encoding, huge=True, source=source)
    return next(root.iter("threadkeep-sentinel"), None) is not None


def _long_tag_spans(data: bytes) -> list[tuple[int, int]]:
    """Where a start tag may be 2 × MAX_ATTRIBUTES bytes long: none on nearly every page.

    A ">" ends any tag open there unless it is inside a quoted value. Before the first "="
    that may open a quoted value holding a ">" (none on most pages), no ">" is in one (the
    search tried every "=" before it): each tag there ends at the first ">" after it, and
    only a long run of bytes without one can hold a long tag: the run from its first tag
    start (a tag there holds the rest of the run) to its ">", when that is long enough. After
    the last ">" before that "=", a tag may run past a ">": the rest of the page is read whole.
    """
    quoted = _QUOTED_GT.search(data)
    closed = len(data) if quoted is None else data.rfind(b">", 0, quoted.start()) + 1
    spans = []
    for start, end in _long_runs(data, closed, 2 * MAX_ATTRIBUTES):
        tag = _TAG_START.search(data, start, end)
        if tag is not None and end - tag.start() >= 2 * MAX_ATTRIBUTES:
            spans.append((tag.start(), min(end + 1, len(data))))
    if closed < len(data):
        spans.append((closed, len(data)))
    return spans


def _long_runs(data: bytes, stop: int, length: int) -> Iterator[tuple[int, int]]:
    """Where each run of ``length`` bytes or more without a ">" starts and ends, in the first
    ``stop`` bytes (a run starts the input or follows a ">"). Each step looks at the next
    ``length`` bytes only: the last ">" among them starts the next run to try."""
    start = 0
    while stop - start >= length:
        last = data.rfind(b">", start, start + length)
        if last >= 0:
            start = last + 1
            continue
        end = data.find(b">", start + length, stop)
        end = end if end >= 0 else stop
        yield start, end
        start = end + 1


def _parse(
    data: bytes, encoding: str, *, huge: bool, source: str | None
) -> tuple[Element, str | None]:
    """One libxml2 parse; also says which resource limit stopped it, if one did."""
    # A plain etree parser, not lxml.html's: its elements need no Python class lookup, which
    # makes every element the parsers touch about 2.5 times cheaper.
    parser = etree.HTMLParser(
        encoding=encoding, remove_comments=True, no_network=True, huge_tree=huge
    )
    try:
        root = etree.fromstring(data, parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise MalformedPage(f"no HTML document could be read ({exc})", source=source) from exc
    if root is None:
        raise MalformedPage("no HTML document could be read (no elements)", source=source)
    for entry in parser.error_log:
        if entry.type == etree.ErrorTypes.ERR_RESOURCE_LIMIT:
            message = entry.message.strip()
            return root, "depth" if "depth" in message.lower() else message
    return root, None


# What needs folding to one space: a run of two or more, or one that is not a space. Plain
# single spaces, most of any text, are left alone: matching them too made re.sub build a
# list of every word of a long text (1.3 GB for a 64 MiB tweet). The pattern opens with one
# character class, so the regex engine skips in C to the next whitespace instead of trying
# an alternation at every character (twice as fast on tweets).
_SPACE_RE = re.compile(r"[ \t\r\n\f\v\u00a0](?:(?<! )|[ \t\r\n\f\v\u00a0])[ \t\r\n\f\v\u00a0]*")


def clean_text(value: str) -> str:
    """Collapse runs of whitespace (newlines included) to one space and strip the ends."""
    return _SPACE_RE.sub(" ", value).strip()


def node_text(element: Element) -> str:
    """All text inside ``element`` (its tail excluded), like lxml.html's ``text_content``."""
    return "".join(element.itertext())


def classes(element: Element) -> list[str]:
    """The element's classes (its ``class`` attribute split on whitespace)."""
    value = element.get("class")
    return value.split() if value else []


def has_class(element: Element, name: str) -> bool:
    """True when ``name`` is one of the element's classes."""
    return name in classes(element)


def element_text(element: Element, *, skip: frozenset[str] = frozenset()) -> str:
    """Readable text of an element: ``<br>`` and block ends become line breaks.

    Whitespace inside text runs collapses to one space (template indentation is not text);
    elements whose class is in ``skip`` are left out, with their tails kept.
    """
    parts: list[str] = []
    _collect(element, parts, skip)
    return fold_text(parts)


def fold_text(parts: list[str]) -> str:
    """The text of ``parts`` collected as :func:`element_text` collects them: whitespace
    folded, each :data:`BREAK` a line break, lines stripped."""
    # Line breaks are collected as a sentinel, so that one pass can fold the markup's own
    # whitespace (newlines included) without touching them.
    text = _SPACE_RE.sub(" ", "".join(parts))
    if BREAK not in text:
        return text.strip()
    return "\n".join(line.strip() for line in text.split(BREAK)).strip("\n")


BREAK = "\x00"  # never in parsed text: XML forbids NUL
"""A line break (``<br>``, a block's end) among collected text parts."""
BLOCKS = frozenset({"p", "div", "li", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "tr"})
"""Elements whose text stands on lines of its own."""
INVISIBLE = frozenset({"script", "style", "template", "noscript"})
"""Elements whose text is never shown."""


def _collect(element: Element, parts: list[str], skip: frozenset[str]) -> None:
    # Each text and tail is read once: lxml builds a new string at every access.
    if text := element.text:
        parts.append(text)
    for child in element:
        tag = child.tag
        if tag == "br":
            parts.append(BREAK)
        elif not isinstance(tag, str) or tag in INVISIBLE:
            pass  # comments, processing instructions, scripts
        elif skip and (names := child.get("class")) and not skip.isdisjoint(names.split()):
            pass
        elif tag in BLOCKS:
            if parts and not parts[-1].endswith(BREAK):
                parts.append(BREAK)
            _collect(child, parts, skip)
            parts.append(BREAK)
        else:
            _collect(child, parts, skip)
        if tail := child.tail:
            parts.append(tail)
