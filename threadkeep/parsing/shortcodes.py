"""Tweets that a blog's source embeds with its site generator's notation, before rendering.

A saved Markdown source (a post as its author wrote it) names each embedded tweet in the
notation of the tool that renders it into the widget. Each names the tweet by its status url
or its id, and some by its author:

=========================  ==============================================================
tool                       notation
=========================  ==============================================================
Hugo                       ``{{< tweet user="jack" id="20" >}}``, ``{{< twitter jack 20 >}}``,
                           ``{{< x user=… id=… >}}``, ``{{< tweet 20 hidecaption >}}``
Jekyll, dev.to, Markdoc    ``{% twitter url-or-id %}``, ``{% tweet … %}``,
                           ``{% embed https://twitter.com/…/status/… %}``,
                           ``{% tweet url="…" /%}``
WordPress                  ``[tweet url]``, ``[blackbirdpie url="…"]``, ``[embed]url[/embed]``
Zenn, Hashnode             ``@[tweet](url)``, ``%[url]``
remark directives          ``::tweet{url="…"}``, ``::tweet{status=20}``
Markdown block extensions  ``::: twitter jack 20 theme=dark``
R Markdown (tweetrmd)      ``include_tweet("url")``, ``try_include_tweet("url")``, in a chunk
=========================  ==============================================================

Each is a tweet with its id, its url, the time its id gives, and its author when the notation
names one; its text is not in the source. Only a tweet's id or status url makes one (``{{<
youtube … >}}``, ``{% embed`` of a video are other embeds), and a notation shown as code — inside
a fenced block, to teach the syntax — is none; an R Markdown chunk (a fence whose info string
opens with ``{``) runs, so its calls count. Every pattern is one bounded run: linear.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from threadkeep.urls import checked_id, is_handle, status_parts

__all__ = ["MARKERS", "Shortcode", "shortcodes"]

_ARGS = r"[^{}\[\]<>%\n]{1,400}?"
_URL = r"https?://[^\s\[\]()\"'<>]{1,400}"
_NOTATION_RE = re.compile(
    rf"\{{\{{[<%]\s*(?:tweet|twitter|x)\s+(?P<hugo>{_ARGS})\s*/?[>%]\}}\}}"
    rf"|\{{%\s*(?:tweet|twitter|embed)\s+(?P<liquid>{_ARGS})\s*/?%\}}"
    rf"|\[(?:tweet|twitter|blackbirdpie)\s+(?P<wordpress>{_ARGS})\]"
    rf"|\[embed\](?P<embed>{_URL})\[/embed\]"
    rf"|@\[tweet\]\((?P<zenn>{_URL})\)"
    rf"|%\[(?P<hashnode>{_URL})\]"
    r"|:{2,3}(?:tweet|twitter)\{(?P<directive>[^{}\n]{1,400})\}"
    r"|^:{3}[ \t]*(?:tweet|twitter)[ \t]+(?P<block>[^\n]{1,400})$"
    rf"|\b(?:try_)?include_tweet\(\s*[\"'](?P<tweetrmd>{_URL})[\"']",
    re.IGNORECASE | re.MULTILINE,
)
# Groups whose notation names any embed: only a status url makes it a tweet.
_URL_ONLY = frozenset({"embed", "zenn", "hashnode", "tweetrmd"})
_URL_RE = re.compile(r"https?://[^\s\"'<>\]]{1,400}")
_NAMED_RE = re.compile(r"""\b(id|user|url|status|tweetid)\s*=\s*["']?([^\s"']{1,400})""", re.I)
_POSITIONAL_ID = re.compile(r"\d{8,20}")
MARKERS = (
    "{{<", "{{%", "{%", "[tweet", "[twitter", "[blackbirdpie", "[embed]", "@[tweet]", "%[http",
    "::tweet", "::twitter", "::: tweet", "::: twitter", "include_tweet(",
)  # fmt: skip
"""What every notation starts with (lower-cased): where none is, there is no notation."""
_AFTER_ALL = 1 << 62  # an end beyond any text: (at, _AFTER_ALL) sorts after every span at ``at``
_FENCE_RE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})[ \t]*(\{?)", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Shortcode:
    """One tweet a source names: where (``start``, ``end``), its id, its author if named."""

    start: int
    end: int
    tweet_id: str
    handle: str | None


def shortcodes(text: str) -> list[Shortcode]:
    """Every tweet the source embeds in a notation, in order, none shown as code."""
    lowered = text.lower()
    if not any(marker in lowered for marker in MARKERS):
        return []
    shown = _shown_code(text)
    found = []
    for match in _NOTATION_RE.finditer(text):
        if _inside(shown, match.start()):
            continue
        kind = match.lastgroup or ""
        named = _named(match[kind], url_only=kind in _URL_ONLY)
        if named is not None:
            found.append(Shortcode(match.start(), match.end(), named[1], named[0]))
    return found


def _shown_code(text: str) -> list[tuple[int, int]]:
    """The spans of fenced code blocks that show code (not R Markdown chunks, which run)."""
    spans: list[tuple[int, int]] = []
    opening: re.Match[str] | None = None
    for fence in _FENCE_RE.finditer(text):
        if opening is None:
            opening = fence
        elif fence[1][0] == opening[1][0] and len(fence[1]) >= len(opening[1]):
            if not opening[2]:  # "```{r}": a chunk that runs
                spans.append((opening.start(), fence.end()))
            opening = None
    if opening is not None and not opening[2]:
        spans.append((opening.start(), len(text)))
    return spans


def _inside(spans: list[tuple[int, int]], at: int) -> bool:
    """True when ``at`` falls in one of ``spans`` (in order, not overlapping)."""
    index = bisect.bisect_right(spans, (at, _AFTER_ALL)) - 1
    return index >= 0 and at < spans[index][1]


def _named(args: str, *, url_only: bool) -> tuple[str | None, str] | None:
    """``(handle, id)`` from a notation's arguments: a status url, ``user=``/``id=``
    (``status=``, ``tweetid=``), or the positional ``user id`` / ``id`` (other words after
    it are options); None when they name no tweet."""
    if (url := _URL_RE.search(args)) is not None:
        return status_parts(url.group())
    if url_only:
        return None
    values = {key.lower(): value for key, value in _NAMED_RE.findall(args)}
    if "url" in values:
        return status_parts(values["url"])
    for key in ("id", "status", "tweetid"):
        if key in values and (tweet_id := checked_id(values[key])):
            user = values.get("user")
            return (user if is_handle(user) else None, tweet_id)
    words = args.split()
    for index, word in enumerate(words[:3]):
        if _POSITIONAL_ID.fullmatch(word) and (tweet_id := checked_id(word)):
            before = words[index - 1] if index else None
            return (before if before and is_handle(before) else None, tweet_id)
    return None
