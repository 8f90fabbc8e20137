"""Where an embedded tweet's text starts, in a text copy of an article.

A text copy keeps an embed's text right above its attribution ("— Name (@handle) Date"), but
nothing marks where the text starts: the writer's prose, a numbered heading ("#1: …",
"1. …"), a lead-in ("X tweeted:") or an earlier tweet may stand on the line above. Copies
come in two layouts: extractors that put every paragraph on one line with no blank lines
between (a tweet's own line breaks then look like paragraphs), and copies whose paragraphs
are separated by blank lines. The rules, applied walking up from the attribution:

* The line directly above (or the text before the dash on the attribution's own line) is
  the tweet's, unless it is a numbered heading that does not continue a numbered list.
* Lines further up are the tweet's only where something marks where the tweet starts: a
  numbered heading, a lead-in ending in ":", a short heading line with no final
  punctuation (a lone bullet line too; consecutive bullets are the tweet's list), a line in
  another script or language or with Markdown emphasis, a line longer than any tweet, a
  blank line (a paragraph of its own), or text glued after the previous attribution's date
  (seed ``001``). Without such a mark
  (the previous tweet's attribution, or the copy's start, is reached first), or when the
  lines would be longer than a tweet can be, only the line directly above is taken: a
  writer's sentence often stands there (``laranchada``, ``publico``).
* A paragraph further up is added (a tweet of several paragraphs) only when the paragraph
  above it is such a mark, e.g. the Russian caption above an English tweet.
* In Markdown, a blockquoted attribution ("> — Name …") takes the whole blockquote above.

A tweet's text is at most 280 characters, counted as Twitter counts them: links as 23, CJK
characters twice. Every walk stops within a bounded tail of its region, so the work stays
linear in the copy's length.
"""

from __future__ import annotations

import re

__all__ = [
    "OLD_TWEET_LIMIT",
    "TWEET_LIMIT",
    "clean_tweet_text",
    "ends_with_media_link",
    "is_link_only",
    "item_number",
    "tweet_body",
    "tweet_weight",
]

TWEET_LIMIT = 280
OLD_TWEET_LIMIT = 140  # before 2017-11-07
_TAIL = 4000  # no tweet, its lead-in and its heading need more of the region than this
_HEADING_LIMIT = 80  # a heading line is shorter than this
_SENTENCE_WORDS = 8
_BULLETS = ("- ", "– ", "• ", "* ", "· ")
_URL_RE = re.compile(r"(?:https?://|pic\.twitter\.com/|t\.co/)\S{0,2000}")
_NUMBERED_RE = re.compile(r"^(?:#\s?(\d{1,3})(?:[:.)]|\s)|(\d{1,3})[.)](?:\s|$))")
_TRAILING_LINK_RE = re.compile(r"\s*(?:https?://t\.co|pic\.twitter\.com)/\w{1,20}\s*$")
_SENTENCE_BREAK_RE = re.compile(r"(?<=[.!?:…。！？：।॥؟۔])\s+")  # and Bengali/Hindi, Arabic, Urdu
_ITEM_RE = re.compile(r"(\d{1,3})[.)]")  # "2) …", "2.Roubar": an item of a tweet's own list
_FINAL = ".!?:;…。！？：；)]»”\"'’"
_MD_LINK_RE = re.compile(r"\[([^\[\]\n]{0,500})\]\((?:https?://[^()\s]{1,2000})\)")
_MD_AUTOLINK_RE = re.compile(r"<(https?://[^<>\s]{1,2000})>")  # Markdown's <https://t.co/x>
_MD_REFERENCE_RE = re.compile(r"\[([^\[\]\n]{0,500})\]\[([^\[\]\n]{1,100})\]")
_MD_ESCAPE_RE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~<])")
_EMPHASIS_RE = re.compile(r"\*\*\S|(?:^|\s)_[^\s_][^_\n]{0,300}_(?:\s|$|[.,:;!?])")
_WORD_RE = re.compile(r"[^\W\d_]+")
# Common short words, by language: a line's language is the one whose words it uses most.
_WORDS = {
    "en": "the and of to is in it you that was for on are with this have be at not we my i",
    "es": "el la los las de que y en por para con una es del se lo como su al",
    "fr": "le la les des de et est une pour dans que qui sur pas du au avec il",
    "de": "der die das und ist nicht ein eine zu den mit auf ich es sich von im",
    "it": "il che di e la per non una sono del della con gli le si",
    "pt": "o os as que de e do da em um uma para com não no na",
    "id": "yang dan di ini itu dengan untuk tidak dari ada akan pada juga saya",
    "nl": "de het een en van is dat op te zijn niet met voor",
}
_LANGUAGES: dict[str, set[str]] = {}
for _lang, _words in _WORDS.items():
    for _word in _words.split():
        _LANGUAGES.setdefault(_word, set()).add(_lang)


