"""HTML bytes to one lxml tree per page, and the element helpers parsers share (text, classes).

The encoding is decided by :mod:`threadkeep.encoding`; lxml then parses the bytes with that
encoding named explicitly, so its own guess (which trusts the ``<meta>``) never applies.
"""

from __future__ import annotations

import codecs
import functools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from lxml import etree
from lxml.etree import _Element as Element

from threadkeep.encoding import detect, unwiden
from threadkeep.errors import MalformedPage
from threadkeep.limits import MAX_ATTRIBUTES, MAX_DEPTH, MAX_TAGS, MAX_TOTAL_ATTRIBUTES

# The attribute scan below reads markup as libxml2 2.14's HTML5 tokenizer does (lxml 6 wheels
# bundle it). An older libxml2 tokenizes some markup otherwise, and the limits the scan checks
# before libxml2 reads a page would not hold: refuse to run on one rather than parse unsafely.
if etree.LIBXML_VERSION < (2, 14):
    version = ".".join(map(str, etree.LIBXML_VERSION))
    raise ImportError(
        f"threadkeep needs libxml2 2.14 or newer (as lxml 6 bundles it); this lxml uses libxml2"
        f" {version}, whose HTML tokenizer its input limits are not written for:"
        " pip install 'lxml>=6.0'"
    )

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
    """One parsed HTML input: its lxml tree, the encoding it was decoded with and the bytes
    libxml2 read (UTF-8 where the input's encoding was decoded here first)."""

    root: Element
    encoding: str
    markup: bytes


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
    _check_attributes(data, source)
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
    return Page(root=root, encoding=encoding, markup=data)


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
# the page as libxml2 2.14's HTML5 tokenizer does, state for state. Both ways matter: text the
# scan took for a tag, or a tag it took for text, could hold a quote that hides the next real
# tag's attributes from it (as "<!-- <a title=" -->" or "<_a title="" did before). Every
# pattern is possessive and its units start with different bytes: nothing is read twice, so
# the scan is linear whatever the bytes.
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


# In a tag, "/" separates; a name runs to a space, "/", ">" or "=" (and may begin with "=" or
# hold quotes); a quote opens a value only right after "=", and the value runs to its closing
# quote or to the end of the input, never to a ">". A tag's name starts with an ASCII letter
# ("<_" or "<:" is text) and runs to a space, "/" or ">".
_SEP = rb"[%s/]*+" % _WS
_NAME_START = _other(_SPACES + b"/>")
_ATTRIBUTE = rb"%s%s*+(?:[%s]*+=[%s]*+(?:\"[^\"]*+(?:\"|\Z)|'[^']*+(?:'|\Z)|%s*+))?+" % (
    _NAME_START,
    _other(_SPACES + b"/>="),
    _WS,
    _WS,
    _other(_SPACES + b">"),
)
_ATTRIBUTES = rb"(?:%s%s)*+" % (_SEP, _ATTRIBUTE)
_NAME = rb"[A-Za-z]%s*+" % _NAME_START
_ENDS = rb"(?=[%s/>])" % _WS  # what ends a name in a tag
# Outside tags, after a "<": a comment ("<!-->" and "<!--->" are whole ones, others run to
# "-->" or "--!>"); a bogus comment or a doctype, to the first ">" ("<!", "<?", and "</"
# without a letter: "</>" too); an end tag, whose attributes libxml2 reads and drops; or
# nothing, where the "<" is text. Each runs to the end of the input if it is not closed.
_COMMENT_REST = rb"(?:>|->|(?:[^-]++|-(?!-!?>))*+(?:--!?>|\Z))"
_OUTSIDE_AFTER_LT = rb"!--%s|[!?][^>]*+(?:>|\Z)" % _COMMENT_REST
_OUTSIDE_AFTER_LT += rb"|/%s%s%s(?:>|\Z)|/[^>]*+(?:>|\Z)" % (_NAME, _ATTRIBUTES, _SEP)
_OUTSIDE = rb"[^<]++|<(?:%s|(?![A-Za-z]))" % _OUTSIDE_AFTER_LT
# A start tag ending in ">" (not "/>", which libxml2 reads as an empty element) of these nine
# opens raw text, read up to "</", its name and a space, "/" or ">" (a plaintext's, to the
# end); no other (not noscript, nor template) does in libxml2 2.14: tests/test_hostile.py
# checks the list against it. A script's text has HTML5's escapes: after a "<!--", a
# "<script" makes "</script>" text until the next "</script>" or "-->".
_SCRIPT = rb"(?i:script)"
_ESCAPED_TWICE = rb"(?:[^<-]++|-(?!->)|<(?!/%s%s))*+" % (_SCRIPT, _ENDS)
_ESCAPED = rb"(?:[^<-]++|-(?!->)|<(?!/?%s%s)|<%s%s%s</%s%s)*+" % (
    _SCRIPT,
    _ENDS,
    _SCRIPT,
    _ENDS,
    _ESCAPED_TWICE,
    _SCRIPT,
    _ENDS,
)
_IN_SCRIPT = rb"(?:[^<]++|<(?!!--|/%s%s)|<(?=!--)%s(?:-->|<%s%s%s-->))*+" % (
    _SCRIPT,
    _ENDS,
    _ESCAPED,
    _SCRIPT,
    _ENDS,
    _ESCAPED_TWICE,
) + rb"(?:<(?=!--)%s(?:<%s%s%s)?+)?+" % (_ESCAPED, _SCRIPT, _ENDS, _ESCAPED_TWICE)
_RAW_TEXT = {
    b"script": _IN_SCRIPT,
    b"plaintext": rb"[\x00-\xff]*+",
    **{
        name: rb"(?:[^<]++|<(?!/(?i:%s)%s))*+" % (name, _ENDS)
        for name in (b"style", b"xmp", b"iframe", b"noembed", b"noframes", b"title", b"textarea")
    },
}
_RAW_INITIALS = bytes(
    sorted({name[0] for name in _RAW_TEXT} | {name[0] - 32 for name in _RAW_TEXT})
)
_KINDS = (*_RAW_TEXT, b"")  # the raw text elements, and all others
_TAG_END = rb"(?:[%s]|/(?!>))*+" % _WS  # what may stand between the last attribute and "/>"


