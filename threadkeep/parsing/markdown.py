"""Markdown copies of Thread Reader unrolls: what web clippers (Obsidian Web Clipper,
MarkDownload and the like, all built on Turndown) and note-taking pipelines save.

Such a copy is the thread page turned into Markdown, often under a YAML front matter that
names the page (``source: "https://threadreaderapp.com/thread/<id>.html"``). Each tweet is a
Markdown paragraph, so **an empty line starts a new tweet**; a paragraph break inside a tweet
(``<br><br>`` on the page) is a hard line break, a line ending in two spaces (or a
backslash) followed by a line of spaces. That is the opposite of the plain-text copies read
by :mod:`threadkeep.parsing.text_threadreader`, which is why the two are told apart before
either is used.

Read from each tweet: photos (``![Image](url)``), videos and GIFs (inline ``<video>`` with
``<source>`` elements: the last one, as on the page), link-preview cards (a link whose text
starts with a bold title), links (``[display](url)``; Thread Reader's own links, its hashtag,
user and keyword links, are plain text), the tweet's id (its permalink, a status link with no
text) and Markdown escapes (``1\\.`` is "1."). The copy ends
where the page's thread ends (``• • •`` or its footer); the "More from @author" section and
other chrome after it are not tweets. The author comes from the front matter (``author:
"[[@handle]]"``, ``title: "Thread by @handle …"``), the page header or the footer's
"Keep Current with Name" link.
"""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urlsplit

from threadkeep.errors import UnsupportedPage
from threadkeep.limits import check_tweets
from threadkeep.models import Link, Media, Thread, Tweet, snowflake_time
from threadkeep.parsing.markdown_merge import Block, merge_blocks
from threadkeep.parsing.numbering import number_thread
from threadkeep.parsing.shared import (
    THREAD_BY_RE,
    make_author,
    split_front_matter,
    text_entities,
)
from threadkeep.parsing.text_boundaries import markup_fragments
from threadkeep.parsing.text_threadreader import (
    footer_name,
    footer_start,
    is_header_chrome,
    read_header,
)
from threadkeep.urls import (
    HANDLE,
    absolute_url,
    is_handle,
    status_parts,
    status_url,
    threadreader_id,
)

__all__ = ["is_markdown_unroll", "may_be_markdown", "parse_markdown_unroll"]

_SOURCE_KEYS = ("source", "url", "link", "original_url", "canonical_url", "source_url")
# Markdown that a plain-text copy never has: a link or image to Thread Reader or Twitter's
# media servers.
_MD_TARGET_RE = re.compile(
    r"\]\(https?://(?:threadreaderapp\.com|pbs\.twimg\.com|video\.twimg\.com)/", re.I
)
_INLINE_RE = re.compile(
    r"(?P<bang>!?)\[(?P<text>[^\[\]\n]{0,2000})\]\((?P<url>[^()\s]{1,2000})"
    r"(?:\s+\"[^\"\n]{0,300}\")?\)"
)
_SRC_RE = re.compile(r"""\bsrc=["']([^"'<>]{1,2000})["']""", re.I)
_POSTER_RE = re.compile(r"""\bposter=["']([^"'<>]{1,2000})["']""", re.I)
_CARD_TITLE_RE = re.compile(r"^\s*\*\*(?P<title>[^*\n]{1,300})\*\*\s*")
_ESCAPE_RE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~<])")
_HANDLE_RE = re.compile(rf"@(?P<handle>{HANDLE})\b")
_DESCRIPTION_HANDLE_RE = re.compile(rf"^@(?P<handle>{HANDLE}):")
_WORDS_RE = re.compile(r"[^\s*_~`]")
_BOLD_RE = re.compile(r"\*\*|__")
_HEADING_RE = re.compile(r"^#{1,6}\s")
_QUOTED_HEADING_RE = re.compile(r"^>\s{0,4}#{1,6}\s")
_RULE_RE = re.compile(r"^(?:\*\s*){3,}$|^(?:-\s*){3,}$|^(?:_\s*){3,}$")
_TEMPLATE_RE = re.compile(r"^\{[%{].*[%}]\}$")
_TWITTER_HOSTS = ("twitter.com", "www.twitter.com", "mobile.twitter.com", "x.com", "www.x.com")


def _source(front: dict[str, list[str]]) -> str | None:
    """The Thread Reader thread url the front matter names, if any."""
    for key in _SOURCE_KEYS:
        for value in front.get(key, ()):
            if threadreader_id(value):
                return value
    return None


def may_be_markdown(raw: bytes) -> bool:
    """False for bytes that cannot be a Markdown copy (no front matter, no Markdown link):
    most HTML pages, spared decoding them a second time for :func:`is_markdown_unroll`."""
    return b"](" in raw or raw.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"---")


