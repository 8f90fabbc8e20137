"""Tweets that a blog's source embeds with its site generator's notation, before rendering.

A saved Markdown source (a Hugo, Jekyll, dev.to, Markdoc, Zenn or WordPress post as its author
wrote it) names each embedded tweet in the generator's own notation, which the site renders
into the widget. Each names the tweet by its status url or its id, and some by its author:

=====================  ==================================================================
generator              notation
=====================  ==================================================================
Hugo                   ``{{< tweet user="jack" id="20" >}}``, ``{{< twitter jack 20 >}}``,
                       ``{{< x user=… id=… >}}``, ``{{% tweet … %}}``
Jekyll, dev.to         ``{% twitter https://twitter.com/…/status/… %}``, ``{% tweet 20 %}``
Markdoc                ``{% tweet url="https://twitter.com/…/status/…" /%}``
WordPress              ``[tweet https://twitter.com/…/status/…]``, ``[embed]…[/embed]``
Zenn                   ``@[tweet](https://twitter.com/…/status/…)``
=====================  ==================================================================

Each is a tweet with its id, its url, the time its id gives, and its author when the notation
names one; its text is not in the source. Only the notations named ``tweet``, ``twitter`` and
``x`` count (``{{< youtube … >}}``, ``{% github … %}`` are other embeds), and only with a
tweet's id or status url in them. Every pattern is one bounded run: linear on any input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from threadkeep.urls import checked_id, is_handle, status_parts

__all__ = ["Shortcode", "shortcodes"]

_ARGS = r"[^{}\[\]<>%\n]{1,400}?"
_NOTATION_RE = re.compile(
    rf"\{{\{{[<%]\s*(?:tweet|twitter|x)\s+(?P<hugo>{_ARGS})\s*/?[>%]\}}\}}"
    rf"|\{{%\s*(?:tweet|twitter)\s+(?P<liquid>{_ARGS})\s*/?%\}}"
    rf"|\[(?:tweet|twitter)\s+(?P<wordpress>{_ARGS})\]"
    r"|\[embed\](?P<embed>https?://[^\s\[\]]{1,400})\[/embed\]"
    r"|@\[tweet\]\((?P<zenn>https?://[^\s()]{1,400})\)",
    re.IGNORECASE,
)
_URL_RE = re.compile(r"https?://[^\s\"'<>]{1,400}")
_NAMED_RE = re.compile(r"""\b(id|user|url)\s*=\s*["']?([^\s"']{1,400})""", re.IGNORECASE)
_MARKERS = ("{{<", "{{%", "{%", "[tweet", "[twitter", "[embed]", "@[tweet]")


@dataclass(frozen=True, slots=True)
class Shortcode:
    """One tweet a source names: where (``start``, ``end``), its id, its author if named."""

    start: int
    end: int
    tweet_id: str
    handle: str | None


def shortcodes(text: str) -> list[Shortcode]:
    """Every tweet the source embeds in a site generator's notation, in order."""
    if not any(marker in text for marker in _MARKERS):
        return []
    found = []
    for match in _NOTATION_RE.finditer(text):
        args = next(group for group in match.groups() if group is not None)
        named = _named(args)
        if named is not None:
            found.append(Shortcode(match.start(), match.end(), named[1], named[0]))
    return found


def _named(args: str) -> tuple[str | None, str] | None:
    """``(handle, id)`` from a notation's arguments: a status url, ``user=``/``id=``, or the
    positional ``user id`` / ``id``; None when they name no tweet."""
    if (url := _URL_RE.search(args)) is not None:
        return status_parts(url.group())
    values = {key.lower(): value for key, value in _NAMED_RE.findall(args)}
    if "url" in values:
        return status_parts(values["url"])
    if "id" in values:
        tweet_id = checked_id(values["id"])
        user = values.get("user")
        return (user if is_handle(user) else None, tweet_id) if tweet_id else None
    words = args.split()
    if len(words) == 1 and (tweet_id := checked_id(words[0])):
        return None, tweet_id
    if len(words) == 2 and is_handle(words[0]) and (tweet_id := checked_id(words[1])):
        return words[0], tweet_id
    return None