def _open(name: bytes) -> bytes:
    """The start of a start tag named ``name`` (any case), or of any other (``b""``)."""
    if name:
        return rb"<(?i:%s)%s" % (name, _ENDS)
    return rb"<(?!(?i:%s)%s)%s" % (b"|".join(_RAW_TEXT), _ENDS, _NAME)


def _close(name: bytes) -> bytes:
    """What follows a start tag's last attribute: its end, and the raw text it opens."""
    if name:
        return rb"%s(?:/>|>%s|\Z)" % (_TAG_END, _RAW_TEXT[name])
    return rb"%s(?:>|\Z)" % _SEP


def _start_tags(attributes: bytes, names: Iterable[bytes]) -> bytes:
    """Start tags (and the raw text they open) of the given names (``b""``: any other), with
    ``attributes`` read between each name and its end."""
    return b"|".join(_open(name) + attributes + _close(name) for name in names)


def _units(limit: int, short: bytes = b"") -> re.Pattern[bytes]:
    """Units of the page in turn, start tags of up to ``limit`` attributes (after ``short``,
    a cheaper reading of some tags, if given), the start of the last unit in group 1.

    A "<" is read once, and raw text elements are tried only after one of their initials: a
    regex engine tries alternatives in turn, and this one costs a third less than a plain
    list of units on real pages. Where a start tag has more attributes, the match stops
    before it (a raw text element's tag is no other tag: it has as many attributes)."""
    attributes = rb"(?:%s%s){0,%d}+" % (_SEP, _ATTRIBUTE, limit)
    raw = b"|".join(
        rb"(?i:%s)%s%s%s" % (name, _ENDS, attributes, _close(name)) for name in _RAW_TEXT
    )
    after_lt = [_OUTSIDE_AFTER_LT, rb"(?=[%s])(?:%s)" % (_RAW_INITIALS, raw)]
    after_lt += [short] if short else []
    after_lt += [rb"%s%s%s(?:>|\Z)" % (_NAME, attributes, _SEP), rb"(?![A-Za-z])"]
    return re.compile(rb"(?:([^<]++|<(?:%s)))*+" % b"|".join(after_lt))


@functools.cache
def _bounded(limit: int) -> re.Pattern[bytes]:
    """Reads the page from a unit's start to its end, unless a start tag has over ``limit``
    attributes: the match stops before that one. (Compiled on first use, as the others:
    few pages need them.)"""
    return _units(limit)