def clean_tweet_text(text: str | None, refs: dict[str, str] | None = None) -> str | None:
    """A tweet's text as a reader sees it: Markdown links (inline, or by reference when
    ``refs`` defines them) as their shown text, autolinks as their url, escapes undone
    (Markdown copies write ``1\\.``, ``[#tag](url)``, ``[text][5]``, ``<url>``)."""
    if not text:
        return None
    text = _MD_LINK_RE.sub(r"\1", _MD_AUTOLINK_RE.sub(r"\1", text))
    if refs:  # "[pic.twitter.com/x][5]": a reference link, shown as its text
        text = _MD_REFERENCE_RE.sub(lambda m: m[1] if m[2].lower() in refs else m[0], text)
    text = _MD_ESCAPE_RE.sub(r"\1", text)
    return text.strip() or None


def ends_with_media_link(line: str) -> bool:
    """True for a line ending in the link Twitter puts last in a tweet: its picture
    (``pic.twitter.com/…``) or a ``t.co`` link. A writer's prose does not end so."""
    return _TRAILING_LINK_RE.search(line[-60:]) is not None


_WIDE_RE = re.compile("[\u1100-\ufaff\uac00-\ud7af]")  # Twitter counts these twice


def tweet_weight(line: str) -> int:
    """The length Twitter counts: a link is 23, an attached picture's link nothing, a CJK
    character 2."""
    links = [url for url in _URL_RE.findall(line) if not url.startswith("pic.twitter.com/")]
    plain = _URL_RE.sub("", line)
    wide = len(_WIDE_RE.findall(plain)) if not plain.isascii() else 0
    return len(plain) + wide + 23 * len(links)


def _number(line: str) -> int | None:
    match = _NUMBERED_RE.match(line)
    return int(match[1] or match[2]) if match else None


def _script(line: str) -> str | None:
    """The script most of a line's letters are in: latin, cyrillic, cjk, other."""
    counts: dict[str, int] = {}
    for c in line:
        if not c.isalpha():
            continue
        code = ord(c)
        kind = (
            "latin" if code < 0x250 else "cyrillic" if 0x400 <= code < 0x530
            else "cjk" if 0x3040 <= code < 0xA000 or 0xAC00 <= code < 0xD7B0 else "other"
        )  # fmt: skip
        counts[kind] = counts.get(kind, 0) + 1
    return max(counts, key=counts.__getitem__) if counts else None


def _languages(line: str) -> tuple[set[str], dict[str, int], int]:
    """The languages whose common words the line uses most (two at least, else none), the
    count of each language's words, and the number of words."""
    counts: dict[str, int] = {}
    words = _WORD_RE.findall(line.lower())
    for word in words:
        for lang in _LANGUAGES.get(word, ()):
            counts[lang] = counts.get(lang, 0) + 1
    best = max(counts.values(), default=0)
    return (
        {lang for lang, n in counts.items() if n == best} if best >= 2 else set(),
        counts,
        len(words),
    )


def _foreign(line: str, tweet: str) -> bool:
    """True when ``line`` is in another script or language than the tweet's ``tweet``: its
    common words are another language's, or it is a sentence of 8 words or more with none of
    the tweet's language (a language without a word list here, such as Hungarian)."""
    mine, theirs = _script(line), _script(tweet)
    if mine and theirs and mine != theirs:
        return True
    (langs, counts, words), (tweet_langs, _, _) = _languages(line), _languages(tweet)
    if not tweet_langs:
        return False
    return bool(langs and not langs & tweet_langs) or (
        words >= _SENTENCE_WORDS and not any(counts.get(lang) for lang in tweet_langs)
    )


def item_number(line: str) -> int | None:
    """The number a line opens with as an item of a list ("2) …", "2. …", "2.Roubar")."""
    match = _ITEM_RE.match(line)
    return int(match[1]) if match else None


def _is_heading(line: str, below: str | None, above: str | None) -> bool:
    """A numbered heading ("#14 …", "#2:", "1. …") that is not an item of a numbered list
    (an item's neighbour carries the number before or after it; a line that goes on to its
    next number, "1) a 2) b", is a list written on one line)."""
    number = _number(line)
    if number is None:
        return False
    neighbours = {_number(below) if below else None, _number(above) if above else None}
    if number - 1 in neighbours or number + 1 in neighbours:
        return False
    return not any(f" {number + 1}{mark} " in line for mark in ".)")


def _marks_start(line: str, below: str, tweet: str, above: str | None) -> bool:
    """True when ``line``, above the tweet lines taken so far, is not the tweet's but marks
    where it starts."""
    if _is_heading(line, below, above) or _EMPHASIS_RE.search(line):
        return True
    if line.endswith((":", "：")) and _number(below) is None:
        return True  # a lead-in, unless it introduces the tweet's own numbered list
    item = _number(line) is not None or (_is_bullet(line) and _is_bullet(below))
    short = len(line) <= _HEADING_LIMIT and not item
    if short and not line.endswith(tuple(_FINAL)) and not is_link_only(line):
        return True  # a heading such as "Jail for mother" (not an item of a list)
    return _foreign(line, tweet)


def _is_bullet(line: str) -> bool:
    return line.startswith(_BULLETS)


def is_link_only(line: str) -> bool:
    """True for a line of links (and symbols), such as a tweet's last line that an
    extractor put after its attribution: "📱https://t.co/…", "pic.twitter.com/…"."""
    rest = _URL_RE.sub(" ", line)
    return rest != line and not any(c.isalnum() for c in rest)


