"""Bytes to text and trees: encoding detection, one lxml tree per page, shared text helpers.

Encoding rules, in order (each one is a kind of page seen in the wild):

1. a byte-order mark decides (UTF-8, UTF-16, UTF-32);
2. a page declaring a 7-bit encoding (ISO-2022-JP, -KR, -CN) whose bytes hold its escape
   sequences is in it, and so is a page holding ISO-2022-JP's own escapes (``ESC $ B``),
   declared or not (such bytes are also valid ASCII, hence UTF-8);
3. bytes that are valid UTF-8 are UTF-8, whatever the page declares: saved fragments often
   carry no declaration, and pages re-saved by browsers keep a stale ``<meta charset>``; so
   are damaged UTF-8 bytes (a download cut inside its last character, a few bad bytes among
   many good characters), their bad bytes replaced;
4. otherwise the charset the page declares (``<meta charset>``, ``http-equiv``, an XML
   declaration), when the bytes decode in it; "iso-8859-1" and "us-ascii" mean windows-1252,
   as in browsers;
5. otherwise, when most non-ASCII bytes stand in runs of three or more (whole words of a
   non-Latin script), charset-normalizer names the encoding (undeclared windows-1251,
   KOI8-R, EUC-JP, Shift_JIS, GB18030 …);
6. otherwise windows-1252 (what undeclared Western pages almost always are, and what
   browsers assume), its five undefined bytes replaced by U+FFFD.

lxml then parses the bytes with that encoding named explicitly, so its own guess (which trusts
the ``<meta>``) never applies.
"""

from __future__ import annotations

import codecs
import functools
import html
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass

import charset_normalizer
from bs4.dammit import EncodingDetector
from lxml import etree
from lxml.etree import _Element as Element

from threadkeep.errors import MalformedPage
from threadkeep.limits import MAX_DEPTH, MAX_ENTITIES, MAX_TAGS

__all__ = [
    "Ancestors",
    "Page",
    "clean_text",
    "decode",
    "detect_encoding",
    "element_text",
    "has_class",
    "load",
    "node_text",
    "text_entities",
    "unwiden",
]


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _declared(data: bytes) -> str | None:
    """The Python codec of the charset ``data`` declares, or None."""
    name = EncodingDetector.find_declared_encoding(data, is_html=True)
    if not name:
        return None
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    if codec.startswith(("utf-16", "utf-32")):
        return None  # only a byte-order mark can say so; a <meta> in 8-bit bytes is wrong
    return _WHATWG.get(codec, codec)


# Labels that browsers read as windows-1252 (the WHATWG Encoding Standard).
_WHATWG = {"iso8859-1": "cp1252", "ascii": "cp1252", "latin-1": "cp1252"}


def _decodes(data: bytes, codec: str) -> bool:
    try:
        data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def detect_encoding(data: bytes) -> str:
    """Name the encoding of ``data`` (see the module docstring for the rules).

    >>> detect_encoding("<meta charset=windows-1251><p>Привет</p>".encode("cp1251"))
    'cp1251'
    >>> detect_encoding("<p>Привет</p>".encode("utf-8"))
    'utf-8'
    """
    return _detect(data)[0]