@functools.cache
def _coarse(limit: int) -> re.Pattern[bytes]:
    """:func:`_bounded` for bytes where no quoted value holds a ">", so that each tag ends
    at its first ">": one shorter than 2 × ``limit`` bytes is read as a run to it, faster
    (it has ``limit`` attributes at most), the others attribute by attribute."""
    return _units(limit, rb"[A-Za-z][^>]{0,%d}+(?:>|\Z)" % (2 * limit))


@functools.cache
def _with_attributes(kinds: frozenset[bytes]) -> re.Pattern[bytes]:
    """The bytes any start tag of these raw text elements with an attribute starts with (its
    name, a separator, and a byte an attribute's name may start with), the name in group 1;
    other bytes may look the same (in a comment, say), which costs a needless count only."""
    names = b"|".join(sorted(kinds))
    return re.compile(rb"<(?i:(%s))[%s/]++%s" % (names, _WS, _NAME_START))


def _raw_kinds(data: bytes) -> set[bytes]:
    """The raw text elements whose start tags may have attributes in ``data``: one search
    through the bytes for all of them, resumed after each new one with the names left."""
    found: set[bytes] = set()
    left = frozenset(_RAW_TEXT)
    at = 0
    while left and (seen := _with_attributes(left).search(data, at)) is not None:
        name = seen[1].lower()
        found.add(name)
        left -= {name}
        at = seen.start()
    return found


@functools.cache
def _each(kind: bytes) -> re.Pattern[bytes]:
    """One match per attribute of the start tags of one kind (a raw text element's name, or
    ``b""`` for the others), and two more on an input ending outside a tag (see
    :func:`_count_attributes`): each match reads on from the end of the one before, through
    tags of other kinds and those of this kind without attributes, to the next attribute."""
    others = _start_tags(_ATTRIBUTES, [other for other in _KINDS if other != kind])
    skip = rb"(?:%s|%s|%s)*+" % (_OUTSIDE, _start_tags(b"", [kind]), others)
    first = rb"%s(?:%s%s%s|\Z)" % (skip, _open(kind), _SEP, _ATTRIBUTE)
    return re.compile(rb"\A%s|%s%s|%s%s" % (first, _SEP, _ATTRIBUTE, _close(kind), first))


# Cheap proof that no start tag is long enough for MAX_ATTRIBUTES (each takes 2 bytes or more):
# no quoted value holds a ">", and no run of bytes without one holds a tag start with over
# 2 × MAX_ATTRIBUTES bytes after it. Both searches are loops in C: a regex for the first,
# ``bytes.rfind`` over one window of 2 × MAX_ATTRIBUTES bytes at a time for the second.
_QUOTED_GT = re.compile(rb"=[%s]*+(?:\"%s*+>|'%s*+>)" % (_WS, _other(b'">'), _other(b"'>")))
_TAG_START = re.compile(rb"<[A-Za-z]")
# Closes whatever the input ends in (a quoted value, a name, a tag) but text, a comment and raw
# text, so that the count's last match is not an attribute: it adds one attribute at most.
_CLOSE_ALL = b"\"'\"' >"


def _check_attributes(data: bytes, source: str | None) -> None:
    end = _long_tag_at(data, MAX_ATTRIBUTES)
    if end is not None:
        raise MalformedPage(
            f"HTML element with more than {MAX_ATTRIBUTES:,} attributes at byte {end:,} "
            "(threadkeep.limits.MAX_ATTRIBUTES)",
            source=source,
        )
    if len(data) <= 2 * MAX_TOTAL_ATTRIBUTES:
        return  # each attribute takes two bytes at least
    if _count_attributes(data, MAX_TOTAL_ATTRIBUTES + 1) > MAX_TOTAL_ATTRIBUTES:
        raise MalformedPage(
            f"HTML with more than {MAX_TOTAL_ATTRIBUTES:,} attributes "
            "(threadkeep.limits.MAX_TOTAL_ATTRIBUTES)",
            source=source,
        )


