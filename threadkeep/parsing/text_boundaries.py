"""Where the tweets of a text copy start, when the copy itself says so.

A plain-text copy of a Thread Reader page normally shows a tweet boundary as a single line
break and a paragraph inside a tweet as a blank line (see
:mod:`threadkeep.parsing.text_threadreader`). Some copies carry a stronger signal, and then
that signal decides, because the default rule would cut or glue tweets:

* **Surviving markup** (:func:`markup_fragments`). Extractors that strip tags badly leave the
  tail of each tweet's opening tag, ``thread#showTweet" data-screenname="x"
  data-tweet="123" dir="auto">``, at the start of every tweet. Each fragment starts a tweet
  and gives its id and author; every line up to the next fragment is that tweet's text (a
  long tweet's own line breaks are single line breaks there, not tweet boundaries).
* **Numbering at line starts** (:func:`numbered_starts`). A copy with no header whose tweets
  begin ``1/7``, ``2/7``, ``3/7`` …, such as ``lynx -dump`` output wrapped at 75 columns: a
  line starting with the next number starts the next tweet and every other line continues
  the current one, so a sentence that runs from one tweet into the next stays where the
  author put it. The numbers must run 1, 2, 3 … with one total, at least three of them, and
  the copy must start with ``1/``: numbering found in the middle of prose is not a thread.
* **One block per tweet** (:func:`paragraph_blocks`). Views that show one tweet per screen
  (Thread Reader's "Scrolly Tale", reader modes) put a blank line *between* tweets. When the
  header declares N tweets and the body has exactly N blank-line-separated blocks, each
  block is a tweet.

All three scan lines once; the patterns are anchored and bounded (no backtracking over a
long line).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from threadkeep.urls import HANDLE

__all__ = ["Fragment", "markup_fragments", "numbered_starts", "paragraph_blocks"]

_FRAGMENT_RE = re.compile(
    rf"data-screenname=\"(?P<handle>{HANDLE})\"\s{{1,5}}data-tweet=\"(?P<id>\d{{1,20}})\""
    r"[^>\n]{0,200}>(?P<rest>[^\n]*)$"
)
_NUMBER_RE = re.compile(r"^(?P<n>\d{1,3})/(?P<t>\d{1,3})(?!\d)")
_MIN_NUMBERED = 3


@dataclass(frozen=True, slots=True)
class Fragment:
    """One tweet opened by a surviving markup fragment: its author, id and text lines."""

    handle: str
    tweet_id: str
    lines: tuple[str, ...]


def markup_fragments(lines: Sequence[str]) -> tuple[int, list[Fragment]] | None:
    """The index of the first fragment and the tweets the fragments open, or None."""
    found: list[tuple[int, re.Match[str]]] = [
        (index, match)
        for index, line in enumerate(lines)
        if "data-tweet=" in line and (match := _FRAGMENT_RE.search(line.strip()))
    ]
    if not found:
        return None
    ends = [index for index, _ in found[1:]] + [len(lines)]
    tweets = []
    for (index, match), end in zip(found, ends, strict=True):
        text = [match["rest"]] if match["rest"].strip() else []
        text += lines[index + 1 : end]
        tweets.append(Fragment(match["handle"], match["id"], tuple(text)))
    return found[0][0], tweets


def numbered_starts(lines: Sequence[str]) -> list[int] | None:
    """The indices of the lines that start numbered tweets ``1/M``, ``2/M`` …, or None.

    ``lines`` is the body after any header: its first non-blank line must start with ``1/``.
    """
    starts: list[int] = []
    total = None
    for index, raw in enumerate(lines):
        line = raw.strip()
        if not line:
            continue
        match = _NUMBER_RE.match(line)
        if not starts:
            if match is None or match["n"] != "1":
                return None  # the copy does not open with "1/M": not this shape
            starts, total = [index], match["t"]
        elif match and match["t"] == total and int(match["n"]) == len(starts) + 1:
            starts.append(index)
    return starts if len(starts) >= _MIN_NUMBERED else None


def paragraph_blocks(lines: Sequence[str], declared: int | None) -> list[str] | None:
    """The blank-line-separated blocks of ``lines`` when there are exactly ``declared``."""
    if not declared or declared < 2:
        return None
    blocks: list[list[str]] = []
    open_block = False
    for raw in lines:
        line = raw.strip()
        if not line:
            open_block = False
            continue
        if not open_block:
            if len(blocks) == declared:
                return None  # more blocks than declared tweets: not one block per tweet
            blocks.append([])
            open_block = True
        blocks[-1].append(line)
    return ["\n".join(block) for block in blocks] if len(blocks) == declared else None