def _detect(data: bytes) -> tuple[str, bool]:
    """The encoding of ``data``, and whether every byte decodes in it (each rule that tries a
    decoding knows; :func:`load` then need not decode again to find out)."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name, _decodes(data, name)
    declared = _declared(data)
    if b"\x1b" in data:  # a 7-bit encoding's escape sequences
        seven_bit = declared if declared is not None and declared.startswith("iso2022") else None
        if seven_bit is None and (b"\x1b$B" in data or b"\x1b$@" in data):
            seven_bit = "iso2022_jp"  # its escapes name it: no other encoding uses them
        if seven_bit is not None and _decodes(data, seven_bit):
            return seven_bit, True
    if (utf8 := _utf8(data)) is not None:
        return "utf-8", utf8
    if declared is not None and declared != "utf-8" and _decodes(data, declared):
        return declared, True
    if (guess := _non_western(data)) is not None:
        return guess, True
    # Otherwise windows-1252, as browsers read undeclared Western pages. No statistical
    # detector decides here: their guesses on Western text vary (windows-1250 or cp775 for
    # plain French or English), and a parse must not depend on what happens to be installed.
    # The five bytes windows-1252 leaves undefined are replaced (load() and decode() do it).
    return "windows-1252", _decodes(data, "windows-1252")


def _utf8(data: bytes) -> bool | None:
    """True for UTF-8; False for UTF-8 but for damage; None for bytes that are not UTF-8.

    Damage is a download cut inside its last character, or a few bad bytes (a stray
    windows-1252 "é" pasted in) among many good non-ASCII characters. Read as windows-1252
    (or guessed), every good character of such a page would come out as mojibake; read as
    UTF-8, only the bad bytes are lost (U+FFFD).
    """
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.reason == "unexpected end of data" and error.start >= len(data) - 3:
            return False  # the first fault is the cut at the end
    else:
        return True
    text = data[:_SAMPLE].decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = len(text) - len(text.encode("ascii", errors="ignore")) - bad
    return False if good >= 4 * bad else None


# Bytes 0x80-0xFF in runs: Cyrillic, Greek, Arabic or CJK text in an 8-bit or double-byte
# encoding is made of such runs (whole words), Western text almost never (its accented
# letters sit between ASCII ones: "café", "Straße"; no real page checked had a run of 3).
_HIGH_RUN_RE = re.compile(rb"[\x80-\xff]{3,}")
_HIGH_BYTES = bytes(range(0x80, 0x100))
_SAMPLE = 1 << 20  # the first MiB decides
# The encodings of non-Latin scripts a guess may name (Python codec names).
_NON_LATIN = frozenset(
    {
        # Cyrillic, Greek, Hebrew, Arabic, Thai
        *("cp1251", "koi8-r", "koi8-u", "iso8859-5", "cp866", "mac-cyrillic"),
        *("cp1253", "iso8859-7", "cp1255", "iso8859-8", "cp1256", "iso8859-6"),
        *("cp874", "tis-620"),
        # Japanese, Chinese, Korean
        *("shift_jis", "cp932", "shift_jis_2004", "euc_jp", "euc_jis_2004", "euc_jisx0213"),
        *("gb2312", "gbk", "gb18030", "big5", "big5hkscs", "cp950", "euc_kr", "cp949", "johab"),
    }
)


def _non_western(data: bytes) -> str | None:
    """The encoding of undeclared non-Western 8-bit or double-byte text, else None.

    windows-1252 decodes all but five byte values, so undeclared windows-1251, KOI8-R or EUC-JP
    would come out as windows-1252 mojibake. When most non-ASCII bytes stand in runs, the text
    is not Western and charset-normalizer names the encoding; it is asked nothing otherwise,
    since on Western text its guesses vary (windows-1250, cp775 for plain French or English).
    """
    sample = data[:_SAMPLE]
    high = len(sample) - len(sample.translate(None, _HIGH_BYTES))
    if high < 8:
        return None
    in_runs = sum(len(run) for run in _HIGH_RUN_RE.findall(sample))
    if in_runs * 2 < high:
        return None
    best = charset_normalizer.from_bytes(sample[: _SAMPLE // 4]).best()
    if best is None:
        return None
    try:
        codec = codecs.lookup(best.encoding).name
    except LookupError:
        return None
    if codec not in _NON_LATIN or not _decodes(data, codec):
        return None  # a Latin guess for runs of high bytes is noise (fuzzed or binary bytes)
    return codec


def decode(data: bytes) -> str:
    """Decode ``data`` to text with :func:`detect_encoding`; never raises on odd bytes."""
    return data.decode(detect_encoding(data), errors="replace")


def unwiden(data: bytes) -> bytes:
    """Re-encode UTF-16/32 input (known by its byte-order mark) as UTF-8.

    Byte-level sniffing and libxml2 both handle UTF-8 best; wide encodings are rare in saved
    pages but do occur (Windows "Unicode" text exports).
    """
    for bom, name in _BOMS:
        if name != "utf-8-sig" and data.startswith(bom):
            return data.decode(name, errors="replace").encode("utf-8")
    return data


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
    """Parse HTML bytes into one lxml tree, decoding them by :func:`detect_encoding`.

    Raises :class:`MalformedPage` when there is no document at all (empty or only NULs), and
    when the page is past a limit of :mod:`threadkeep.limits` (``MAX_TAGS``, ``MAX_DEPTH``):
    libxml2 stops reading at its depth limit, and a page read in part is refused, not
    returned short. No network, no DTD, no entity is ever loaded (libxml2's HTML parser
    expands none; ``no_network`` is explicit).
    """
    data = unwiden(data)
    _check_tags(data, source)
    encoding, clean = _detect(data)
    if encoding == "utf-8-sig":
        data, encoding = data[len(codecs.BOM_UTF8) :], "utf-8"
    if not clean or not _libxml2_knows(encoding):
        # Python decodes more encodings than libxml2 (say "hp_roman8", which charset
        # sniffing may name), and replaces bad bytes (damaged UTF-8, windows-1252's five
        # undefined ones) where libxml2's converter would stop: decode here, hand it UTF-8.
        data, encoding = data.decode(encoding, errors="replace").encode("utf-8"), "utf-8"
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


def _check_tags(data: bytes, source: str | None) -> None:
    if data.count(b"<") <= MAX_TAGS:
        return
    for count, _ in enumerate(_TAG_RE.finditer(data), start=1):
        if count > MAX_TAGS:
            raise MalformedPage(
                f"HTML with more than {MAX_TAGS:,} tags (threadkeep.limits.MAX_TAGS)",
                source=source,
            )


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
# list of every word of a long text (1.3 GB for a 64 MiB tweet).
_SPACE_RE = re.compile(r"[ \t\r\n\f\v\u00a0]{2,}|[\t\r\n\f\v\u00a0]")


def clean_text(value: str) -> str:
    """Collapse runs of whitespace (newlines included) to one space and strip the ends."""
    return _SPACE_RE.sub(" ", value).strip()


def node_text(element: Element) -> str:
    """All text inside ``element`` (its tail excluded), like lxml.html's ``text_content``."""
    return "".join(element.itertext())