def _long_tag_at(data: bytes, limit: int) -> int | None:
    """Where the first start tag of over ``limit`` attributes starts, if one does.

    A ">" ends any tag open there unless it is inside a quoted value. Before the first "="
    that may open a quoted value holding a ">" (none on most pages), no ">" is in one (the
    search tried every "=" before it): each tag there ends at the first ">" after it, and
    only a run of 2 × ``limit`` bytes without one can hold a long tag (:func:`_long_run`).
    Nearly every page has no such run and no such "=", and is not read further. The bytes
    after the last ">" before that "=" are read exactly, from where libxml2 reads text
    before it (:func:`_data_state`: a comment or a script may run on past that ">"). Where a
    run may hold a long tag, the bytes before it are read by :func:`_coarse` instead.
    """
    quoted = _QUOTED_GT.search(data)
    closed = len(data) if quoted is None else data.rfind(b">", 0, quoted.start()) + 1
    if any(
        _long_run(data, start, end, limit) for start, end in _long_runs(data, closed, 2 * limit)
    ):
        read = _coarse(limit).match(data, 0, closed)
        assert read is not None  # matches "" at least
        if read.end() < closed:
            return read.end()
        start = max(read.start(1), 0)
    elif quoted is None:
        return None
    else:
        start = _data_state(data, closed, limit)
    if quoted is None:
        return None
    end = _bounded(limit).match(data, start).end()  # type: ignore[union-attr]
    return end if end < len(data) else None


def _long_run(data: bytes, start: int, end: int, limit: int) -> bool:
    """Whether the run ``data[start:end]``, without a ">" and not after a quoted value that
    holds one, may hold a start tag of over ``limit`` attributes.

    Only its first tag start can start one: libxml2 reads a tag from there if it reads text
    there, to the run's end, and if not (a comment, raw text, a bogus comment or an end
    tag), it reads no tag before a ">". So the run is read from there, as a tag would be.
    """
    tag = _TAG_START.search(data, start, end)
    if tag is None or end - tag.start() < 2 * limit:
        return False
    stop = min(end + 1, len(data))
    return _bounded(limit).match(data, tag.start(), stop).end() < stop  # type: ignore[union-attr]


# Where a comment or raw text may start, and where any markup starts ("<!", "<?", "</", "<" and
# a letter): the bytes up to the "=" of a quoted ">" are read from one to the next.
_OPENERS = re.compile(
    # The look-ahead first: a regex engine tries each name after each "<" otherwise.
    rb"<(?=[!%s])(?:!--|(?i:%s)%s)" % (_RAW_INITIALS, b"|".join(_RAW_TEXT), _ENDS)
)
_MARKUP = re.compile(rb"<[A-Za-z!?/]")
# How many comments and raw text elements are read so, before the rest of those bytes is
# read by :func:`_coarse` (a Python step each: a page may hold a million).
_STEPS = 1_000


def _data_state(data: bytes, stop: int, limit: int) -> int:
    """A byte at or before ``stop`` where libxml2 reads text (not a comment, raw text or a
    tag), for bytes where no quoted value holds a ">" up to ``stop``.

    Between comments and raw text elements, each tag ends at its first ">": a comment's or
    a raw text element's start (found by a search) inside one is none, and the others are
    read exactly (:func:`_construct`) to their end. With none left before ``stop``, libxml2
    reads text at ``stop``, which follows a ">"; else at the start of the last one, which
    runs past it, or of a raw text element's tag of more than ``limit`` attributes.
    """
    at = 0
    for _ in range(_STEPS):
        opener = _OPENERS.search(data, at, stop)
        if opener is None:
            return stop
        start = opener.start()
        if _MARKUP.search(data, max(data.rfind(b">", at, start) + 1, at), start):
            at = data.find(b">", start) + 1  # in a tag, which ends at its first ">"
            continue
        read = _construct(limit).match(data, start)
        if read is None or read.end() >= stop:
            return start
        at = read.end()
    read = _coarse(limit).match(data, at, stop)
    return max(read.start(1), at)  # type: ignore[union-attr]  # matches "" at least


@functools.cache
def _construct(limit: int) -> re.Pattern[bytes]:
    """A comment, or a raw text element of ``limit`` attributes at most and its text."""
    attributes = rb"(?:%s%s){0,%d}+" % (_SEP, _ATTRIBUTE, limit)
    return re.compile(rb"<!--%s|%s" % (_COMMENT_REST, _start_tags(attributes, _RAW_TEXT)))


# Pages up to this size are counted in one pass (:func:`_one_pass`), whose list holds a
# reference for each attribute (8 bytes: 64 MB at most); larger ones in a pass per kind of
# tag, each stopping at the limit (:func:`_by_kind`).
_ONE_PASS_BYTES = 16 * 1024 * 1024


