"""Long posts: the whole text of tweets cut at 280 characters, from ``note-tweet.js``.

A note's own id (``noteTweetId``) is not its tweet's id, and the note names no tweet at all.
Real exports tie a note to its tweet only by time and text: the same second (the note's ISO
``createdAt``, the tweet's v1.1 ``created_at``) and the tweet's cut text (``…`` at the end,
then its trailing t.co links) being the start of the note's text. A reply's cut text starts
with the ``@handles`` it answers, which the note leaves out; several notes of a thread posted
at once share a second, so the text decides. Each note joins one tweet at most.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

from threadkeep.account.tweets import export_time

__all__ = ["Notes"]

_CUT_RE = re.compile(r"…(?:\s+https?://\S+)*\s*\Z")  # "…" and the links after it
_REPLY_MENTIONS_RE = re.compile(r"\A(?:@[A-Za-z0-9_]{1,50}\s+)+")


class Notes:
    """The notes of an export, by the second they were written in.

    Examples:
        >>> notes = Notes([{"noteTweet": {"createdAt": "2024-10-31T11:02:27.000Z",
        ...     "core": {"text": "A long text that goes on and on", "urls": []}}}])
        >>> from datetime import datetime, UTC
        >>> notes.join(datetime(2024, 10, 31, 11, 2, 27, tzinfo=UTC), "@bob A long text…")
        '@bob A long text that goes on and on'
    """

    def __init__(self, entries: Iterable[object]) -> None:
        self._by_second: dict[int, list[str]] = {}
        for entry in entries:
            note = entry.get("noteTweet") if isinstance(entry, dict) else None
            if not isinstance(note, dict):
                continue
            created = export_time(note.get("createdAt"))
            core = note.get("core")
            if not isinstance(core, dict):
                continue
            text = core.get("text")
            if created is None or not isinstance(text, str) or not text:
                continue
            self._by_second.setdefault(int(created.timestamp()), []).append(
                _expanded(text, core.get("urls"))
            )

    def __len__(self) -> int:
        return sum(len(texts) for texts in self._by_second.values())

    def join(self, created: datetime | None, text: str) -> str | None:
        """The whole text of the tweet written at ``created`` whose cut text is ``text``
        (unescaped, links expanded), or None when no note matches; a match is used up."""
        if created is None or not self._by_second or not _CUT_RE.search(text):
            return None
        cut = _CUT_RE.sub("", text)
        mentions = _REPLY_MENTIONS_RE.match(cut)
        prefix = mentions[0] if mentions else ""
        start = cut[len(prefix) :]
        if not start:
            return None
        second = int(created.timestamp())
        for moment in (second, second - 1, second + 1):
            texts = self._by_second.get(moment, [])
            for index, note in enumerate(texts):
                if note.startswith(start) or note.startswith(cut):
                    del texts[index]
                    return note if note.startswith(cut) else prefix + note
        return None


def _expanded(text: str, urls: object) -> str:
    for item in urls if isinstance(urls, list) else ():
        if isinstance(item, dict):
            short, long = item.get("shortUrl"), item.get("expandedUrl")
            if isinstance(short, str) and short and isinstance(long, str) and long:
                text = text.replace(short, long)
    return text