def has_class(element: Element, name: str) -> bool:
    """True when ``name`` is one of the element's classes."""
    classes = element.get("class")
    return classes is not None and name in classes.split()


def element_text(element: Element, *, skip: frozenset[str] = frozenset()) -> str:
    """Readable text of an element: ``<br>`` and block ends become line breaks.

    Whitespace inside text runs collapses to one space (template indentation is not text);
    elements whose class is in ``skip`` are left out, with their tails kept.
    """
    parts: list[str] = []
    _collect(element, parts, skip)
    # Line breaks are collected as a sentinel, so that one pass can fold the markup's own
    # whitespace (newlines included) without touching them.
    text = _SPACE_RE.sub(" ", "".join(parts))
    if _BREAK not in text:
        return text.strip()
    return "\n".join(line.strip() for line in text.split(_BREAK)).strip("\n")


_BREAK = "\x00"  # never in parsed text: XML forbids NUL
_BLOCKS = frozenset({"p", "div", "li", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "tr"})
_INVISIBLE = frozenset({"script", "style", "template", "noscript"})


def _collect(element: Element, parts: list[str], skip: frozenset[str]) -> None:
    if element.text:
        parts.append(element.text)
    for child in element:
        tag = child.tag
        if tag == "br":
            parts.append(_BREAK)
        elif not isinstance(tag, str) or tag in _INVISIBLE:
            pass  # comments, processing instructions, scripts
        elif skip and (classes := child.get("class")) and not skip.isdisjoint(classes.split()):
            pass
        elif tag in _BLOCKS:
            if parts and not parts[-1].endswith(_BREAK):
                parts.append(_BREAK)
            _collect(child, parts, skip)
            parts.append(_BREAK)
        else:
            _collect(child, parts, skip)
        if child.tail:
            parts.append(child.tail)


def unescape(value: str) -> str:
    """Decode HTML entities left in an attribute or a text copy (``&#039;`` → ``'``)."""
    return html.unescape(value) if "&" in value else value


# Twitter's own rules, simplified: a hashtag needs one non-digit; neither may follow a word
# character (so "a#b" and "me@example.com" are neither).
_HASHTAG_RE = re.compile(r"(?<![\w&#/])[#＃](\w*[^\W\d]\w*)")
_MENTION_RE = re.compile(r"(?<![\w@/.])[@＠](\w{1,15})\b")


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
