"""Bytes to text and trees: encoding detection, one lxml tree per page, shared text helpers.

Encoding rules, in order (each one is a kind of page seen in the wild):

1. a byte-order mark decides (UTF-8, UTF-16, UTF-32);
2. bytes that are valid UTF-8 are UTF-8, whatever the page declares: saved fragments often
   carry no declaration, and pages re-saved by browsers keep a stale ``<meta charset>``;
3. otherwise bs4's ``UnicodeDammit`` decides: the declared charset first, then windows-1252
   (what undeclared Western pages almost always are), then its statistical detectors, if
   any are installed.

lxml then parses the bytes with that encoding named explicitly, so its own guess (which trusts
the ``<meta>``) never applies.
"""

from __future__ import annotations

import codecs
import html
import re
from dataclasses import dataclass

from bs4.dammit import UnicodeDammit
from lxml import etree
from lxml.etree import _Element as Element

from threadkeep.errors import MalformedPage

__all__ = [
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


def detect_encoding(data: bytes) -> str:
    """Name the encoding of ``data`` (see the module docstring for the rules)."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    # windows-1252 is tried right after the page's own declaration and before any statistical
    # detector bs4 may find installed (charset_normalizer, chardet): their guesses on short
    # Western text vary (windows-1250 for plain French), and a parse must not depend on what
    # else happens to be installed. Bytes cp1252 cannot decode still reach the detector.
    dammit = UnicodeDammit(data, is_html=True, user_encodings=["windows-1252"])
    encoding = dammit.original_encoding
    if not encoding or dammit.unicode_markup is None:
        return "windows-1252"
    return str(encoding)


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


@dataclass(frozen=True, slots=True)
class Page:
    """One parsed HTML input: its lxml tree and the encoding it was decoded with."""

    root: Element
    encoding: str


def load(data: bytes, *, source: str | None = None) -> Page:
    """Parse HTML bytes into one lxml tree, decoding them by :func:`detect_encoding`.

    Raises :class:`MalformedPage` when there is no document at all (empty or only NULs).
    """
    data = unwiden(data)
    encoding = detect_encoding(data)
    if encoding == "utf-8-sig":
        data, encoding = data[len(codecs.BOM_UTF8) :], "utf-8"
    # A plain etree parser, not lxml.html's: its elements need no Python class lookup, which
    # makes every element the parsers touch about 2.5 times cheaper.
    parser = etree.HTMLParser(encoding=encoding, remove_comments=True, no_network=True)
    try:
        root = etree.fromstring(data, parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise MalformedPage(f"no HTML document could be read ({exc})", source=source) from exc
    if root is None:
        raise MalformedPage("no HTML document could be read (no elements)", source=source)
    return Page(root=root, encoding=encoding)


_SPACE_RE = re.compile(r"[ \t\r\n\f\v\u00a0]+")


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
    tags = _HASHTAG_RE.findall(text) if "#" in text or "＃" in text else []
    mentions = _MENTION_RE.findall(text) if "@" in text or "＠" in text else []
    return list(dict.fromkeys(tags)), list(dict.fromkeys(mentions))
