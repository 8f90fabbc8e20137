"""What a ``recover`` run did (:class:`RecoverReport`): what was looked up and found, what
came of each capture, and the tweets that came back."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from threadkeep.words import plural

__all__ = ["CameBack", "LookedUp", "RecoverReport"]


class LookedUp(BaseModel):
    """One url looked up in the index: how many captures of the tweet it listed (200s naming
    the tweet, in the dates asked), or why the lookup failed."""

    model_config = ConfigDict(extra="forbid")

    target: str
    url: str
    captures: int = 0
    error: str | None = None


class CameBack(BaseModel):
    """A tweet a recovered copy holds which the archive had as removed, or had not seen.

    ``was`` is what the archive knew of it before the run; ``removed_at``, when it is marked
    removed now, the time of the first later copy that lacked it.
    """

    model_config = ConfigDict(extra="forbid")

    id: str
    was: Literal["removed", "unseen"]
    copy_time: datetime
    """When the web archive captured the copy it came back from (the earliest, if several)."""
    removed_at: datetime | None = None
    text: str | None = None


class RecoverReport(BaseModel):
    """What :func:`threadkeep.recover` did.

    ``found`` counts the distinct captures (one a digest) the lookups listed; ``known`` those
    whose digest the archive already holds (never fetched again); ``fetched`` those fetched
    now, each then ``new`` (it added or changed a document), ``unchanged``, ``failed`` (the
    fetch failed, or the bytes were not what the index said) or ``unreadable`` (no tweet could
    be read from it: the bytes are kept); ``left`` those not fetched because of ``limit``.
    ``failures`` says what failed and why, one line each; ``came_back`` lists the tweets the
    recovered copies hold which the archive had as removed or had not seen.

    Examples:
        >>> from threadkeep.wayback import RecoverReport
        >>> RecoverReport(found=3, fetched=3, new=2, unreadable=1).summary()
        'looked up 0 urls: 3 captures found; 3 fetched: 2 new, 0 unchanged, 0 failed, 1 unreadable'
    """

    model_config = ConfigDict(extra="forbid")

    targets: list[str] = []
    looked_up: list[LookedUp] = []
    found: int = 0
    known: int = 0
    fetched: int = 0
    new: int = 0
    unchanged: int = 0
    failed: int = 0
    unreadable: int = 0
    left: int = 0
    failures: list[str] = []
    came_back: list[CameBack] = []

    @property
    def ok(self) -> bool:
        """True when no lookup and no fetch failed."""
        return not self.failures

    def summary(self) -> str:
        """One line: what was looked up, found and fetched, and what came of it."""
        lookups = plural(len(self.looked_up), "url")
        found = plural(self.found, "capture")
        known = f" ({self.known} already in the archive)" if self.known else ""
        left = f", {self.left} left by --limit" if self.left else ""
        return (
            f"looked up {lookups}: {found} found{known}; {self.fetched} fetched: "
            f"{self.new} new, {self.unchanged} unchanged, {self.failed} failed, "
            f"{self.unreadable} unreadable{left}"
        )

    def _came_back_lines(self) -> list[str]:
        """The tweets that came back: each removed one, and the first unseen ones."""
        if not self.came_back:
            return []
        removed = [t for t in self.came_back if t.removed_at is not None or t.was == "removed"]
        unseen = [t for t in self.came_back if t not in removed]
        said = [
            f"  {plural(len(self.came_back), 'tweet')} came back ({len(removed)} marked removed)"
        ]
        shown = removed + unseen[: max(0, _SHOWN - len(removed))]
        for tweet in shown:
            said.append(f"    {_came_back_line(tweet)}")
        if len(shown) < len(self.came_back):
            said.append(f"    … and {len(self.came_back) - len(shown)} more (`threadkeep show`)")
        return said

    def lines(self) -> list[str]:
        """The summary, then a line for each url that listed captures or failed, each tweet
        that came back, and each failure."""
        said = [self.summary()]
        for looked in self.looked_up:
            if looked.error is not None:
                said.append(f"  lookup failed: {looked.url}: {looked.error}")
            elif looked.captures:
                said.append(f"  {looked.url}: {plural(looked.captures, 'capture')}")
        said.extend(self._came_back_lines())
        said.extend(f"  failed: {line}" for line in self.failures)
        return said


_SHOWN = 10  # tweets listed in the text report; the JSON report has every one


def _came_back_line(tweet: CameBack) -> str:
    def minute(at: datetime) -> str:
        return at.strftime("%Y-%m-%d %H:%M")

    marks = [f"copy of {minute(tweet.copy_time)}"]
    if tweet.removed_at is not None:
        marks.append(f"REMOVED since {minute(tweet.removed_at)}")
    elif tweet.was == "removed":
        marks.append("was REMOVED")
    text = " ".join((tweet.text or "").split())
    text = text if len(text) <= 60 else text[:59] + "…"
    return f"{tweet.id} [{', '.join(marks)}] {text}".rstrip()