def is_markdown_unroll(text: str) -> bool:
    """True for a Markdown copy of a Thread Reader thread page.

    Its front matter names a Thread Reader thread; or it has Markdown links to Thread Reader
    or Twitter's media and the thread page's end marker or footer.
    """
    front, body = split_front_matter(text)
    if markup_fragments(body.split("\n")) is not None:
        return False  # a text copy whose tweets open with surviving markup: the text rules
    if _source(front):
        return True
    if not _MD_TARGET_RE.search(body):
        return False
    return footer_start(_plain(line) for line in body.split("\n")) is not None


def _plain(line: str) -> str:
    """A line with its Markdown links reduced to their text and bold marks removed."""
    if "[" in line:
        line = _INLINE_RE.sub(lambda m: m["text"], line)
        if "](" in line:  # a link around an image ("[![Name Profile picture](a)](b)")
            line = _INLINE_RE.sub(lambda m: m["text"], line)
    return _BOLD_RE.sub("", line) if "*" in line or "_" in line else line


def _videos(line: str, block: Block) -> str:
    """Cut inline ``<video>`` elements out of ``line``; each becomes a video or GIF."""
    out: list[str] = []
    start = 0
    lower = line.lower()
    while (begin := lower.find("<video", start)) != -1:
        end = lower.find("</video>", begin)
        if end == -1:
            break
        element = line[begin:end]
        sources = [u for s in _SRC_RE.findall(element) if (u := absolute_url(unescape(s), None))]
        playable = [s for s in sources if ".m3u8" not in s] or sources
        poster = _POSTER_RE.search(element)
        if playable or poster:
            url = playable[-1] if playable else None
            gif = bool(url and "/tweet_video/" in url)
            block.media.append(
                Media(
                    kind="gif" if gif else "video",
                    url=url,
                    preview=unescape(poster.group(1)) if poster else None,
                )
            )
        out.append(line[start:begin])
        start = end + len("</video>")
    out.append(line[start:])
    return "".join(out)


def _image(match: re.Match[str], block: Block) -> str:
    url = absolute_url(unescape(match["url"]), None)
    if url is not None:
        alt = _unescape(match["text"]).strip()
        block.media.append(Media(kind="photo", url=url, alt=None if alt in ("", "Image") else alt))
    return ""


def _link(match: re.Match[str], block: Block) -> str:
    text = match["text"]
    url = absolute_url(unescape(match["url"]), None)
    if url is None:
        return text
    host = urlsplit(url).hostname or ""  # absolute_url checked it: no ValueError here
    if host.endswith("threadreaderapp.com"):
        return text  # Thread Reader's hashtag, user and keyword links: the text is the tweet's
    if host in _TWITTER_HOSTS and text.lstrip().startswith(("@", "#")):
        return text  # a mention or hashtag, read from the text
    if not text.strip() and (parts := status_parts(url)) is not None:
        block.tweet_id = block.tweet_id or parts[1]  # the permalink glyph, its icon gone
        return ""
    if card := _CARD_TITLE_RE.match(text):
        block.media.append(Media(kind="card", url=url, alt=_unescape(card["title"]).strip()))
        return ""
    display = _unescape(text).strip()
    block.links.append(Link(url=url, display=display or None))
    return text


def _unescape(text: str) -> str:
    return _ESCAPE_RE.sub(r"\1", text) if "\\" in text else text


def _read_line(line: str, block: Block) -> str:
    """A line's text, its media and links moved to ``block``."""
    if "<" in line:
        line = _videos(line, block)
    if "[" in line:
        # Images and links in one pass, so that media keep the order they have in the tweet;
        # a second pass reads a link around an image ("[![Image](a)](b)").
        line = _INLINE_RE.sub(lambda m: _inline(m, block), line)
        if "](" in line:
            # The "!" before a link whose image pass 1 took out is the tweet's own
            # ("important![![Image](a)](b)"): text, not an image mark.
            line = _INLINE_RE.sub(lambda m: m["bang"] + _link(m, block), line)
    return _unescape(line).strip()


def _inline(match: re.Match[str], block: Block) -> str:
    return _image(match, block) if match["bang"] else _link(match, block)


