"""One input to parse: its bytes (within the limits), the form they take, and what the source
detectors read from them: the lxml tree, the text, its lines, the JSON document. Each is built
once, on first use, and shared by every detector and builder that asks for it.
"""

from __future__ import annotations

import json
import os
import re
from functools import cached_property
from typing import Any, Literal

from lxml.etree import _Element as Element

from threadkeep.encoding import decode, unwiden
from threadkeep.errors import MalformedPage, UnsupportedPage
from threadkeep.limits import MAX_INPUT_BYTES, MAX_LINES, read_limited, too_large
from threadkeep.parsing.embed_ids import page_hints
from threadkeep.parsing.html import Page, load
from threadkeep.parsing.json_input import load_json
from threadkeep.parsing.markdown import may_be_markdown
from threadkeep.parsing.markers import may_hold_markup

__all__ = ["Form", "Input", "input_bytes", "read_file", "read_input"]

Form = Literal["html", "text", "json"]
"""What the bytes of an input are, told from their start (Markdown is read as text)."""

_HTML_RE = re.compile(
    rb"<(?:!doctype|html|head|body|div|p|span|blockquote|a|meta|title|article|section|br|sup"
    rb"|table|iframe|script|style|figure|amp-twitter|twitterwidget|twitter-widget"
    # Site generators' tweet components in Markdown/MDX: <Tweet id="…" />, <Oembed url=…>.
    rb"|tweet|twittertweetembed|oembed)[\s>/]",
    re.IGNORECASE,
)
_SNIFF = 65536
# JSON starts with "{" then a key or "}", or "[" then a value or "]". A Markdown copy may start
# with "[" too ("[![avatar](…)…](…)", "[Link](…)"), and a template with "{%" or "{{": text.
_DECODER = json.JSONDecoder()
_OPENING_BRACKETS_RE = re.compile(r"(?:\[\s*)+")
_JSON_START_RE = re.compile(rb'\{\s*["}]|\{\s*$|\[\s*(?:[-\d{\["\]]|true\b|false\b|null\b)|\[\s*$')


def read_file(path: os.PathLike[str], *, source: str | None = None) -> bytes:
    """The bytes of the file at ``path``, within MAX_INPUT_BYTES.

    A file that cannot be read (missing, a folder, not permitted) is input that cannot be read
    at all: :class:`MalformedPage`, as for any input :func:`parse` refuses, naming ``source``
    (by default the path).
    """
    name = source or os.fspath(path)
    try:
        with open(path, "rb") as stream:
            return read_limited(stream, source=name)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise MalformedPage(f"cannot read the file ({reason})", source=name) from exc


def read_input(data: bytes | str | os.PathLike[str], *, source: str | None = None) -> bytes:
    """The bytes of an input given as bytes, text or the path of a file (see :func:`read_file`
    and :func:`input_bytes`)."""
    if isinstance(data, os.PathLike):
        return read_file(data, source=source)
    return input_bytes(data)


def input_bytes(data: bytes | str) -> bytes:
    """The input as bytes within MAX_INPUT_BYTES (UTF-16/32 re-encoded as UTF-8 first)."""
    if len(data) > MAX_INPUT_BYTES:  # a str's UTF-8 is at least as long
        raise too_large(len(data) if isinstance(data, bytes) else None)
    if isinstance(data, str):
        # Lone surrogates cannot be encoded: they become "?", not a UnicodeEncodeError.
        data = data.encode("utf-8", errors="replace")
    raw = unwiden(data)
    if len(raw) > MAX_INPUT_BYTES:
        raise too_large(len(raw))
    return raw


def _form(raw: bytes) -> Form:
    head = raw[:_SNIFF]
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not stripped:
        raise MalformedPage("empty input: no bytes other than whitespace")
    if _JSON_START_RE.match(stripped) and _reads_as_json(stripped, cut=len(raw) > _SNIFF):
        return "json"
    if b"\x00" in head:
        raise UnsupportedPage("binary data (NUL bytes), not a page or a text copy")
    return "html" if _HTML_RE.search(head) else "text"


def _reads_as_json(head: bytes, *, cut: bool) -> bool:
    """True unless the head is a complete JSON value followed by other text ("[1] a footnote")
    or has no value where its first characters need one ("[[wikilink]] …"): those are text. A
    JSON document that breaks otherwise (a truncated answer) is still JSON, and says so in its
    error."""
    text = head.decode("utf-8", errors="replace")
    try:
        _value, end = _DECODER.raw_decode(text)
    except json.JSONDecodeError as exc:
        # "[[wikilink]]": no value where the opening brackets need their first one.
        opening = _OPENING_BRACKETS_RE.match(text)
        at_first_value = opening is not None and exc.pos == opening.end()
        return cut or not (exc.msg == "Expecting value" and at_first_value)
    except (ValueError, RecursionError):  # a number too long, nesting too deep: JSON, refused
        return True  # later with the reason (json_input.load_json)
    return not text[end:].strip()


class Input:
    """One input: ``raw`` bytes, ``url`` (the page's own, unarchived) and its ``form``."""

    def __init__(self, raw: bytes, url: str | None = None) -> None:
        self.raw = raw
        self.url = url
        self.form: Form = _form(raw)

    @cached_property
    def page(self) -> Page:
        """The parsed HTML input."""
        return load(self.raw)

    @cached_property
    def root(self) -> Element:
        """The lxml tree of an HTML input."""
        return self.page.root

    @cached_property
    def marked(self) -> bool:
        """False when the tree holds none of the elements the Thread Reader, listing and Nitter
        detectors need (``markers.may_hold_markup``)."""
        return may_hold_markup(self.root)

    @cached_property
    def embed_hints(self) -> frozenset[str]:
        """The rarer embed families the page may hold (see ``embed_ids.page_hints``)."""
        return page_hints(self.raw, self.root, self.page.markup)

    @cached_property
    def text(self) -> str:
        """A text input, decoded, its line ends made ``\\n``, within MAX_LINES."""
        text = decode(self.raw).replace("\r\n", "\n").replace("\r", "\n")
        if text.count("\n") >= MAX_LINES:
            raise MalformedPage(
                f"text with more than {MAX_LINES:,} lines (threadkeep.limits.MAX_LINES)"
            )
        return text

    @cached_property
    def lines(self) -> list[str]:
        """The lines of a text input."""
        return self.text.split("\n")

    @cached_property
    def markdown(self) -> str | None:
        """The text a Markdown copy would be: a text input's, or an HTML input's decoded
        whole (a clipping holding a little inline HTML, a ``<video>``, a ``<br>``, is sniffed
        as HTML); None for an HTML input with no sign of Markdown."""
        if self.form == "text":
            return self.text
        return decode(self.raw) if may_be_markdown(self.raw) else None

    @cached_property
    def document(self) -> Any:
        """The JSON document of a JSON input."""
        return load_json(self.raw)
