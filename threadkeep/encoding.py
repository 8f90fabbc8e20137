"""Bytes to text: the encoding of a page, an HTTP body or a text copy.

Parsing and fetching both read bytes through here (a fetched body is decoded by the same rules
as a saved file).

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

The HTML loader (:mod:`threadkeep.parsing.html`) hands libxml2 the bytes with that encoding named
explicitly, so its own guess (which trusts the ``<meta>``) never applies.
"""

from __future__ import annotations

import codecs
import re

import charset_normalizer
from bs4.dammit import EncodingDetector

__all__ = ["declared_charset", "declared_text", "decode", "detect", "detect_encoding", "unwiden"]


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
    return detect(data)[0]


def detect(data: bytes) -> tuple[str, bool]:
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
    if _is_utf8(data):
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.reason == "unexpected end of data" and error.start >= len(data) - 3:
            return False  # the first fault is the cut at the end
    text = data[:_SAMPLE].decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = len(text) - len(text.encode("ascii", errors="ignore")) - bad
    return False if good >= 4 * bad else None


def _is_utf8(data: bytes) -> bool:
    """Whether ``data`` is valid UTF-8, as ``data.decode("utf-8")`` succeeding says, found
    without building the page's text at once: ASCII at once, other bytes decoded a slice at a
    time (a page's whole text, up to four bytes a character, is a fresh allocation of memory
    the system must map on every parse; a slice's is reused)."""
    if data.isascii():
        return True
    view = memoryview(data)
    start = 0
    try:
        while len(data) - start > _SLICE:
            # A slice may end inside a character: the next one starts where it stopped (a
            # slice of four bytes or more holds a whole character, or a fault).
            start += codecs.utf_8_decode(view[start : start + _SLICE], "strict", False)[1]
        codecs.utf_8_decode(view[start:], "strict", True)
    except UnicodeDecodeError:
        return False
    return True


_SLICE = 16384  # four bytes at least
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


def declared_charset(content_type: str | None) -> str | None:
    """The ``charset`` parameter of a Content-Type value, lower-case, or None.

    >>> declared_charset('text/html; charset="Windows-1251"'), declared_charset("text/html")
    ('windows-1251', None)
    """
    for param in (content_type or "").split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip(" \"'"):
            return value.strip(" \"'").lower()
    return None


def declared_text(data: bytes, charset: str | None) -> str | None:
    """``data`` decoded in the ``charset`` an HTTP head declared (HTTP's rule: it beats what
    the bytes look like), or None when there is none to honour: no charset, one Python does
    not know, or a byte-order mark (which decides).

    >>> declared_text("Привет".encode("cp1251"), "windows-1251"), declared_text(b"a", None)
    ('Привет', None)
    """
    if not charset or data.startswith(tuple(bom for bom, _ in _BOMS)):
        return None
    try:
        return data.decode(charset, errors="replace")
    except LookupError:
        return None


def unwiden(data: bytes) -> bytes:
    """Re-encode UTF-16/32 input (known by its byte-order mark) as UTF-8.

    Byte-level sniffing and libxml2 both handle UTF-8 best; wide encodings are rare in saved
    pages but do occur (Windows "Unicode" text exports).
    """
    for bom, name in _BOMS:
        if name != "utf-8-sig" and data.startswith(bom):
            return data.decode(name, errors="replace").encode("utf-8")
    return data