def _blocks(lines: list[str]) -> list[Block]:
    """Group Markdown lines into tweets (see the module docstring for the rules)."""
    blocks: list[Block] = []
    current: Block | None = None
    hard_break = False  # the previous line ended in a hard line break
    paragraph = False  # a paragraph break inside the current tweet is pending
    for raw in lines:
        line = raw.rstrip("\r")
        if not line.strip():
            if current is not None and (hard_break or line.endswith("  ")):
                paragraph = True
                hard_break = True
            else:
                current = None
                paragraph = hard_break = False
            continue
        hard_break = line.endswith(("  ", "\\"))
        if hard_break and line.endswith("\\"):
            line = line[:-1]
        if current is None:
            current = Block()
            blocks.append(current)
            check_tweets(len(blocks))
            separator = ""
        else:
            separator = "\n\n" if paragraph else "\n"
        paragraph = False
        current.raw.append(line)
        text = _read_line(line, current)
        if text:
            current.pieces.append(separator + text if current.pieces else text)
    # Emphasis marks left alone on a line ("**" of a bold run broken over lines) are not text.
    return [b for b in blocks if b.media or b.links or _WORDS_RE.search("".join(b.pieces))]


def _front_handle(front: dict[str, list[str]]) -> str | None:
    for value in front.get("author", ()):
        if match := _HANDLE_RE.search(value):
            return match["handle"]
    for key in ("title", "description"):
        for value in front.get(key, ()):
            if match := THREAD_BY_RE.match(value) or _DESCRIPTION_HANDLE_RE.match(value):
                return match["handle"]
    return None


def _footer_handle(lines: list[str]) -> str | None:
    """The handle in the footer's "Keep Current with [Name](…/user/handle)" link."""
    for line in lines:
        if "Keep Current with" not in line:
            continue
        for link in _INLINE_RE.finditer(line):
            if (url := absolute_url(unescape(link["url"]), None)) is None:
                continue
            path = urlsplit(url).path.strip("/").split("/")
            if len(path) == 2 and path[0] == "user" and is_handle(path[1]):
                return path[1]
    return None


def _markdown_header_end(lines: list[str]) -> int:
    """Where the page header before the first tweet ends: headings, rules, templates, the
    chrome plain-text copies have too ("Thread by @x", "Name Profile picture", "11 tweets",
    "18,904 views") and MarkDownload's excerpt, a quote opened by a heading ("> ## Excerpt")."""
    first = 0
    in_excerpt = False
    while first < len(lines):
        line = lines[first].strip()
        in_excerpt = line.startswith(">") and (
            in_excerpt or _QUOTED_HEADING_RE.match(line) is not None
        )
        if line and not (
            in_excerpt
            or _HEADING_RE.match(line)
            or _RULE_RE.match(line)
            or _TEMPLATE_RE.match(line)
            or is_header_chrome(_plain(line).strip())
        ):
            break
        first += 1
    return first


def parse_markdown_unroll(text: str, *, url: str | None = None) -> Thread:
    """A :class:`Thread` from a Markdown copy of a Thread Reader thread page."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    front, body = split_front_matter(text)
    source = _source(front)
    thread_url = url if threadreader_id(url) else source or url
    lines = body.split("\n")
    end = footer_start(_plain(line) for line in lines)
    thread_lines, footer = (lines, []) if end is None else (lines[:end], lines[end:])
    first = _markdown_header_end(thread_lines)
    # Heading marks off, so that "# Thread by @x on Thread Reader App" names the author.
    header = read_header(_plain(line).lstrip("#").strip() for line in thread_lines[:first])
    name = footer_name(_plain(line) for line in footer) or header.name
    handle = _front_handle(front) or _footer_handle(footer) or header.handle
    hard_breaks = any(line.rstrip("\r").endswith(("  ", "\\")) for line in thread_lines)
    blocks = merge_blocks(_blocks(thread_lines[first:]), hard_breaks=hard_breaks)
    if not blocks:
        raise UnsupportedPage(
            "Markdown copy of a Thread Reader page with no tweets before its footer"
        )
    author = make_author(handle, name)
    texts = ["".join(block.pieces) for block in blocks]
    numbering = number_thread(texts, declared_count=header.declared)
    tweets = tuple(
        Tweet(
            id=block.tweet_id,
            url=status_url(handle, block.tweet_id),
            created_at=snowflake_time(block.tweet_id),
            author=author,
            text=texts[index],
            links=tuple(block.links),
            media=tuple(block.media),
            hashtags=tuple(text_entities(texts[index])[0]),
            mentions=tuple(text_entities(texts[index])[1]),
            position=(place := numbering.place(index))[0],
            marker=place[1],
        )
        for index, block in enumerate(blocks)
    )
    titles = front.get("title", ())
    return Thread(
        id=threadreader_id(thread_url),
        url=thread_url,
        author=author,
        title=titles[0] if titles else None,
        tweets=tweets,
        declared_count=header.declared,
        read_minutes=header.minutes,
        complete=numbering.complete,
        gaps=numbering.gaps,
    )