def _count_attributes(data: bytes, limit: int) -> int:
    """The attributes of the page's start tags (one more at most), counted up to ``limit``
    (a count of ``limit`` or more says there are as many at least)."""
    data += _CLOSE_ALL
    return _one_pass(data) if len(data) <= _ONE_PASS_BYTES else _by_kind(data, limit)


@functools.cache
def _units_and_elements() -> re.Pattern[bytes]:
    """One match per attribute of a start tag that opens no raw text, one per raw text
    element whose start tag has attributes (its start tag, to its ">", in group 1), and one
    for the rest of the input: from each match's end, the next reads on to the next such
    attribute or element.

    After an attribute, a tag's next attribute or its end; after an element (its end tag, or
    its start tag's "/>"), the page from a ">", where no attribute ends (its name, value and
    quotes hold none). No match starts at the input's end, which is a ">" (``_CLOSE_ALL``),
    and only the rest of the input ends there: an element whose raw text runs to the end
    stops one byte before it. So the rest is one match, whatever ends the page."""
    skip = rb"(?:%s|%s|%s)*+" % (_OUTSIDE, _start_tags(b"", [b""]), _start_tags(b"", _RAW_TEXT))
    end_tag = rb"(?:</%s%s%s(?:>|\Z))?+" % (_NAME, _ATTRIBUTES, _SEP)
    element = b"(?:%s)%s" % (_start_tags(_ATTRIBUTES, _RAW_TEXT), end_tag)
    start_tag = rb"(?=(<[A-Za-z]++(?:%s%s)++[%s/]*+(?:>|\Z)))" % (_SEP, _ATTRIBUTE, _WS)
    any_byte = rb"[\x00-\xff]"
    raw = rb"%s(?:%s(?!\Z)|(?=%s\Z)%s*(?=%s\Z))" % (start_tag, element, element, any_byte, any_byte)
    first = rb"%s(?:%s%s%s|%s|\Z)" % (skip, _open(b""), _SEP, _ATTRIBUTE, raw)
    attribute = _SEP + _ATTRIBUTE
    after = rb"\A|(?<=>)|(?!%s)%s" % (attribute, _close(b""))
    return re.compile(rb"(?!\Z)(?:(?:%s)%s|%s)" % (after, first, attribute))


# One match per attribute of start tags written one after the other (each has one at least).
_TAG_ATTRIBUTE = re.compile(
    rb"(?:\A|[%s/]*+>)<[A-Za-z]++%s%s|%s%s" % (_WS, _SEP, _ATTRIBUTE, _SEP, _ATTRIBUTE)
)


def _one_pass(data: bytes) -> int:
    """The attributes of ``data`` (closed by ``_CLOSE_ALL``) in one pass: the matches of
    :func:`_units_and_elements` but the rest of the input, each raw text element's counted
    again in its start tag alone (one pass over those start tags, a fraction of the page)."""
    found = _units_and_elements().findall(data)
    elements = len(found) - found.count(b"")
    return len(found) - 1 - elements + _TAG_ATTRIBUTE.subn(b"", b"".join(found))[1]


def _by_kind(data: bytes, limit: int) -> int:
    """The attributes of ``data`` (closed by ``_CLOSE_ALL``), counted up to ``limit``:
    those of other tags, then of each raw text element's tags found in the page. Each count
    is ``_each(kind).subn`` less its two last matches (the rest of the input, then an empty
    match at its end): one pattern cannot follow a tag's ">" into the raw text it opens
    without knowing its name, so each kind of tag has its own. A raw text element none of
    whose tags has an attribute adds none and is not counted (most pages' ``<title>``):
    :func:`_raw_kinds` finds those that may have, in one search for all."""
    raw = _raw_kinds(data)
    found = 0
    for kind in _KINDS:
        if kind and kind not in raw:
            continue
        found += _each(kind).subn(b"", data, count=limit - found + 2)[1] - 2
        if found >= limit:
            break
    return found


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


def elements_below(element: Element, stop: frozenset[str] = frozenset()) -> Iterator[Element]:
    """The elements below ``element`` in document order (comments and processing
    instructions left out), not looking inside an element with a class in ``stop`` (a quoted
    tweet, a nested item: each read on its own): every element is visited once in all."""
    stack = list(reversed(element))
    while stack:
        node = stack.pop()
        if not isinstance(node.tag, str):
            continue
        yield node
        if stop.isdisjoint(classes(node)):
            stack.extend(reversed(node))


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