def _blockquote(lines: list[str]) -> str:
    """The blockquote ending the region (a Markdown copy's quoted embed), prefixes removed."""
    quoted: list[str] = []
    for line in reversed(lines):
        if not line.startswith(">"):
            break
        quoted.append(line[1:].strip())
    return "\n".join(reversed(quoted)).strip()


def tweet_body(
    region: str,
    *,
    quoted: bool,
    glued: bool,
    after_attribution: bool,
    below: str | None = None,
    moved: str = "",
    limit: int = TWEET_LIMIT,
) -> str | None:
    """The tweet text at the end of ``region`` (the copy since the previous attribution, up
    to this one's dash). ``quoted``: the attribution is blockquoted. ``glued``: the region
    starts on the previous attribution's line, after its date (that text starts a tweet).
    ``after_attribution``: the region starts at the end of an earlier attribution.
    ``below``: the line after the attribution (the next item of a list the tweet opens, which
    an extractor moved below it, tells that the tweet's "1) …" is no heading). ``moved``: the
    tweet's lines an extractor put after its attribution, which count toward its length.
    ``limit``: how long a tweet could be when it was posted (140 before November 2017)."""
    lines = [line.strip() for line in region[-_TAIL:].split("\n")]
    if after_attribution and not glued and len(region) <= _TAIL:
        lines = lines[1:]  # the rest of the previous attribution's line: no blank line
    if quoted:
        return _blockquote(lines) or None
    while lines and not lines[-1]:
        lines.pop()
    if not lines:
        return None
    last = lines[-1]
    if _is_heading(last, below, lines[-2] if len(lines) > 1 else None):
        return None
    if len(lines) == 1 and _counted(last) + tweet_weight(moved) > limit:
        # A copy flattened to one line (no line break since the previous attribution, or
        # since the copy's start): the tweet starts inside it. On a line of its own, a text
        # longer than 280 is a long post (X allows them since 2023), kept whole.
        return _last_sentences(last, limit)
    glued = glued and len(lines) <= _TAIL // 2
    taken, marked = _walk(lines, glued=glued, moved=tweet_weight(moved), limit=limit)
    return "\n".join(taken if marked else taken[-1:])


def _counted(line: str) -> int:
    """The length Twitter holds to 280: a trailing link (an attached picture, a quoted
    tweet's url) is not counted."""
    return tweet_weight(_TRAILING_LINK_RE.sub("", line))


def _last_sentences(line: str, limit: int) -> str:
    """The tweet at the end of a line longer than any tweet (an extractor that put the
    writer's prose and the tweet on one line): its last sentences, walking back while they fit
    in a tweet and until a lead-in ("… below:") or a sentence in another language."""
    breaks = [match.end() for match in _SENTENCE_BREAK_RE.finditer(line)]
    start = breaks[-1] if breaks else 0
    if _counted(line[start:]) > limit:
        return line  # no sentence of it is short enough to tell where the tweet starts
    for index in range(len(breaks) - 1, -1, -1):
        before = breaks[index - 1] if index else 0
        piece = line[before : breaks[index]].strip()
        if _counted(line[before:]) > limit or piece.endswith((":", "：")):
            break
        if _foreign(piece, line[start:]):
            break
        start = before
    return line[start:]


def _walk(lines: list[str], *, glued: bool, moved: int, limit: int) -> tuple[list[str], bool]:
    """Lines above the attribution (top first) up to a mark, and whether one was found."""
    taken = [lines[-1]]
    weight = tweet_weight(lines[-1]) + moved
    index = len(lines) - 2
    while index >= 0:
        line = lines[index]
        above = lines[index - 1] if index else None
        if not line:  # a blank line: the tweet is a paragraph of its own
            return _paragraphs(lines, index, taken, weight, limit), True
        line_weight = tweet_weight(line)
        weight += line_weight
        if line_weight > limit or _marks_start(line, taken[0], lines[-1], above):
            return taken, True  # a line longer than any tweet is the writer's, too
        if weight > limit:
            return taken, False
        taken.insert(0, line)
        index -= 1
    return taken, glued


def _paragraphs(
    lines: list[str], blank: int, taken: list[str], weight: int, limit: int
) -> list[str]:
    """``taken`` with the paragraphs above it that belong to the tweet: each is added only
    when the paragraph above it marks where the tweet starts (see the module docstring)."""
    tweet = lines[-1]
    while True:
        while blank > 0 and not lines[blank - 1]:
            blank -= 1
        start = blank
        while start > 0 and lines[start - 1]:
            start -= 1
        paragraph = lines[start:blank]
        top = start - 1
        while top >= 0 and not lines[top]:
            top -= 1
        if not paragraph or top < 0:
            return taken
        weight += sum(tweet_weight(line) for line in paragraph)
        mark = lines[top]
        if weight > limit or any(_marks_start(p, tweet, tweet, None) for p in paragraph):
            return taken
        if not _marks_start(mark, paragraph[0], tweet, None):
            return taken
        taken = [*paragraph, "", *taken]
        blank = top + 1
